using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Reeve.Client;
using Reeve.Core.FlowRuns;
using Reeve.Core.Orchestration;
using Reeve.Core.States;
using Reeve.Server.Storage;
using Reeve.Server.Storage.Entities;

namespace Reeve.Bench.Scenarios;

/// <summary>
/// <c>get_scheduled_flow_runs</c> with 100,000 runs in the database: mostly finished history, a day of
/// future scheduled runs, and a few due ones, as a busy installation has.
/// </summary>
internal sealed class PollScenario : IScenario
{
    public string Name => "poll";

    public string Description => "get_scheduled_flow_runs latency with 100,000 runs in the database (5,000 with --quick)";

    public async Task<IReadOnlyList<Measurement>> RunAsync(BenchOptions options)
    {
        var total = options.Quick ? 5_000 : 100_000;
        const int due = 50;
        const int future = 2_000;
        var polls = options.Quick ? 200 : 1_000;
        var seeding = Stopwatch.StartNew();
        await using var server = await ServerProcess.StartAsync(options.Storage, storage => SeedAsync(storage, total, due, future));
        seeding.Stop();
        using var client = new ReeveClient(new ReeveClientOptions { ApiUrl = server.ApiUrl });

        var request = new WorkerScheduledRunsRequest { Limit = 10, ScheduledBefore = TimeProvider.System.GetUtcNow().AddSeconds(10) };
        await LoadRunner.WarmUpAsync(options.WarmUp, 1, _ => client.ReadScheduledRunsOfPoolAsync("bench", request));

        var latencies = new List<double>(polls);
        var handed = 0;
        for (var i = 0; i < polls; i++)
        {
            var started = Stopwatch.GetTimestamp();
            handed = (await client.ReadScheduledRunsOfPoolAsync("bench", request)).Count;
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        if (handed != 10)
        {
            throw new InvalidOperationException($"Expected a full page of 10 due runs, got {handed}.");
        }

        return
        [
            new(Name, $"get_scheduled_flow_runs p50, {total:N0} runs in the database", Stats.Percentile(latencies, 50), "ms", options.Storage),
            new(Name, $"get_scheduled_flow_runs p99, {total:N0} runs in the database", Stats.Percentile(latencies, 99), "ms", options.Storage),
            new(Name, $"seeding {total:N0} runs in process (not a figure of the server)", seeding.Elapsed.TotalSeconds, "s", options.Storage),
        ];
    }

    /// <summary>Writes the runs straight into the database through the server's storage layer.</summary>
    internal static async Task SeedAsync(StorageOptions storage, int total, int due, int future)
    {
        var services = new ServiceCollection().AddSingleton(TimeProvider.System).AddLogging().AddReeveStorage(storage)
            .AddSingleton<Reeve.Server.Events.RunEventHub>().AddSingleton<Reeve.Server.Services.ScheduleChanges>()
            .AddMetrics().AddSingleton<Reeve.Server.Telemetry.RunCounts>().AddSingleton<Reeve.Server.Telemetry.ReeveMetrics>().BuildServiceProvider();
        await using (services)
        {
            await StorageRegistration.MigrateAsync(services, CancellationToken.None);
            await using var scope = services.CreateAsyncScope();
            var pools = scope.ServiceProvider.GetRequiredService<WorkPoolStore>();
            var flows = scope.ServiceProvider.GetRequiredService<FlowStore>();
            var deployments = scope.ServiceProvider.GetRequiredService<DeploymentStore>();
            var pool = await pools.CreateAsync(new Core.WorkPools.WorkPoolCreate { Name = "bench", Type = "process" }, CancellationToken.None);
            var (flow, _) = await flows.CreateAsync(new Core.Flows.FlowCreate { Name = "bench-flow" }, CancellationToken.None);
            var deploymentIds = new List<Guid>();
            for (var d = 0; d < 20; d++)
            {
                var (deployment, _) = await deployments.UpsertAsync(new Core.Deployments.DeploymentCreate { Name = $"d{d}", FlowId = flow.Id, WorkPoolName = "bench" }, CancellationToken.None);
                deploymentIds.Add(deployment.Id);
            }

            var db = scope.ServiceProvider.GetRequiredService<ReeveDbContext>();
            var now = TimeProvider.System.GetUtcNow();
            const int batch = 5_000;
            for (var start = 0; start < total; start += batch)
            {
                for (var i = start; i < Math.Min(total, start + batch); i++)
                {
                    var (type, at) = i < due ? (StateType.Scheduled, now.AddMinutes(-1).AddMilliseconds(i))
                        : i < due + future ? (StateType.Scheduled, now.AddMinutes(i))
                        : (StateType.Completed, now.AddMinutes(-i));
                    var state = type == StateType.Scheduled ? StateFactory.Scheduled("Scheduled", at, at) : StateFactory.Of(type, at);
                    var run = new FlowRunRecord
                    {
                        Id = Guid.CreateVersion7(at),
                        Name = $"run-{i}",
                        FlowId = flow.Id,
                        DeploymentId = deploymentIds[i % deploymentIds.Count],
                        WorkPoolId = pool.Id,
                        WorkQueueId = pool.DefaultQueueId,
                    };
                    var facts = new RunFacts { State = state, ExpectedStartTime = at, NextScheduledStartTime = type == StateType.Scheduled ? at : null };
                    run.Created = run.Updated = StorageTime.ToStorage(at);
                    FlowRunMapper.Apply(run, facts, run.Created);
                    db.FlowRuns.Add(run);
                    db.FlowRunStates.Add(FlowRunMapper.StateRow(run.Id, state));
                }

                await db.SaveChangesAsync();
                db.ChangeTracker.Clear();
            }
        }
    }
}
