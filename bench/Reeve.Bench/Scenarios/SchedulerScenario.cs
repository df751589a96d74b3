using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Reeve.Client;
using Reeve.Core.Ids;
using Reeve.Core.WorkPools;
using Reeve.Server.Hosting;
using Reeve.Server.Services;
using Reeve.Server.Storage;
using Reeve.Server.Storage.Entities;

namespace Reeve.Bench.Scenarios;

/// <summary>
/// The scheduler's pass over 10,000 cron deployments (hourly, at minutes spread over the hour): the first pass,
/// which makes every run from none (three each: 30,000 runs), and a pass with nothing to do. The server runs in
/// this process with its scheduler loop off, so that the passes are timed exactly and one at a time; the
/// deployments are written straight into the database, as the API would store them.
/// </summary>
internal sealed class SchedulerScenario : IScenario
{
    public string Name => "scheduler";

    public string Description => "scheduler pass over 10,000 hourly cron deployments: from none scheduled, and with nothing to do";

    public async Task<IReadOnlyList<Measurement>> RunAsync(BenchOptions options)
    {
        var deployments = options.Quick ? 2_000 : 10_000;
        await using var database = await BenchDatabase.CreateAsync(options.Storage, "scheduler-");
        await using var server = ReeveServer.Create(new ReeveServerOptions
        {
            Port = 0,
            Storage = database.ReeveStorage,
            SchedulerInterval = Timeout.InfiniteTimeSpan,
            LateRunsInterval = Timeout.InfiniteTimeSpan,
            ForemanInterval = Timeout.InfiniteTimeSpan,
            LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
        });
        await server.StartAsync();
        await SeedAsync(server, deployments);
        var scheduler = server.Services.GetServices<IHostedService>().OfType<Scheduler>().Single();

        var first = System.Diagnostics.Stopwatch.StartNew();
        var made = await scheduler.PassAsync(CancellationToken.None);
        first.Stop();
        // Passes with nothing to do but read and check every schedule. (A schedule whose next run fell due
        // meanwhile gets one more: a handful, counted.)
        var idle = new double[5];
        var topUps = 0;
        for (var i = 0; i < idle.Length; i++)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            topUps += (await scheduler.PassAsync(CancellationToken.None)).Changed;
            idle[i] = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        await server.StopAsync();
        return
        [
            new(Name, $"first pass: {deployments:N0} deployments, none scheduled", first.Elapsed.TotalSeconds, "s", options.Storage),
            new(Name, "first pass: runs made", made.Changed, "runs", options.Storage),
            new(Name, "first pass: runs made per second", made.Changed / first.Elapsed.TotalSeconds, "runs/s", options.Storage),
            new(Name, "idle pass (median of 5)", Stats.Median(idle), "ms", options.Storage),
            new(Name, "idle passes: runs topped up meanwhile", topUps, "runs", options.Storage),
        ];
    }

    /// <summary>One flow and pool, and the deployments with one hourly cron schedule each, written in bulk.</summary>
    private static async Task SeedAsync(ReeveServer server, int count)
    {
        using var client = new ReeveClient(new ReeveClientOptions { ApiUrl = server.ApiUrl });
        var pool = await client.CreateWorkPoolAsync(new WorkPoolCreate { Name = "bench-scheduled", Type = "process" });
        var flow = await client.CreateFlowAsync(new Core.Flows.FlowCreate { Name = "bench-scheduled" });
        await using var scope = server.Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<Store>();
        var now = TimeProvider.System.GetUtcNow().UtcDateTime;
        var rows = Enumerable.Range(0, count).Select(i => new DeploymentRecord
        {
            Id = SequentialGuid.Next(now),
            Created = now,
            Updated = now,
            Name = $"hourly-{i}",
            FlowId = flow.Id,
            WorkQueueId = pool.DefaultQueueId,
        }).ToList();
        var schedules = rows.Select((d, i) => new DeploymentScheduleRecord
        {
            Id = SequentialGuid.Next(now),
            Created = now,
            Updated = now,
            DeploymentId = d.Id,
            Schedule = $$"""{"cron":"{{i % 60}} * * * *","timezone":"UTC","day_or":true}""",
        }).ToList();
        await store.WriteAsync(async (db, ct) =>
        {
            await BulkInsert.InsertAsync(db, rows, ct);
            await BulkInsert.InsertAsync(db, schedules, ct);
        }, CancellationToken.None);
    }
}
