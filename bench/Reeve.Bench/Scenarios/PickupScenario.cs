using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Reeve.Client;
using Reeve.Core.FlowRuns;
using Reeve.Core.States;
using Reeve.Core.WorkPools;
using Reeve.Workers;
using Reeve.Workers.Infrastructure;

namespace Reeve.Bench.Scenarios;

/// <summary>
/// Pickup with nothing queued: runs created one at a time, each half a second after the one before was claimed
/// (an idle system), and picked up
/// by a real worker (Reeve.Workers, in this process) whose infrastructure completes the run at once. The figure is
/// from the run's creation to its PENDING state (the claim), both timestamped by the server. Then Hangfire's
/// enqueue → start for jobs enqueued one at a time, with default and with fast polling.
/// </summary>
internal sealed class PickupScenario : IScenario
{
    /// <summary>How long the system is left idle before each run or job, on both sides.</summary>
    public static readonly TimeSpan IdleGap = TimeSpan.FromMilliseconds(500);

    public string Name => "pickup";

    public string Description => "due → claimed by a worker, one run at a time: p50 / p99; Hangfire's enqueue → start likewise";

    public async Task<IReadOnlyList<Measurement>> RunAsync(BenchOptions options)
    {
        var runs = options.Quick ? 10 : 200;
        var reeve = await RunReeveAsync(options, runs);
        var results = new List<Measurement>
        {
            new(Name, $"Reeve: due → claimed p50 ({runs:N0} runs)", reeve.P50, "ms", options.Storage),
            new(Name, "Reeve: due → claimed p99", reeve.P99, "ms", options.Storage),
        };

        foreach (var (polling, jobs) in new[] { ("default", options.Quick ? 1 : 40), ("fast", options.Quick ? 10 : 200) })
        {
            var hangfire = await HangfireProcess.RunAsync(options, "pickup", jobs, polling);
            results.Add(new(Name, $"Hangfire ({polling} polling): enqueue → start p50 ({jobs} jobs)", hangfire.P50, "ms", options.Storage));
            results.Add(new(Name, $"Hangfire ({polling} polling): enqueue → start p99", hangfire.P99, "ms", options.Storage));
            results.Add(new(Name, $"ratio Hangfire ({polling}) / Reeve: p50 (how many times lower Reeve's is)", hangfire.P50 / reeve.P50, "×", options.Storage));
        }

        return results;
    }

    private static async Task<(double P50, double P99)> RunReeveAsync(BenchOptions options, int runs)
    {
        await using var server = await ServerProcess.StartAsync(options.Storage);
        using var client = new ReeveClient(new ReeveClientOptions { ApiUrl = server.ApiUrl });
        await client.CreateWorkPoolAsync(new WorkPoolCreate { Name = "bench-pickup", Type = "process" });
        var flow = await client.CreateFlowAsync(new Core.Flows.FlowCreate { Name = "bench-pickup" });
        var deployment = await client.CreateDeploymentAsync(new Core.Deployments.DeploymentCreate { Name = "pickup", FlowId = flow.Id, WorkPoolName = "bench-pickup" });

        var claimed = new System.Collections.Concurrent.ConcurrentDictionary<Guid, TaskCompletionSource>();
        var infrastructure = new CompleteAtOnce(client, claimed);
        using var stop = new CancellationTokenSource();
        var worker = new Worker(client, new WorkerOptions
        {
            PoolName = "bench-pickup",
            Infrastructure = _ => infrastructure,
            Output = TextWriter.Null,
        });
        var working = worker.RunAsync(stop.Token);

        async Task<double> OneAsync()
        {
            var run = await client.CreateFlowRunFromDeploymentAsync(deployment.Id);
            var started = claimed.GetOrAdd(run.Id, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));
            await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
            claimed.TryRemove(run.Id, out _);
            var states = await client.ReadFlowRunStatesAsync(run.Id);
            var pending = states.First(s => s.Type == StateType.Pending).Timestamp;
            return (pending - run.Created).TotalMilliseconds;
        }

        var warmUp = Stopwatch.StartNew();
        while (warmUp.Elapsed < options.WarmUp)
        {
            await OneAsync();
        }

        var latencies = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            // The same quiet spell before each run as on the Hangfire side: a run falls due in an idle system.
            await Task.Delay(IdleGap);
            latencies[i] = await OneAsync();
        }

        await stop.CancelAsync();
        await working;
        return (Stats.Median(latencies), Stats.Percentile(latencies, 99));
    }

    /// <summary>Infrastructure that stands for a flow which ends at once: it reports COMPLETED as an engine would.</summary>
    private sealed class CompleteAtOnce(ReeveClient client, System.Collections.Concurrent.ConcurrentDictionary<Guid, TaskCompletionSource> claimed) : IInfrastructure
    {
        public async Task<InfrastructureResult> RunAsync(FlowRun run, JsonObject configuration, Func<string, Task> started, CancellationToken cancellationToken)
        {
            claimed.GetOrAdd(run.Id, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            await client.SetFlowRunStateAsync(run.Id, new StateCreate { Type = StateType.Running }, cancellationToken: cancellationToken);
            await client.SetFlowRunStateAsync(run.Id, new StateCreate { Type = StateType.Completed }, cancellationToken: cancellationToken);
            return new InfrastructureResult(0);
        }
    }
}

/// <summary>The Hangfire side of the comparisons, run as its own process (bench/Reeve.Bench.Hangfire) on a fresh database.</summary>
internal static class HangfireProcess
{
    public sealed record Outcome(double PerSecond, double P50, double P99);

    public static async Task<Outcome> RunAsync(BenchOptions options, string mode, int jobs, string polling, int workers = 16)
    {
        await using var database = await BenchDatabase.CreateAsync(options.Storage, "hangfire-");
        var connection = database.PostgresConnectionString ?? Path.Combine(database.Home, "hangfire.db");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Entry);
        foreach (var arg in new[] { "--storage", options.Storage, "--connection", connection, "--jobs", jobs.ToString(CultureInfo.InvariantCulture),
            "--workers", workers.ToString(CultureInfo.InvariantCulture), "--polling", polling, "--mode", mode,
            "--idle-ms", PickupScenario.IdleGap.TotalMilliseconds.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            // The Hangfire program gives up on its own after 10 minutes without progress; this is the bound on everything else.
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(20));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"The Hangfire run ({mode}, {polling} polling, {options.Storage}) had not ended after 20 minutes; it was stopped.");
        }

        var last = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith('{'));
        if (process.ExitCode != 0 || last is null)
        {
            throw new InvalidOperationException($"The Hangfire run failed (exit {process.ExitCode}): {await errors}");
        }

        var result = JsonNode.Parse(last)!;
        return new Outcome(result["per_second"]?.GetValue<double>() ?? 0, result["latency_p50_ms"]!.GetValue<double>(), result["latency_p99_ms"]!.GetValue<double>());
    }

    /// <summary>As the build left it: artifacts/bin/Reeve.Bench.Hangfire/CONFIG/, beside this program's folder.</summary>
    private static string Entry
    {
        get
        {
            var config = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var entry = Path.Combine(config.Parent!.Parent!.FullName, "Reeve.Bench.Hangfire", config.Name, "Reeve.Bench.Hangfire.dll");
            return File.Exists(entry) ? entry : throw new FileNotFoundException($"The Hangfire benchmark was not built at {entry}.");
        }
    }
}
