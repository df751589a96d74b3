using Reeve.Bench.DockerFlow;
using Reeve.Client;
using Reeve.Core.Logs;
using Reeve.Core.States;
using Reeve.Core.WorkPools;
using Reeve.Deployments;
using Reeve.Flows;
using Reeve.Workers.Docker;

namespace Reeve.Bench.Scenarios;

/// <summary>
/// A <c>docker:push</c> pool: no worker is started; the <c>reeve server start</c> process submits each run to the
/// Docker engine itself. Runs are created one after the other; the figures are from a run's creation to its
/// claim for submission (PENDING), to its engine running in the container (RUNNING) and to the flow's first line. Needs a Docker engine, as e2e-docker.
/// </summary>
internal sealed class PushScenario : IScenario
{
    public string Name => "push";

    public string Description => "docker:push pool, no worker: run created to its claim, to RUNNING in its container and to the flow's first line, p50 / p99 over 20 runs";

    public async Task<IReadOnlyList<Measurement>> RunAsync(BenchOptions options)
    {
        if (options.Quick && !options.Scenarios.Contains(Name))
        {
            Console.WriteLine("  skipped in a quick run of every scenario (it builds an image); name it to run it: push --quick");
            return [];
        }

        if (!await DockerScenario.EngineAnswersAsync())
        {
            Console.WriteLine("  skipped: no Docker engine answers (start one with eng/docker/start-docker.sh DIR and set DOCKER_HOST)");
            return [];
        }

        var runs = options.Quick ? 3 : 20;
        await using var server = await ServerProcess.StartAsync(options.Storage);
        ReeveSdk.UseServer(server.ApiUrl);
        using var client = new ReeveClient(new ReeveClientOptions { ApiUrl = server.ApiUrl });
        const string pool = "bench-docker-push";
        await client.CreateWorkPoolAsync(new WorkPoolCreate { Name = pool, Type = "docker:push" });
        var flow = Flow.DefineAll(typeof(DockerBenchFlow)).Single();
        var image = $"reeve-bench/docker-flow:{Guid.NewGuid().ToString("N")[..8]}";
        var deployment = await flow.DeployAsync("pushed", pool, new DeployOptions
        {
            Image = new DeploymentImage(image) { Push = false },
            JobVariables = new { auto_remove = true },
            Output = TextWriter.Null,
        });

        try
        {
            var submitted = new List<double>();
            var running = new List<double>();
            var firstLine = new List<double>();
            for (var i = 0; i < 1 + runs; i++)
            {
                var created = TimeProvider.System.GetUtcNow();
                var run = await client.CreateFlowRunFromDeploymentAsync(deployment.Id);
                var ended = await WorkerScenario.WaitForEndAsync(client, run.Id);
                if (ended.StateType != StateType.Completed)
                {
                    throw new InvalidOperationException($"Bench run {run.Name} ended {ended.StateType}: {ended.State?.Message}");
                }

                // The PENDING state is written by the claim; RUNNING by the engine in the container, once started.
                var states = await client.ReadFlowRunStatesAsync(run.Id);
                var started = states.First(s => s.Type == StateType.Running).Timestamp;
                var logs = await client.FilterLogsAsync(new LogFilterRequest { Logs = new() { FlowRunId = new() { Any = [run.Id] } } });
                var line = logs.First(l => l.Message.Contains(DockerBenchFlow.FirstLine, StringComparison.Ordinal)).Timestamp;
                if (i > 0)
                {
                    submitted.Add((states.First(s => s.Type == StateType.Pending).Timestamp - created).TotalMilliseconds);
                    running.Add((started - created).TotalMilliseconds);
                    firstLine.Add((line - created).TotalMilliseconds);
                }
            }

            return
            [
                new(Name, $"run created to claimed for submission p50 ({runs} runs)", Stats.Median(submitted), "ms", options.Storage),
                new(Name, "run created to claimed for submission p99", Stats.Percentile(submitted, 99), "ms", options.Storage),
                new(Name, $"run created to RUNNING in its container p50 ({runs} runs)", Stats.Median(running), "ms", options.Storage),
                new(Name, "run created to RUNNING in its container p99", Stats.Percentile(running, 99), "ms", options.Storage),
                new(Name, $"run created to first line in a container p50 ({runs} runs)", Stats.Median(firstLine), "ms", options.Storage),
                new(Name, "run created to first line in a container p99", Stats.Percentile(firstLine, 99), "ms", options.Storage),
            ];
        }
        finally
        {
            ReeveSdk.UseNoServer();
            using var docker = DockerEngine.Connect();
            await docker.Images.DeleteImageAsync(image, new Docker.DotNet.Models.ImageDeleteParameters { Force = true });
        }
    }
}
