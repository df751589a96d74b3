using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Reeve.Core.States;
using Reeve.Server.Hosting;
using Reeve.Server.Services;
using Reeve.Server.Storage;

namespace Reeve.Server.Telemetry;

/// <summary>
/// The gauges' figures (runs per state, workers online per pool), counted by one query each every 15 s while the
/// server exports metrics: a scrape reads the last counts and never queries the database itself.
/// </summary>
internal sealed class RunCounts
{
    private volatile IReadOnlyList<Measurement<long>> _runs = [];
    private volatile IReadOnlyList<Measurement<long>> _workers = [];

    public IEnumerable<Measurement<long>> RunsByState() => _runs;

    public IEnumerable<Measurement<long>> WorkersOnline() => _workers;

    public async Task CountAsync(ReeveDbContext db, DateTime now, CancellationToken cancellationToken)
    {
        var runs = await db.FlowRuns
            .GroupBy(r => new { r.StateType, Late = r.StateName == "Late" })
            .Select(g => new { g.Key.StateType, g.Key.Late, Count = g.LongCount() })
            .ToListAsync(cancellationToken);
        var workers = await (from w in db.Workers
                             join p in db.WorkPools on w.WorkPoolId equals p.Id
                             where w.OnlineUntil > now
                             group w by p.Name into g
                             select new { Pool = g.Key, Count = g.LongCount() }).ToListAsync(cancellationToken);

        _runs = [.. runs.Where(r => r.StateType is not null).Select(r => new Measurement<long>(r.Count,
            new KeyValuePair<string, object?>("reeve.state.type", r.StateType!.Value.WireName()),
            new KeyValuePair<string, object?>("reeve.state.name", r.Late ? "Late" : ""))),];
        _workers = [.. workers.Select(w => new Measurement<long>(w.Count, new KeyValuePair<string, object?>("reeve.work_pool.name", w.Pool)))];
    }
}

/// <summary>Counts the gauges' figures every 15 s (registered only when the server exports metrics).</summary>
internal sealed class RunCountsLoop(IServiceScopeFactory scopes, RunCounts counts, ReeveServerOptions options, ILogger<RunCountsLoop> logger, StorageReady storage)
    : ServiceLoop(logger, options.Clock, storage)
{
    protected override string Name => "Telemetry counts";

    protected override TimeSpan Interval => TimeSpan.FromSeconds(15);

    protected override bool PassAtStart => true;

    protected override async Task<PassOutcome> RunPassAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await counts.CountAsync(scope.ServiceProvider.GetRequiredService<ReeveDbContext>(), StorageTime.Now(options.Clock), cancellationToken);
        return new PassOutcome(0, "counted runs and workers", Routine: true);
    }
}
