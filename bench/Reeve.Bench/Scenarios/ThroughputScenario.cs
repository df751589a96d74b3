using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Reeve.Client;
using Reeve.Core.Deployments;
using Reeve.Core.FlowRuns;
using Reeve.Core.States;
using Reeve.Flows;
using Reeve.Serving;

namespace Reeve.Bench.Scenarios;

/// <summary>
/// Runs of a trivial flow, created by 8 concurrent producers (<c>create_flow_run</c> on a deployment) while a
/// served flow with 16 slots runs them: runs completed per second, from the first create to the last COMPLETED
/// stored, and each run's pickup (create called → flow body started). Then the same workload with Hangfire on the
/// same storage engine — 16 workers, 8 producers — with its default polling and with its fastest documented
/// settings, in its own process (bench/Reeve.Bench.Hangfire); the ratios Reeve / Hangfire follow.
/// </summary>
internal sealed class ThroughputScenario : IScenario
{
    private const int Producers = 8;
    private const int Slots = 16;
    private static long[] _created = [];
    private static long[] _started = [];
    private static int _remaining;
    private static TaskCompletionSource _done = new();

    public string Name => "throughput";

    public string Description => "trivial runs created by 8 producers, run by a served flow with 16 slots: runs/s and pickup; the same with Hangfire";

    private static void Body(int i)
    {
        if (i < 0)
        {
            return;
        }

        _started[i] = Stopwatch.GetTimestamp();
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            _done.TrySetResult();
        }
    }

    public async Task<IReadOnlyList<Measurement>> RunAsync(BenchOptions options)
    {
        var runs = options.Quick ? 400 : 10_000;
        var reeve = await RunReeveAsync(options, runs);
        var results = new List<Measurement>
        {
            new(Name, $"Reeve: runs completed per second ({runs:N0} runs)", reeve.PerSecond, "runs/s", options.Storage),
            new(Name, "Reeve: pickup p50 (create → body started)", reeve.P50, "ms", options.Storage),
            new(Name, "Reeve: pickup p99", reeve.P99, "ms", options.Storage),
        };

        // Quick runs leave out Hangfire's default polling here: its workers wait up to 15 s before they look again,
        // which is most of a quick run's time and says nothing at that size (the pickup scenario still shows it).
        foreach (var polling in options.Quick ? ["fast"] : new[] { "default", "fast" })
        {
            var hangfire = await HangfireProcess.RunAsync(options, "throughput", runs, polling, Slots);
            results.Add(new(Name, $"Hangfire ({polling} polling): jobs completed per second", hangfire.PerSecond, "jobs/s", options.Storage));
            results.Add(new(Name, $"Hangfire ({polling} polling): enqueue → start p50", hangfire.P50, "ms", options.Storage));
            results.Add(new(Name, $"Hangfire ({polling} polling): enqueue → start p99", hangfire.P99, "ms", options.Storage));
            results.Add(new(Name, $"ratio Reeve / Hangfire ({polling}): throughput", reeve.PerSecond / hangfire.PerSecond, "×", options.Storage));
            results.Add(new(Name, $"ratio Hangfire ({polling}) / Reeve: pickup p50 (how many times lower Reeve's is)", hangfire.P50 / reeve.P50, "×", options.Storage));
        }

        return results;
    }

    private sealed record Outcome(double PerSecond, double P50, double P99);

    private static async Task<Outcome> RunReeveAsync(BenchOptions options, int runs)
    {
        using var quiet = Quiet.Console();
        await using var server = await ServerProcess.StartAsync(options.Storage);
        ReeveSdk.UseServer(server.ApiUrl);
        using var client = new ReeveClient(new ReeveClientOptions { ApiUrl = server.ApiUrl });
        var flow = Flow.Define((int i) => Body(i), new FlowOptions { Name = "bench-throughput" });
        using var stop = new CancellationTokenSource();
        var serving = flow.ServeAsync("throughput", options: new ServeOptions { Output = TextWriter.Null, Limit = Slots }, cancellationToken: stop.Token);
        var deployment = await Served.DeploymentAsync(client, "bench-throughput", "throughput");

        // Warm up the whole path (the JIT, the connection pools), then measure.
        _created = new long[runs];
        _started = new long[runs];
        _remaining = runs;
        _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await LoadRunner.WarmUpAsync(options.WarmUp, Producers, _ => client.CreateFlowRunFromDeploymentAsync(deployment.Id,
            new DeploymentFlowRunCreate { Parameters = new JsonObject { ["i"] = -1 } }));
        await WaitForAllCompletedAsync(client, deployment.Id, await client.CountFlowRunsAsync(ByDeployment(deployment.Id)));
        var before = await client.CountFlowRunsAsync(ByDeployment(deployment.Id));

        var total = Stopwatch.StartNew();
        await LoadRunner.RunAsync(runs, Producers, async i =>
        {
            _created[i] = Stopwatch.GetTimestamp();
            await client.CreateFlowRunFromDeploymentAsync(deployment.Id, new DeploymentFlowRunCreate { Parameters = new JsonObject { ["i"] = i } });
        });
        await _done.Task.WaitAsync(TimeSpan.FromMinutes(30));
        await WaitForAllCompletedAsync(client, deployment.Id, before + runs);
        total.Stop();

        await stop.CancelAsync();
        await serving;
        ReeveSdk.UseNoServer();
        var latencies = Enumerable.Range(0, runs).Select(i => Stopwatch.GetElapsedTime(_created[i], _started[i]).TotalMilliseconds).ToArray();
        return new Outcome(runs / total.Elapsed.TotalSeconds, Stats.Median(latencies), Stats.Percentile(latencies, 99));
    }

    private static FlowRunFilterRequest ByDeployment(Guid id, StateType? state = null) => new()
    {
        FlowRuns = new()
        {
            DeploymentId = new() { Any = [id] },
            State = state is { } s ? new() { Type = new() { Any = [s] } } : null,
        },
    };

    /// <summary>Until the server has stored COMPLETED for that many runs (the engine reports after the body ends).</summary>
    private static async Task WaitForAllCompletedAsync(ReeveClient client, Guid deployment, int count)
    {
        var deadline = Stopwatch.StartNew();
        while (await client.CountFlowRunsAsync(ByDeployment(deployment, StateType.Completed)) < count)
        {
            if (deadline.Elapsed > TimeSpan.FromMinutes(10))
            {
                throw new TimeoutException("The served flow did not complete every run in time.");
            }

            await Task.Delay(20);
        }
    }
}
