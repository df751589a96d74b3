using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Reeve.Core.FlowRuns;
using Reeve.Core.States;
using Reeve.Server.Hosting;
using Reeve.Server.Storage;

namespace Reeve.Server.Services;

/// <summary>
/// Finds active runs whose heartbeats stopped — no word from the run's engine nor from the worker that claimed
/// it for three of their intervals — and ends them: CRASHED, or CANCELLED if they were being cancelled. Their
/// slots are free again at once, since limits are counted from run states. Safe on every replica: each end is an
/// ordinary orchestrated state change, and a run another replica ended first is refused as a duplicate.
/// </summary>
internal sealed partial class Foreman(IServiceScopeFactory scopes, ReeveServerOptions options, ILogger<Foreman> logger, Hosting.StorageReady storage, Telemetry.ReeveMetrics metrics)
    : ServiceLoop(logger, options.Clock, storage, metrics)
{
    private const int Batch = 200;

    protected override string Name => "Foreman";

    protected override TimeSpan Interval => options.ForemanInterval;

    protected override async Task<PassOutcome> RunPassAsync(CancellationToken cancellationToken)
    {
        var ended = 0;
        await using var scope = scopes.CreateAsyncScope();
        var runs = scope.ServiceProvider.GetRequiredService<FlowRunStore>();
        IReadOnlyList<(Guid Id, StateType State, DateTime Expired)> lost;
        int before;
        do
        {
            before = ended;
            lost = await runs.LostAsync(Batch, cancellationToken);
            foreach (var (id, state, expired) in lost)
            {
                var end = state == StateType.Cancelling
                    ? new StateCreate { Type = StateType.Cancelled, Message = "Cancelled: the flow run's process was lost before it confirmed (no heartbeat)." }
                    : new StateCreate
                    {
                        Type = StateType.Crashed,
                        Message = $"Flow run lost: no heartbeat from its process or its worker since {expired:u} (three missed intervals).",
                    };
                var (result, written) = await runs.SetStateAsync(id, new SetStateRequest { State = end }, cancellationToken);
                if (written)
                {
                    ended++;
                    LogEnded(id, end.Type, result.State?.Message);
                }
            }
        }
        while (lost.Count == Batch && ended > before);

        return new PassOutcome(ended, $"ended {Plural(ended, "lost run")}");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Foreman: flow run {Id} ended {State}: {Message}")]
    private partial void LogEnded(Guid id, StateType state, string? message);
}
