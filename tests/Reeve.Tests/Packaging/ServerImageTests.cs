using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Docker.DotNet;
using Docker.DotNet.Models;
using Reeve.Client;
using Reeve.Core.WorkPools;
using Reeve.Tests.Workers;
using Reeve.Workers.Docker;

namespace Reeve.Tests.Packaging;

/// <summary>
/// The server image (deploy/docker/Dockerfile), built once by eng/image/build-server-image.sh on the private Docker
/// engine from the suite's base image (nothing can be pulled here), then run for real: host networking on a free
/// loopback port, REEVE_HOME a named volume.
/// </summary>
public sealed class ServerImageFixture : IAsyncLifetime
{
    public string Image { get; } = $"reeve-test/server:{Guid.NewGuid().ToString("N")[..8]}";

    public DockerClient Docker { get; private set; } = null!;

    public string? BuildOutput { get; private set; }

    public async ValueTask InitializeAsync()
    {
        if (TestEnvironment.DockerHost is null || TestEnvironment.DockerBaseImage is null)
        {
            return;
        }

        Docker = DockerEngine.Connect(TestEnvironment.DockerHost);
        var script = Path.Combine(KubernetesFixture.RepositoryRoot(), "eng", "image", "build-server-image.sh");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(Image);
        start.ArgumentList.Add(TestEnvironment.DockerBaseImage);
        start.Environment["DOCKER_HOST"] = TestEnvironment.DockerHost;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);
        BuildOutput = $"exit {process.ExitCode}\n{await output}\n{await error}";
        Assert.True(process.ExitCode == 0, BuildOutput);
    }

    public async ValueTask DisposeAsync()
    {
        if (TestEnvironment.DockerHost is null || Docker is null)
        {
            return;
        }

        try
        {
            await Docker.Images.DeleteImageAsync(Image, new ImageDeleteParameters { Force = true });
        }
        catch (DockerImageNotFoundException)
        {
            // Never built.
        }

        Docker.Dispose();
    }
}

public sealed class ServerImageTests(ServerImageFixture fixture) : IClassFixture<ServerImageFixture>
{
    [Fact]
    public async Task TheServerImage_ServesHealth_AsANonRootUser_AndKeepsItsSqliteDataAcrossARestart()
    {
        TestEnvironment.RequireDocker();
        var volume = $"reeve-test-{Guid.NewGuid().ToString("N")[..8]}";
        await using var container = await ServerContainer.StartAsync(fixture, [], [$"{volume}:/data"]);
        try
        {
            using var client = container.Client();
            await container.WaitHealthyAsync();
            await client.CreateWorkPoolAsync(new WorkPoolCreate { Name = "kept", Type = "process" });

            var inspected = await fixture.Docker.Containers.InspectContainerAsync(container.Id);
            Assert.Equal("10001:10001", inspected.Config?.User);
            Assert.Equal("healthy", inspected.State?.Health?.Status);

            await fixture.Docker.Containers.RestartContainerAsync(container.Id, new ContainerRestartParameters { WaitBeforeKillSeconds = 10 });
            await container.WaitHealthyAsync();
            Assert.Equal("process", (await client.ReadWorkPoolAsync("kept")).Type);
        }
        finally
        {
            await container.DisposeAsync();
            await fixture.Docker.Volumes.RemoveAsync(volume, force: true);
        }
    }

    [Fact]
    public async Task TheServerImage_RunsOnPostgreSql_FromReeveDatabaseUrl()
    {
        TestEnvironment.RequireDocker();
        await using var database = await TestDatabase.CreateAsync(TestStorage.Postgres);
        await using var container = await ServerContainer.StartAsync(fixture, [$"REEVE_DATABASE_URL={database.Options.ConnectionString}"], []);
        using var client = container.Client();
        await container.WaitHealthyAsync();

        await client.CreateWorkPoolAsync(new WorkPoolCreate { Name = "on-postgres", Type = "process" });

        var logs = await container.LogsAsync();
        Assert.Contains("Storage:  PostgreSQL", logs, StringComparison.Ordinal);
        Assert.Equal("on-postgres", (await client.ReadWorkPoolAsync("on-postgres")).Name);
    }

    /// <summary>One container of the server image on host networking, on a free loopback port.</summary>
    private sealed class ServerContainer : IAsyncDisposable
    {
        private readonly ServerImageFixture _fixture;

        private ServerContainer(ServerImageFixture fixture, string id, int port)
        {
            _fixture = fixture;
            Id = id;
            ApiUrl = $"http://127.0.0.1:{port}/api";
        }

        public string Id { get; }

        public string ApiUrl { get; }

        public static async Task<ServerContainer> StartAsync(ServerImageFixture fixture, IList<string> env, IList<string> binds)
        {
            var port = FreePort();
            var created = await fixture.Docker.Containers.CreateContainerAsync(new CreateContainerParameters
            {
                Image = fixture.Image,
                Cmd = ["server", "start", "--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)],
                Env = [.. env, $"REEVE_API_URL=http://127.0.0.1:{port}/api"],
                HostConfig = new HostConfig { NetworkMode = "host", Binds = binds },
            });
            await fixture.Docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
            return new ServerContainer(fixture, created.ID, port);
        }

        public ReeveClient Client() => new(new ReeveClientOptions { ApiUrl = ApiUrl });

        /// <summary>Waits until the engine's HEALTHCHECK (reeve server health) reports healthy: the server answers.</summary>
        public async Task WaitHealthyAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var events = new Progress<Message>();
            var healthy = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            events.ProgressChanged += (_, message) =>
            {
                if (message.Action?.Contains("health_status: healthy", StringComparison.Ordinal) == true)
                {
                    healthy.TrySetResult();
                }
            };
            var watching = _fixture.Docker.System.MonitorEventsAsync(new ContainerEventsParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["container"] = new Dictionary<string, bool> { [Id] = true } },
            }, events, timeout.Token);
            var state = (await _fixture.Docker.Containers.InspectContainerAsync(Id, timeout.Token)).State;
            if (state?.Health?.Status == "healthy")
            {
                healthy.TrySetResult();
            }

            try
            {
                await healthy.Task.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"The server container never became healthy.\n{await LogsAsync()}");
            }
            finally
            {
                await timeout.CancelAsync();
                await watching.ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        public async Task<string> LogsAsync()
        {
            using var stream = await _fixture.Docker.Containers.GetContainerLogsAsync(Id, new ContainerLogsParameters { ShowStdout = true, ShowStderr = true });
            var (stdout, stderr) = await stream.ReadOutputToEndAsync(CancellationToken.None);
            return stdout + stderr;
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await _fixture.Docker.Containers.RemoveContainerAsync(Id, new ContainerRemoveParameters { Force = true });
            }
            catch (DockerContainerNotFoundException)
            {
                // Removed already.
            }
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
