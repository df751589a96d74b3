using System.Diagnostics;
using Reeve.Flows;

namespace Reeve.Bench.Scenarios;

/// <summary>
/// What a flow run costs when the flow does nothing: a tracked run creates its flow run, proposes RUNNING and
/// COMPLETED and flushes its logs — three round trips to a real server — against the plain call of an untracked run.
/// </summary>
internal sealed class FlowsScenario : IScenario
{
    public string Name => "flows";

    public string Description => "an empty flow, run one after the other: time per run, untracked and tracked";

    public async Task<IReadOnlyList<Measurement>> RunAsync(BenchOptions options)
    {
        // The engine echoes each run's log lines to the console; not what is measured here.
        using var quiet = Quiet.Console();
        var empty = Flow.Define(() => { }, new FlowOptions { Name = "bench-empty" });
        var runs = options.Quick ? 100 : 1_000;
        await using var server = await ServerProcess.StartAsync(options.Storage);
        var results = new List<Measurement>();
        foreach (var tracked in new[] { false, true })
        {
            if (tracked)
            {
                ReeveSdk.UseServer(server.ApiUrl);
            }
            else
            {
                ReeveSdk.UseNoServer();
            }

            var warmUp = Stopwatch.StartNew();
            while (warmUp.Elapsed < options.WarmUp)
            {
                await empty.RunAsync();
            }

            var times = new double[runs];
            var total = Stopwatch.StartNew();
            for (var i = 0; i < runs; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await empty.RunAsync();
                times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }

            total.Stop();
            var label = tracked ? "tracked" : "untracked";
            var unit = tracked ? "ms" : "µs";
            var scale = tracked ? 1.0 : 1_000.0;
            results.Add(new(Name, $"{label}: per run, p50 ({runs:N0} runs)", Stats.Median(times) * scale, unit, options.Storage));
            results.Add(new(Name, $"{label}: per run, p99", Stats.Percentile(times, 99) * scale, unit, options.Storage));
            results.Add(new(Name, $"{label}: runs per second, one at a time", runs / total.Elapsed.TotalSeconds, "runs/s", options.Storage));
        }

        ReeveSdk.UseNoServer();
        return results;
    }
}
