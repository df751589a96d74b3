using Docker.DotNet;
using Docker.DotNet.Models;
using Reeve.Workers.Docker;

namespace Reeve.Tests.Workers;

/// <summary>
/// What the Docker suite shares: a server, a stand-in for the GitHub API on loopback (it cannot be reached here),
/// a docker pool, and — built once, by whichever test asks first — the RepoInfo example deployed to that pool with an
/// image built at deploy time and pushed to the registry on loopback. The engine and the registry are real
/// (eng/docker starts them); nothing is pulled from outside: images are built on a base made on this machine.
/// </summary>
public sealed class DockerFixture : IAsyncLifetime
{

    private readonly SemaphoreSlim _deploying = new(1, 1);
    private Deployed? _deployed;

    public sealed record Deployed(string Image, CliResult Output);

    public RunningServer Server { get; private set; } = null!;

    public LoopbackHttpServer GitHub { get; private set; } = null!;

    public string Pool { get; } = Names.Unique("docker");

    public DockerClient Docker { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        if (TestEnvironment.DockerHost is null)
        {
            return;
        }

        Docker = DockerEngine.Connect(TestEnvironment.DockerHost);
        Server = await RunningServer.StartAsync(TestStorage.Sqlite, realClock: true);
        GitHub = await LoopbackHttpServer.StartAsync();
        GitHub.MapJson("/repos/PrefectHQ/prefect", WorkerFixture.RepositoryJson);
        GitHub.MapHang("/repos/slow/hangs");
        var created = await Cli().RunAsync("work-pool", "create", Pool, "--type", "docker");
        Assert.True(created.ExitCode == 0, created.ToString());
    }

    /// <summary>A <c>reeve</c> command against the server and the test engine, with fast heartbeats.</summary>
    public CliProcess Cli()
    {
        var cli = new CliProcess(Server.ApiUrl);
        cli.Environment["DOCKER_HOST"] = TestEnvironment.DockerHost;

        // Registry logins (docker login's config) go to the command's own folder, never the machine's ~/.docker.
        cli.Environment["DOCKER_CONFIG"] = Path.Combine(cli.Home, "docker");
        cli.Environment["REEVE_WORKER_HEARTBEAT_SECONDS"] = "1";
        cli.Environment["REEVE_FLOW_RUN_HEARTBEAT_SECONDS"] = "1";
        return cli;
    }

    /// <summary>The example deployed with its image (<c>dotnet run -- deploy-image POOL IMAGE</c>), once.</summary>
    public async Task<Deployed> DeployAsync()
    {
        await _deploying.WaitAsync();
        try
        {
            if (_deployed is null)
            {
                var image = $"{TestEnvironment.Registry}/repo-info:{Guid.NewGuid().ToString("N")[..12]}";
                var example = CliProcess.ForApp("RepoInfo", Server.ApiUrl);
                example.Environment["DOCKER_HOST"] = TestEnvironment.DockerHost;
                example.Environment["REEVE_DEFAULT_DOCKER_BASE_IMAGE"] = TestEnvironment.DockerBaseImage;
                example.Timeout = TimeSpan.FromMinutes(5);
                var output = await example.RunAsync("deploy-image", Pool, image);
                Assert.True(output.ExitCode == 0, output.ToString());
                _deployed = new Deployed(image, output);
            }

            return _deployed;
        }
        finally
        {
            _deploying.Release();
        }
    }

    /// <summary>The containers, running or not, of flow run <paramref name="runId"/> (by the label the worker puts on them).</summary>
    public async Task<IList<ContainerListResponse>> ContainersOfAsync(Guid runId) =>
        await Docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"io.reeve.flow-run-id={runId}"] = true } },
        });

    public async ValueTask DisposeAsync()
    {
        if (TestEnvironment.DockerHost is null)
        {
            return;
        }

        if (_deployed is not null)
        {
            try
            {
                await Docker.Images.DeleteImageAsync(_deployed.Image, new ImageDeleteParameters { Force = true });
            }
            catch (DockerImageNotFoundException)
            {
                // A test removed it already.
            }
        }

        Docker.Dispose();
        await GitHub.DisposeAsync();
        await Server.DisposeAsync();
        _deploying.Dispose();
    }
}
