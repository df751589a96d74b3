using System.Collections.Concurrent;
using System.Diagnostics;
using Reeve.Client;
using Reeve.Core.Deployments;
using Reeve.Flows;
using Reeve.Serving;

namespace Reeve.Bench.Scenarios;

/// <summary>
/// Served pickup latency: from the call of <c>create_flow_run</c> on a served deployment to the first line of
/// the flow, in the serving process (this one), against a real server; runs one after the other.
/// </summary>
internal sealed class ServeScenario : IScenario
{
    private static readonly ConcurrentDictionary<int, TaskCompletionSource<long>> Started = new();

    public string Name => "serve";

    public string Description => "served pickup: create_flow_run to the flow's first line, p50 / p99 over 200 runs (50 with --quick)";

    private static void FirstLine(int i)
    {
        var now = Stopwatch.GetTimestamp();
        Started.GetOrAdd(i, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(now);
    }

    public async Task<IReadOnlyList<Measurement>> RunAsync(BenchOptions options)
    {
        // The engine echoes each run's log lines to the console; not what is measured here.
        using var quiet = Quiet.Console();
        var runs = options.Quick ? 50 : 200;
        await using var server = await ServerProcess.StartAsync(options.Storage);
        ReeveSdk.UseServer(server.ApiUrl);
        using var client = new ReeveClient(new ReeveClientOptions { ApiUrl = server.ApiUrl });
        var flow = Flow.Define((int i) => FirstLine(i), new FlowOptions { Name = "bench-served" });
        using var stop = new CancellationTokenSource();
        var serving = flow.ServeAsync("pickup", options: new ServeOptions { Output = TextWriter.Null }, cancellationToken: stop.Token);

        var deployment = await Served.DeploymentAsync(client, "bench-served", "pickup");

        var next = 0;
        async Task<double> PickUpAsync()
        {
            var i = Interlocked.Increment(ref next);
            var started = Started.GetOrAdd(i, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));
            var created = Stopwatch.GetTimestamp();
            await client.CreateFlowRunFromDeploymentAsync(deployment.Id, new DeploymentFlowRunCreate { Parameters = new() { ["i"] = i } });
            var firstLine = await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Started.TryRemove(i, out _);
            return Stopwatch.GetElapsedTime(created, firstLine).TotalMilliseconds;
        }

        var warmUp = Stopwatch.StartNew();
        while (warmUp.Elapsed < options.WarmUp)
        {
            await PickUpAsync();
        }

        var latencies = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            latencies[i] = await PickUpAsync();
        }

        await stop.CancelAsync();
        await serving;
        ReeveSdk.UseNoServer();
        return
        [
            new(Name, $"pickup p50 ({runs} runs)", Stats.Median(latencies), "ms", options.Storage),
            new(Name, "pickup p99", Stats.Percentile(latencies, 99), "ms", options.Storage),
            new(Name, "pickup max", latencies.Max(), "ms", options.Storage),
        ];
    }
}
