using k8s;
using k8s.Models;
using Reeve.Bench.DockerFlow;
using Reeve.Client;
using Reeve.Core.PoolTypes;
using Reeve.Core.WorkPools;
using Reeve.Deployments;
using Reeve.Flows;
using Reeve.Testing.Kubernetes;
using Reeve.Workers.Docker;

namespace Reeve.Bench.Scenarios;

/// <summary>
/// A kubernetes pool end to end: a flow deployed with an image built at deploy time (kept on the engine), a real
/// <c>reeve worker start</c> for the pool, and runs created one after the other, each a Job on a real API server.
/// The figure is from the run's creation to its first line in the pod. The cluster is the one
/// <c>REEVE_BENCH_KUBECONFIG</c> names (eng/kubernetes/start.sh starts one on loopback); its only node is the test
/// suite's node agent, a STAND-IN FOR THE KUBELET that runs pods on the Docker engine (<c>DOCKER_HOST</c>).
/// Without both it says so and gives no figure.
/// </summary>
internal sealed class KubernetesScenario : IScenario
{
    public string Name => "e2e-kubernetes";

    public string Description => "kubernetes worker: deployment run to the flow's first line in a Job's pod, p50 / p99 over 20 runs (image present)";

    public async Task<IReadOnlyList<Measurement>> RunAsync(BenchOptions options)
    {
        if (options.Quick && !options.Scenarios.Contains(Name))
        {
            Console.WriteLine("  skipped in a quick run of every scenario (it builds an image); name it to run it: e2e-kubernetes --quick");
            return [];
        }

        var kubeconfig = Environment.GetEnvironmentVariable("REEVE_BENCH_KUBECONFIG");
        if (kubeconfig is not { Length: > 0 } || Environment.GetEnvironmentVariable("DOCKER_HOST") is not { Length: > 0 })
        {
            Console.WriteLine("  skipped: set REEVE_BENCH_KUBECONFIG (eng/kubernetes/start.sh DIR writes DIR/admin.kubeconfig) and DOCKER_HOST (eng/docker/start-docker.sh)");
            return [];
        }

        var runs = options.Quick ? 3 : 20;
        using var kube = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
        using var docker = DockerEngine.Connect();
        var ns = $"reeve-bench-{Guid.NewGuid().ToString("N")[..8]}";
        await kube.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
        await using var node = await NodeAgent.StartAsync(kube, docker, $"bench-node-{Guid.NewGuid().ToString("N")[..8]}");
        await using var server = await ServerProcess.StartAsync(options.Storage);
        ReeveSdk.UseServer(server.ApiUrl);
        using var client = new ReeveClient(new ReeveClientOptions { ApiUrl = server.ApiUrl });
        const string pool = "bench-kubernetes-pool";
        var template = (System.Text.Json.Nodes.JsonObject)PoolTypeCatalog.Find("kubernetes")!.DefaultBaseJobTemplate.DeepClone();
        template["variables"]!["properties"]!["namespace"]!["default"] = ns;
        await client.CreateWorkPoolAsync(new WorkPoolCreate { Name = pool, Type = "kubernetes", BaseJobTemplate = template });
        var flow = Flow.DefineAll(typeof(DockerBenchFlow)).Single();
        var image = $"reeve-bench/kubernetes-flow:{Guid.NewGuid().ToString("N")[..8]}";
        var deployment = await flow.DeployAsync("in-a-job", pool, new DeployOptions
        {
            Image = new DeploymentImage(image) { Push = false },
            Output = TextWriter.Null,
        });

        Environment.SetEnvironmentVariable("KUBECONFIG", kubeconfig);
        using var worker = WorkerScenario.StartWorker(server.ApiUrl, pool);
        try
        {
            var toFirstLine = await DockerScenario.ToFirstLineAsync(worker, client, deployment.Id, runs);
            return
            [
                new(Name, $"run to first line in a Job's pod p50 ({runs} runs)", Stats.Median(toFirstLine), "ms", options.Storage),
                new(Name, "run to first line in a Job's pod p99", Stats.Percentile(toFirstLine, 99), "ms", options.Storage),
            ];
        }
        finally
        {
            worker.Kill(entireProcessTree: true);
            await worker.WaitForExitAsync();
            ReeveSdk.UseNoServer();
            try
            {
                await kube.CoreV1.DeleteNamespaceAsync(ns);
            }
            catch (k8s.Autorest.HttpOperationException)
            {
                // The namespace controller removes what is left.
            }

            await docker.Images.DeleteImageAsync(image, new Docker.DotNet.Models.ImageDeleteParameters { Force = true });
        }
    }
}
