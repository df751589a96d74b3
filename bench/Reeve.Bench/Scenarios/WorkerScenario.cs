using System.Diagnostics;
using Reeve.Client;
using Reeve.Core.Logs;
using Reeve.Core.States;
using Reeve.Core.WorkPools;
using Reeve.Deployments;
using Reeve.Flows;

namespace Reeve.Bench.Scenarios;

/// <summary>
/// A process worker (<c>reeve worker start</c>, its own process) against a real server: for each of 50 runs
/// created one after the other through the API (what <c>reeve deployment run</c> calls), the time to the claim
/// (the run's PENDING state) and to the flow's first log line, written by an engine process of its own that loads the
/// flow's built assembly (no build: what a cached build leaves); each run comes 1.5 s after the previous one ended. Times are the server's, the engine's and this
/// process's wall clocks — one machine, one clock. Also the worker's resident memory at rest.
/// </summary>
internal sealed class WorkerScenario : IScenario
{
    private const string FirstLineText = "bench flow: first line";

    /// <summary>The pause before each run: longer than the worker's standby delay plus an engine's start.</summary>
    private static readonly TimeSpan RestBetweenRuns = TimeSpan.FromSeconds(1.5);

    public string Name => "e2e-process";

    public string Description => "process worker: deployment run to claim and to the flow's first line, p50 / p99 over 50 runs; worker memory at rest";

    /// <summary>The flow the worker's engine runs.</summary>
    [Flow(Name = "bench-worker-flow", LogPrints = true)]
    public static void BenchFlow() => Console.WriteLine(FirstLineText);

    public async Task<IReadOnlyList<Measurement>> RunAsync(BenchOptions options)
    {
        var runs = options.Quick ? 3 : 50;
        await using var server = await ServerProcess.StartAsync(options.Storage);
        ReeveSdk.UseServer(server.ApiUrl);
        using var client = new ReeveClient(new ReeveClientOptions { ApiUrl = server.ApiUrl });
        var pool = "bench-process-pool";
        await client.CreateWorkPoolAsync(new WorkPoolCreate { Name = pool, Type = "process" });
        var flow = Flow.DefineAll(typeof(WorkerScenario)).Single();
        var deployment = await flow.DeployAsync("cached-build", pool, new DeployOptions { Output = TextWriter.Null });

        using var worker = StartWorker(server.ApiUrl, pool);
        try
        {
            await WaitForLineAsync(worker, "started!");
            await Task.Delay(TimeSpan.FromSeconds(options.Quick ? 1 : 3));
            var restingMiB = ServerProcess.ResidentMemoryMiB(worker.Id);

            var toClaim = new List<double>();
            var toFirstLine = new List<double>();
            var warmUps = options.Quick ? 1 : 5;
            for (var i = 0; i < warmUps + runs; i++)
            {
                // Each run comes to a worker at rest, as a run usually does: the engine the worker keeps ready for the
                // next run (see ProcessInfrastructure) has started since the previous one.
                await Task.Delay(RestBetweenRuns);
                var created = TimeProvider.System.GetUtcNow();
                var run = await client.CreateFlowRunFromDeploymentAsync(deployment.Id);
                var ended = await WaitForEndAsync(client, run.Id);
                if (ended.StateType != StateType.Completed)
                {
                    throw new InvalidOperationException($"Bench run {run.Name} ended {ended.StateType}: {ended.State?.Message}");
                }

                var states = await client.ReadFlowRunStatesAsync(run.Id);
                var logs = await client.FilterLogsAsync(new LogFilterRequest { Logs = new() { FlowRunId = new() { Any = [run.Id] } } });
                var claimed = states.First(s => s.Type == StateType.Pending).Timestamp;
                var firstLine = logs.First(l => l.Message.Contains(FirstLineText, StringComparison.Ordinal)).Timestamp;
                if (i >= warmUps)
                {
                    toClaim.Add((claimed - created).TotalMilliseconds);
                    toFirstLine.Add((firstLine - created).TotalMilliseconds);
                }
            }

            await Task.Delay(TimeSpan.FromSeconds(options.Quick ? 1 : 3));
            var afterMiB = ServerProcess.ResidentMemoryMiB(worker.Id);
            return
            [
                new(Name, $"run to first line p50 ({runs} runs)", Stats.Median(toFirstLine), "ms", options.Storage),
                new(Name, "run to first line p99", Stats.Percentile(toFirstLine, 99), "ms", options.Storage),
                new(Name, "pickup (due to claimed) p50", Stats.Median(toClaim), "ms", options.Storage),
                new(Name, "pickup (due to claimed) p99", Stats.Percentile(toClaim, 99), "ms", options.Storage),
                new(Name, "worker memory at rest (start)", restingMiB, "MiB", options.Storage),
                new(Name, "worker memory at rest (after runs)", afterMiB, "MiB", options.Storage),
            ];
        }
        finally
        {
            worker.Kill(entireProcessTree: true);
            await worker.WaitForExitAsync();
            ReeveSdk.UseNoServer();
        }
    }

    internal static Process StartWorker(string apiUrl, string pool)
    {
        var info = ServerProcess.Cli("worker", "start", "--pool", pool);
        info.Environment["REEVE_API_URL"] = apiUrl;
        info.Environment["REEVE_HOME"] = Path.Combine(Path.GetTempPath(), "reeve-bench", "worker-" + Guid.NewGuid().ToString("N")[..8]);
        info.Environment["NO_COLOR"] = "1";
        return Process.Start(info) ?? throw new InvalidOperationException("Could not start the worker.");
    }

    internal static async Task WaitForLineAsync(Process process, string text)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
        {
            if (line.Contains(text, StringComparison.Ordinal))
            {
                // The rest of its output is drained, so the worker never blocks on a full pipe.
                _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                _ = process.StandardError.ReadToEndAsync(CancellationToken.None);
                return;
            }
        }

        throw new InvalidOperationException($"The worker ended before writing '{text}': {await process.StandardError.ReadToEndAsync()}");
    }

    internal static async Task<Core.FlowRuns.FlowRun> WaitForEndAsync(ReeveClient client, Guid runId)
    {
        var deadline = Stopwatch.StartNew();
        await foreach (var change in client.SubscribeFlowRunEventsAsync(flowRunIds: [runId]))
        {
            // After the handshake, the run is read once: it may have ended before the subscription.
            var run = await client.ReadFlowRunAsync(runId);
            if (run.StateType is { } type && type.IsTerminal())
            {
                return run;
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"Bench run {runId} did not end in 60 s.");
            }
        }

        throw new InvalidOperationException("The event stream ended.");
    }
}
