using System.Text.Json.Nodes;
using Reeve.Core.FlowRuns;

namespace Reeve.Workers.Infrastructure;

/// <summary>Where a worker runs a flow run: a local process, a container, a Kubernetes Job.</summary>
public interface IInfrastructure
{
    /// <summary>
    /// Starts the flow run's job from its rendered job configuration and follows it to its end. Calls
    /// <paramref name="started"/> with the infrastructure's id (a process id, a container id) once it runs.
    /// Cancelling <paramref name="cancellationToken"/> stops the job: asked first, forced after a grace period.
    /// </summary>
    Task<InfrastructureResult> RunAsync(FlowRun run, JsonObject configuration, Func<string, Task> started, CancellationToken cancellationToken);
}

/// <summary>How a job ended: its exit code, and the signal that ended it, if one did.</summary>
/// <param name="ExitCode">The exit code (on Unix, 128 + the signal number when a signal ended it).</param>
/// <param name="Signal">The signal that ended it, when one did.</param>
/// <param name="Reason">Why the infrastructure ended it, when it says (such as a container killed for lack of memory).</param>
/// <param name="Explanation">The whole sentence a CRASHED state carries, when the infrastructure has one of its own
/// (an image that could not be pulled, a pod that could not be scheduled).</param>
public sealed record InfrastructureResult(int ExitCode, int? Signal = null, string? Reason = null, string? Explanation = null)
{
    /// <summary>
    /// The worker stopped following the job before it ended (its follow time ran out): the run goes on, and reports
    /// its own end; the worker changes nothing.
    /// </summary>
    public bool StoppedFollowing { get; init; }

    /// <summary>The result of a Unix exit code: codes 129 to 159 are 128 + the number of the signal that ended the job.</summary>
    public static InfrastructureResult FromUnixExitCode(int code, string? reason = null) =>
        new(code, code is > 128 and < 160 ? code - 128 : null, reason);

    /// <summary>Whether the job ended well.</summary>
    public bool Succeeded => ExitCode == 0;

    /// <summary>The sentence a CRASHED state carries.</summary>
    public string Describe() => Explanation is { } explanation
        ? explanation
        : Reason is { } reason
        ? $"Flow run infrastructure was killed: {reason} (exit code {ExitCode})."
        : Signal is { } s
        ? $"Flow run infrastructure was killed by signal {s}{SignalName(s)} (exit code {ExitCode})."
        : $"Flow run infrastructure exited with non-zero status code {ExitCode}.";

    private static string SignalName(int signal) => signal switch
    {
        9 => " (SIGKILL)",
        15 => " (SIGTERM)",
        2 => " (SIGINT)",
        6 => " (SIGABRT)",
        11 => " (SIGSEGV)",
        _ => "",
    };
}
