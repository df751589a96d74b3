using System.Text.Json.Nodes;
using Docker.DotNet;
using Docker.DotNet.Models;
using k8s;
using k8s.Models;
using Reeve.Core.Deployments;
using Reeve.Core.PoolTypes;
using Reeve.Core.WorkPools;
using Reeve.Testing.Kubernetes;
using Reeve.Workers.Docker;

namespace Reeve.Tests.Workers;

/// <summary>
/// What the Kubernetes suite shares: a real API server (eng/kubernetes builds it from Debian's source package and
/// starts it with etcd, the controller manager and the scheduler), one node played by <see cref="NodeAgent"/> — a
/// STAND-IN FOR THE KUBELET, which this machine lacks — running pods as containers on the private Docker engine, a
/// Reeve server with an API key, a namespace of its own, a kubernetes pool whose Jobs go there, and the RepoInfo
/// example deployed to that pool by <c>reeve deploy --image</c>, its image built at deploy time and pushed to the
/// registry on loopback.
/// </summary>
public sealed class KubernetesFixture : IAsyncLifetime
{
    public const string ApiKey = "kubernetes-suite-key";
    private readonly SemaphoreSlim _deploying = new(1, 1);
    private string? _image;

    public RunningServer Server { get; private set; } = null!;

    public LoopbackHttpServer GitHub { get; private set; } = null!;

    public IKubernetes Kube { get; private set; } = null!;

    public DockerClient Docker { get; private set; } = null!;

    public NodeAgent Node { get; private set; } = null!;

    public string Namespace { get; } = Names.Unique("reeve").ToLowerInvariant().Replace('_', '-');

    public string Pool { get; } = Names.Unique("k8s");

    public async ValueTask InitializeAsync()
    {
        if (TestEnvironment.Kubeconfig is null || TestEnvironment.DockerHost is null)
        {
            return;
        }

        Kube = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(TestEnvironment.Kubeconfig));
        Docker = DockerEngine.Connect(TestEnvironment.DockerHost);
        Node = await NodeAgent.StartAsync(Kube, Docker, Names.Unique("node").ToLowerInvariant().Replace('_', '-'));
        await Kube.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Namespace } });
        Server = await RunningServer.StartAsync(TestStorage.Sqlite, apiKey: ApiKey, realClock: true);
        GitHub = await LoopbackHttpServer.StartAsync();
        GitHub.MapJson("/repos/PrefectHQ/prefect", WorkerFixture.RepositoryJson);
        GitHub.MapSlowJson("/repos/slow/answers", WorkerFixture.RepositoryJson, TimeSpan.FromSeconds(8));
        GitHub.MapHang("/repos/slow/hangs");
        await CreatePoolAsync(Pool);
    }

    /// <summary>A kubernetes (or kubernetes:push) pool whose Jobs go to the suite's namespace, and that gives up on a pod that has not started after 20 s.</summary>
    public async Task CreatePoolAsync(string name, string type = "kubernetes")
    {
        var template = (JsonObject)PoolTypeCatalog.Find(type)!.DefaultBaseJobTemplate.DeepClone();
        template["variables"]!["properties"]!["namespace"]!["default"] = Namespace;
        template["variables"]!["properties"]!["pod_watch_timeout_seconds"]!["default"] = 20;
        template["variables"]!["properties"]!["finished_job_ttl"]!["default"] = 600;
        await Server.Client.CreateWorkPoolAsync(new WorkPoolCreate { Name = name, Type = type, BaseJobTemplate = template });
    }

    /// <summary>A <c>reeve</c> command against the server, as the given Kubernetes user, with fast heartbeats.</summary>
    public CliProcess Cli(string? kubeconfig = null)
    {
        var cli = new CliProcess(Server.ApiUrl);
        cli.Environment["REEVE_API_KEY"] = ApiKey;
        cli.Environment["KUBECONFIG"] = kubeconfig ?? TestEnvironment.Kubeconfig;
        cli.Environment["REEVE_WORKER_HEARTBEAT_SECONDS"] = "1";
        cli.Environment["REEVE_FLOW_RUN_HEARTBEAT_SECONDS"] = "1";
        cli.Environment["REEVE_WORKER_KILL_GRACE_SECONDS"] = "5";
        return cli;
    }

    /// <summary>
    /// The example deployed to the suite's pool as a user would from its folder, once:
    /// <c>reeve deploy RepoInfo.csproj:... --pool POOL --image IMAGE</c> builds the image and pushes it to the registry.
    /// </summary>
    public async Task<string> DeployAsync()
    {
        await _deploying.WaitAsync();
        try
        {
            if (_image is null)
            {
                var image = $"{TestEnvironment.Registry}/repo-info:{Guid.NewGuid().ToString("N")[..12]}";
                var cli = Cli();
                cli.Environment["DOCKER_HOST"] = TestEnvironment.DockerHost;
                cli.Environment["REEVE_DEFAULT_DOCKER_BASE_IMAGE"] = TestEnvironment.DockerBaseImage;
                cli.Timeout = TimeSpan.FromMinutes(5);
                CliResult output;
                using (await HeavyBuildGate.EnterAsync())
                {
                    output = await cli.RunAsync("deploy", "RepoInfo.csproj:RepoInfo.RepoInfoFlows.GetRepoInfo", "--name", Deployment, "--pool", Pool,
                        "--source", Path.Combine(RepositoryRoot(), "examples", "RepoInfo"), "--image", image);
                }

                Assert.True(output.ExitCode == 0, output.ToString());
                Assert.Contains($"Pushed image {image}.", output.Out, StringComparison.Ordinal);
                _image = image;
            }

            return _image;
        }
        finally
        {
            _deploying.Release();
        }
    }

    /// <summary>The name of the suite's deployment of the example.</summary>
    public const string Deployment = "my-k8s-deployment";

    /// <summary>The clone's root folder (it holds examples/ and deploy/).</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, "deploy", "kubernetes")) && Directory.Exists(Path.Combine(dir.FullName, "examples")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (with deploy/kubernetes and examples) was not found above the test's folder.");
    }

    /// <summary>The deployed example, for runs of <paramref name="pool"/> (a copy of the deployment on that pool when it is another).</summary>
    public async Task<Guid> DeploymentAsync(string? pool = null)
    {
        await DeployAsync();
        var deployment = await Server.Client.ReadDeploymentByNameAsync("get-repo-info", Deployment);
        if (pool is null || pool == Pool)
        {
            return deployment.Id;
        }

        var copy = await Server.Client.CreateDeploymentAsync(new DeploymentCreate
        {
            Name = $"on-{pool}",
            FlowId = deployment.FlowId,
            Entrypoint = deployment.Entrypoint,
            PullSteps = deployment.PullSteps,
            JobVariables = deployment.JobVariables,
            ParameterOpenapiSchema = deployment.ParameterOpenapiSchema,
            WorkPoolName = pool,
        });
        return copy.Id;
    }

    /// <summary>A run of the example with the stand-in GitHub API (and <paramref name="repository"/>, when given).</summary>
    public async Task<Guid> CreateRunAsync(JsonObject? jobVariables = null, string? repository = null, string? pool = null)
    {
        jobVariables ??= [];
        jobVariables["env"] = new JsonObject { ["GITHUB_API_URL"] = GitHub.Url };
        var run = await Server.Client.CreateFlowRunFromDeploymentAsync(await DeploymentAsync(pool), new DeploymentFlowRunCreate
        {
            JobVariables = jobVariables,
            Parameters = repository is null ? [] : new JsonObject { ["repoName"] = repository },
        });
        return run.Id;
    }

    /// <summary>The Jobs and the pods of flow run <paramref name="runId"/> left in the cluster.</summary>
    public async Task<(IList<V1Job> Jobs, IList<V1Pod> Pods)> LeftOfAsync(Guid runId)
    {
        var selector = $"io.reeve.flow-run-id={runId}";
        var jobs = await Kube.BatchV1.ListNamespacedJobAsync(Namespace, labelSelector: selector);
        var pods = await Kube.CoreV1.ListNamespacedPodAsync(Namespace, labelSelector: selector);
        return (jobs.Items, pods.Items);
    }

    /// <summary>Waits (on the pods' watch, a second at most between looks) until nothing of the run is left in the cluster: foreground deletion takes a moment.</summary>
    public async Task<(IList<V1Job> Jobs, IList<V1Pod> Pods)> WaitUntilGoneAsync(Guid runId, TimeSpan limit)
    {
        using var deadline = new CancellationTokenSource(limit);
        while (true)
        {
            var selector = $"io.reeve.flow-run-id={runId}";
            var jobs = await Kube.BatchV1.ListNamespacedJobAsync(Namespace, labelSelector: selector);
            var pods = await Kube.CoreV1.ListNamespacedPodAsync(Namespace, labelSelector: selector);
            if ((jobs.Items.Count == 0 && pods.Items.Count == 0) || deadline.IsCancellationRequested)
            {
                return (jobs.Items, pods.Items);
            }

            using var change = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
            change.CancelAfter(TimeSpan.FromSeconds(1));
            try
            {
                await foreach (var _ in Kube.CoreV1.WatchListNamespacedPodAsync(Namespace, labelSelector: selector,
                    resourceVersion: pods.Metadata.ResourceVersion, cancellationToken: change.Token))
                {
                    break;
                }
            }
            catch (OperationCanceledException)
            {
                // No change within the second: look again.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (TestEnvironment.Kubeconfig is null || TestEnvironment.DockerHost is null)
        {
            return;
        }

        await Node.DisposeAsync();
        try
        {
            await Kube.CoreV1.DeleteNamespaceAsync(Namespace);
        }
        catch (k8s.Autorest.HttpOperationException)
        {
            // The namespace controller removes what is left.
        }

        if (_image is not null)
        {
            try
            {
                await Docker.Images.DeleteImageAsync(_image, new ImageDeleteParameters { Force = true });
            }
            catch (DockerImageNotFoundException)
            {
                // Removed already.
            }
        }

        Kube.Dispose();
        Docker.Dispose();
        await GitHub.DisposeAsync();
        await Server.DisposeAsync();
        _deploying.Dispose();
    }
}
