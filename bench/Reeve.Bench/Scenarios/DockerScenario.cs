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
/// A docker pool end to end: a flow deployed with an image built at deploy time (kept on the engine, not pushed),
/// a real <c>reeve worker start</c> for the pool, and runs created one after the other. The figure is from the run's
/// creation to its first line in the container (the image is present, so nothing is pulled). Needs a Docker engine
/// (<c>DOCKER_HOST</c>) and, where nothing can be pulled, <c>REEVE_DEFAULT_DOCKER_BASE_IMAGE</c> naming a local base
/// (eng/docker/build-base-image.sh makes one); without an engine it says so and gives no figure.
/// </summary>
internal sealed class DockerScenario : IScenario
{
    public string Name => "e2e-docker";

    public string Description => "docker worker: deployment run to the flow's first line in a container, p50 / p99 over 20 runs (image present)";

    public async Task<IReadOnlyList<Measurement>> RunAsync(BenchOptions options)
    {
        if (options.Quick && !options.Scenarios.Contains(Name))
        {
            // Building the image is a self-contained publish (about 30 s): more than a quick run can spend.
            Console.WriteLine("  skipped in a quick run of every scenario (it builds an image); name it to run it: e2e-docker --quick");
            return [];
        }

        if (!await EngineAnswersAsync())
        {
            Console.WriteLine("  skipped: no Docker engine answers (start one with eng/docker/start-docker.sh DIR and set DOCKER_HOST)");
            return [];
        }

        var runs = options.Quick ? 3 : 20;
        await using var server = await ServerProcess.StartAsync(options.Storage);
        ReeveSdk.UseServer(server.ApiUrl);
        using var client = new ReeveClient(new ReeveClientOptions { ApiUrl = server.ApiUrl });
        const string pool = "bench-docker-pool";
        await client.CreateWorkPoolAsync(new WorkPoolCreate { Name = pool, Type = "docker" });
        var flow = Flow.DefineAll(typeof(DockerBenchFlow)).Single();
        var image = $"reeve-bench/docker-flow:{Guid.NewGuid().ToString("N")[..8]}";
        var deployment = await flow.DeployAsync("in-image", pool, new DeployOptions
        {
            Image = new DeploymentImage(image) { Push = false },
            JobVariables = new { auto_remove = true },
            Output = TextWriter.Null,
        });

        using var worker = WorkerScenario.StartWorker(server.ApiUrl, pool);
        try
        {
            var toFirstLine = await ToFirstLineAsync(worker, client, deployment.Id, runs);
            return
            [
                new(Name, $"run to first line in a container p50 ({runs} runs)", Stats.Median(toFirstLine), "ms", options.Storage),
                new(Name, "run to first line in a container p99", Stats.Percentile(toFirstLine, 99), "ms", options.Storage),
            ];
        }
        finally
        {
            worker.Kill(entireProcessTree: true);
            await worker.WaitForExitAsync();
            ReeveSdk.UseNoServer();
            using var docker = DockerEngine.Connect();
            await docker.Images.DeleteImageAsync(image, new Docker.DotNet.Models.ImageDeleteParameters { Force = true });
        }
    }

    /// <summary>
    /// Once the worker has started: runs of the deployment one after the other (one to warm up, then
    /// <paramref name="runs"/>), each from its creation to the bench flow's first line in its logs, in ms.
    /// </summary>
    internal static async Task<List<double>> ToFirstLineAsync(System.Diagnostics.Process worker, ReeveClient client, Guid deploymentId, int runs)
    {
        await WorkerScenario.WaitForLineAsync(worker, "started!");
        var toFirstLine = new List<double>();
        for (var i = 0; i < 1 + runs; i++)
        {
            var created = TimeProvider.System.GetUtcNow();
            var run = await client.CreateFlowRunFromDeploymentAsync(deploymentId);
            var ended = await WorkerScenario.WaitForEndAsync(client, run.Id);
            if (ended.StateType != StateType.Completed)
            {
                throw new InvalidOperationException($"Bench run {run.Name} ended {ended.StateType}: {ended.State?.Message}");
            }

            var logs = await client.FilterLogsAsync(new LogFilterRequest { Logs = new() { FlowRunId = new() { Any = [run.Id] } } });
            var firstLine = logs.First(l => l.Message.Contains(DockerBenchFlow.FirstLine, StringComparison.Ordinal)).Timestamp;
            if (i > 0)
            {
                toFirstLine.Add((firstLine - created).TotalMilliseconds);
            }
        }

        return toFirstLine;
    }

    internal static async Task<bool> EngineAnswersAsync()
    {
        try
        {
            using var docker = DockerEngine.Connect();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await docker.System.PingAsync(timeout.Token);
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or System.Net.Sockets.SocketException or Docker.DotNet.DockerApiException)
        {
            return false;
        }
    }
}
