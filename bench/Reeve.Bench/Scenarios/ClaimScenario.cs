using System.Collections.Concurrent;
using System.Diagnostics;
using Reeve.Client;
using Reeve.Core.Deployments;
using Reeve.Core.FlowRuns;
using Reeve.Core.Orchestration;
using Reeve.Core.States;
using Reeve.Core.WorkPools;

namespace Reeve.Bench.Scenarios;

/// <summary>
/// 32 worker loops racing for the due runs of one pool whose limit is 50, two ways: one by one, as Prefect's
/// workers do (each asks for due runs, up to 200, tries them in a random order so that the loops do not all try
/// the same run first, proposing PENDING), and with Reeve's batch claim (each asks the server to claim up to 200
/// due runs for it, as Reeve's worker does). Each claimed run is run to COMPLETED after holding it 200 ms. Runs handed out per second; runs claimed twice (must be 0); and
/// the most PENDING + RUNNING runs of the pool seen by a sampler counting them on the server every 10 ms (must be
/// at most 50).
/// </summary>
internal sealed class ClaimScenario : IScenario
{
    private const int Workers = 32;
    private const int Limit = 50;
    private static readonly TimeSpan HoldFor = TimeSpan.FromMilliseconds(200);

    public string Name => "claim";

    public string Description => "32 workers claiming due runs of a pool limited to 50, one by one and in batches: runs/s, duplicates, most active runs seen";

    public async Task<IReadOnlyList<Measurement>> RunAsync(BenchOptions options) =>
        [.. await MeasureAsync(options, batch: false), .. await MeasureAsync(options, batch: true)];

    private async Task<IReadOnlyList<Measurement>> MeasureAsync(BenchOptions options, bool batch)
    {
        var runs = options.Quick ? 200 : 10_000;
        await using var server = await ServerProcess.StartAsync(options.Storage);
        using var client = new ReeveClient(new ReeveClientOptions { ApiUrl = server.ApiUrl });
        await client.CreateWorkPoolAsync(new WorkPoolCreate { Name = "bench-claim", Type = "process", ConcurrencyLimit = Limit });
        var flow = await client.CreateFlowAsync(new Core.Flows.FlowCreate { Name = "bench-claim" });
        var deployment = await client.CreateDeploymentAsync(new DeploymentCreate { Name = "claim", FlowId = flow.Id, WorkPoolName = "bench-claim" });
        await LoadRunner.RunAsync(runs, 8, _ => client.CreateFlowRunFromDeploymentAsync(deployment.Id));

        var claims = new ConcurrentDictionary<Guid, int>();
        var completed = 0;
        using var stop = new CancellationTokenSource();
        var most = 0;
        var sampler = Task.Run(async () =>
        {
            var active = new FlowRunFilterRequest
            {
                WorkPools = new() { Name = new() { Any = ["bench-claim"] } },
                FlowRuns = new() { State = new() { Type = new() { Any = [StateType.Pending, StateType.Running] } } },
            };
            while (!stop.IsCancellationRequested)
            {
                most = Math.Max(most, await client.CountFlowRunsAsync(active, CancellationToken.None));
                await Task.Delay(10, CancellationToken.None);
            }
        });

        var holding = new ConcurrentBag<Task>();
        void Hold(Guid id)
        {
            claims.AddOrUpdate(id, 1, (_, n) => n + 1);
            holding.Add(Task.Run(async () =>
            {
                // Run as a worker's infrastructure would, beside the claiming: the run holds its slot a while,
                // so that the pool's limit is what gates the claims.
                await client.SetFlowRunStateAsync(id, new StateCreate { Type = StateType.Running });
                await Task.Delay(HoldFor);
                await client.SetFlowRunStateAsync(id, new StateCreate { Type = StateType.Completed });
                Interlocked.Increment(ref completed);
            }));
        }

        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            while (claims.Count < runs)
            {
                if (batch)
                {
                    var claimed = await client.ClaimRunsOfPoolAsync("bench-claim", new WorkerClaimRequest { Limit = 200 });
                    foreach (var run in claimed)
                    {
                        Hold(run.FlowRun.Id);
                    }

                    if (claimed.Count == 0)
                    {
                        await Task.Delay(5);
                    }

                    continue;
                }

                var offered = (await client.ReadScheduledRunsOfPoolAsync("bench-claim", new WorkerScheduledRunsRequest { Limit = 200 })).ToArray();
                Random.Shared.Shuffle(offered);
                if (offered.Length == 0)
                {
                    await Task.Delay(5);
                    continue;
                }

                foreach (var run in offered)
                {
                    var claim = await client.SetFlowRunStateAsync(run.FlowRun.Id, new StateCreate { Type = StateType.Pending });
                    if (claim.Status == OrchestrationStatus.Accept)
                    {
                        Hold(run.FlowRun.Id);
                    }
                }
            }
        })));
        await Task.WhenAll(holding);
        total.Stop();
        await stop.CancelAsync();
        await sampler;

        var how = batch ? "batch claims" : "one by one";
        return
        [
            new(Name, $"{how}: runs handed out per second ({runs:N0} runs, {Workers} workers)", claims.Count / total.Elapsed.TotalSeconds, "runs/s", options.Storage),
            new(Name, $"{how}: runs claimed more than once (must be 0)", claims.Count(c => c.Value > 1), "runs", options.Storage),
            new(Name, $"{how}: most PENDING + RUNNING runs seen (limit {Limit})", most, "runs", options.Storage),
        ];
    }
}
