using System.Text.Json.Nodes;
using Reeve.Core.FlowRuns;

namespace Reeve.Workers.Infrastructure;

/// <summary>
/// An infrastructure whose jobs can be found again by their flow run (the <c>io.reeve.flow-run-id</c> label) and
/// followed by a worker other than the one that started them: what lets the server's push workers take back, after a
/// restart, the runs they had submitted.
/// </summary>
public interface IResumableInfrastructure : IInfrastructure
{
    /// <summary>
    /// Finds the flow run's job from its rendered job configuration and follows it to its end as
    /// <see cref="IInfrastructure.RunAsync"/> does once a job has started (starting it first if it was created and
    /// never started), calling <paramref name="found"/> with its id. Null when the run has no job there: never made,
    /// or removed. Cancelling <paramref name="cancellationToken"/> stops the job.
    /// </summary>
    Task<InfrastructureResult?> ResumeAsync(FlowRun run, JsonObject configuration, Func<string, Task> found, CancellationToken cancellationToken);
}
