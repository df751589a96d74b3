using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Reeve.Core.FlowRuns;
using Reeve.Core.Schedules;
using Reeve.Core.States;
using Reeve.Server.Hosting;
using Reeve.Server.Storage;

namespace Reeve.Server.Services;

/// <summary>
/// Marks SCHEDULED runs more than <see cref="ReeveServerOptions.MarkLateAfter"/> past their time Late (they stay
/// SCHEDULED with their time, so workers still take them), and — beyond Prefect — gives up runs later than their
/// deployment's or pool's <c>expire_late_runs_after</c>: CANCELLED, named Expired. Every change is an ordinary
/// orchestrated state change (a run that started meanwhile is left alone), so the loop is safe on every replica.
/// </summary>
internal sealed class LateRunWatch(IServiceScopeFactory scopes, ReeveServerOptions options, ILogger<LateRunWatch> logger, Hosting.StorageReady storage, Telemetry.ReeveMetrics metrics)
    : ServiceLoop(logger, options.Clock, storage, metrics)
{
    private const int Batch = 400;

    protected override string Name => "Late runs";

    protected override TimeSpan Interval => options.LateRunsInterval;

    protected override async Task<PassOutcome> RunPassAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var runs = scope.ServiceProvider.GetRequiredService<FlowRunStore>();
        var now = options.Clock.GetUtcNow();
        var expired = 0;
        DateTime? after = null;
        List<LateRun> page;
        do
        {
            page = await runs.LateAsync(StorageTime.ToStorage(now - options.MarkLateAfter), after, expiringOnly: true, Batch, cancellationToken);
            foreach (var run in page)
            {
                var scheduled = StorageTime.ToWire(run.Scheduled);
                var expiry = TimeSpan.FromSeconds(run.Expiry!.Value);
                if (scheduled + expiry <= now && await SetAsync(runs, run.Id, new StateCreate
                {
                    Type = StateType.Cancelled,
                    Name = LateRuns.ExpiredName,
                    Message = LateRuns.ExpiredMessage(scheduled, expiry),
                }, cancellationToken))
                {
                    expired++;
                }
            }

            after = page.Count > 0 ? page[^1].Scheduled : after;
        }
        while (page.Count == Batch);

        var marked = 0;
        int before;
        do
        {
            before = marked;
            page = await runs.LateAsync(StorageTime.ToStorage(now - options.MarkLateAfter), null, expiringOnly: false, Batch, cancellationToken);
            foreach (var run in page)
            {
                if (await SetAsync(runs, run.Id, new StateCreate
                {
                    Type = StateType.Scheduled,
                    Name = LateRuns.LateName,
                    StateDetails = new StateDetails { ScheduledTime = StorageTime.ToWire(run.Scheduled) },
                }, cancellationToken))
                {
                    marked++;
                }
            }
        }
        while (page.Count == Batch && marked > before);

        return new PassOutcome(marked + expired, $"marked {Plural(marked, "run")} late, expired {expired}");
    }

    private static async Task<bool> SetAsync(FlowRunStore runs, Guid id, StateCreate state, CancellationToken cancellationToken)
    {
        try
        {
            var (result, written) = await runs.SetStateAsync(id, new SetStateRequest { State = state }, cancellationToken);
            return written && result.Status == Core.Orchestration.OrchestrationStatus.Accept;
        }
        catch (Core.Errors.ReeveNotFoundException)
        {
            // Deleted meanwhile.
            return false;
        }
    }
}
