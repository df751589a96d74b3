using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Reeve.Client;
using Reeve.Core.Deployments;
using Reeve.Core.FlowRuns;
using Reeve.Core.Logs;
using Reeve.Core.States;
using Reeve.Core.WorkPools;
using Reeve.Workers;
using Reeve.Workers.Docker;
using Reeve.Workers.Infrastructure;

namespace Reeve.Tests.Workers;

/// <summary>
/// A <c>docker:push</c> pool: the server's own worker (<see cref="ServerPools"/>, as <c>reeve server start</c> composes
/// it) submits its runs to the real Docker engine, with no worker started; a restart of that worker leaves a run in
/// flight running, submitted once; a run that cannot start says why.
/// </summary>
public sealed class DockerPushPoolTests(DockerFixture fixture) : IClassFixture<DockerFixture>
{
    private ServerPools Dispatcher(string? journal = null, TextWriter? output = null, int heartbeatSeconds = 1) =>
        new(new ReeveClientOptions { ApiUrl = fixture.Server.ApiUrl }, new ServerPoolsOptions
    {
        Infrastructure = type => type == "docker"
            ? new DockerInfrastructure(new DockerInfrastructureOptions
            {
                DockerHost = TestEnvironment.DockerHost,
                RunEnvironment = run => new Dictionary<string, string>
                {
                    ["REEVE_API_URL"] = fixture.Server.ApiUrl,
                    ["REEVE_FLOW_RUN_ID"] = run.Id.ToString(),
                    ["REEVE_FLOW_RUN_HEARTBEAT_SECONDS"] = heartbeatSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                },
                Output = TextWriter.Null,
                Error = TextWriter.Null,
            })
            : null,
        Rescan = TimeSpan.FromMilliseconds(200),
        HeartbeatInterval = TimeSpan.FromSeconds(1),
        JournalFolder = journal,
        Output = output ?? TextWriter.Null,
    });

    /// <summary>A push pool, and the suite's deployment of the example (its image) copied onto it.</summary>
    private async Task<(string Pool, Guid Deployment)> PushPoolAsync()
    {
        await fixture.DeployAsync();
        var pool = Names.Unique("docker-push");
        await fixture.Server.Client.CreateWorkPoolAsync(new WorkPoolCreate { Name = pool, Type = "docker:push" });
        var deployed = await fixture.Server.Client.ReadDeploymentByNameAsync("get-repo-info", "my-docker-deployment");
        var copy = await fixture.Server.Client.CreateDeploymentAsync(new DeploymentCreate
        {
            Name = $"on-{pool}",
            FlowId = deployed.FlowId,
            Entrypoint = deployed.Entrypoint,
            PullSteps = deployed.PullSteps,
            JobVariables = deployed.JobVariables,
            ParameterOpenapiSchema = deployed.ParameterOpenapiSchema,
            WorkPoolName = pool,
        });
        return (pool, copy.Id);
    }

    private async Task<Guid> RunAsync(Guid deployment, JsonObject? parameters = null, JsonObject? jobVariables = null)
    {
        jobVariables ??= new JsonObject { ["auto_remove"] = true };
        jobVariables["env"] = new JsonObject { ["GITHUB_API_URL"] = fixture.GitHub.Url };
        return (await fixture.Server.Client.CreateFlowRunFromDeploymentAsync(deployment, new DeploymentFlowRunCreate
        {
            JobVariables = jobVariables,
            Parameters = parameters ?? [],
        })).Id;
    }

    [Fact]
    public async Task ARunOfADockerPushPool_IsSubmittedByTheServer_AndCompletesInAContainer_WithNoWorkerStarted()
    {
        TestEnvironment.RequireDocker();
        var (pool, deployment) = await PushPoolAsync();
        await using var dispatcher = Dispatcher();

        var run = await RunAsync(deployment);
        var ended = await fixture.Server.Client.WaitForEndAsync(run, TimeSpan.FromMinutes(2));

        Assert.True(ended.StateType == StateType.Completed, $"{ended.StateName}: {ended.State?.Message}");
        Assert.Equal(64, ended.InfrastructurePid?.Length);
        var logs = await fixture.Server.Client.FilterLogsAsync(new LogFilterRequest { Logs = new() { FlowRunId = new() { Any = [run] } } });
        Assert.Contains(logs, l => l.Message == "Stars 🌠 : 17234");
        var workers = await fixture.Server.Client.FilterWorkersAsync(pool);
        Assert.StartsWith("Reeve push worker", Assert.Single(workers).Name, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RestartingTheServersWorker_WhileARunIsInFlight_LeavesItRunning_SubmittedOnce_AndCancellable()
    {
        TestEnvironment.RequireDocker();
        var (_, deployment) = await PushPoolAsync();
        Guid run;
        await using (var first = Dispatcher())
        {
            // The stand-in never answers for this repository: the run stays RUNNING until it is cancelled.
            run = await RunAsync(deployment, new JsonObject { ["repoName"] = "slow/hangs" });
            await fixture.Server.Client.WaitForStateAsync(run, StateType.Running, TimeSpan.FromMinutes(2));
        }

        await using var second = Dispatcher();
        var other = await RunAsync(deployment);
        Assert.Equal(StateType.Completed, (await fixture.Server.Client.WaitForEndAsync(other, TimeSpan.FromMinutes(2))).StateType);

        Assert.Equal(StateType.Running, (await fixture.Server.Client.ReadFlowRunAsync(run)).StateType);
        Assert.Single(await fixture.ContainersOfAsync(run));

        // The engine in the container learns of the cancellation itself: no worker holds this run any more.
        await fixture.Server.Client.SetFlowRunStateAsync(run, new StateCreate { Type = StateType.Cancelling });
        var ended = await fixture.Server.Client.WaitForEndAsync(run, TimeSpan.FromMinutes(1));
        Assert.Equal(StateType.Cancelled, ended.StateType);
    }

    [Fact]
    public async Task RestartingTheServersWorkerWithItsJournal_TakesBackARunInFlight_AndReportsHowItsContainerEnds()
    {
        TestEnvironment.RequireDocker();
        var (_, deployment) = await PushPoolAsync();
        var journal = Directory.CreateTempSubdirectory("reeve-push-journal-").FullName;
        Guid run;
        await using (var first = Dispatcher(journal))
        {
            run = await RunAsync(deployment, new JsonObject { ["repoName"] = "slow/hangs" }, new JsonObject { ["auto_remove"] = false });
            await fixture.Server.Client.WaitForStateAsync(run, StateType.Running, TimeSpan.FromMinutes(2));
        }

        var output = new SignallingWriter(" again");
        await using var second = Dispatcher(journal, output);
        await output.Said.WaitAsync(TimeSpan.FromMinutes(1));
        var container = Assert.Single(await fixture.ContainersOfAsync(run));

        // Killed outside Reeve: the engine in it reports nothing; the worker that took the run back says how it ended,
        // rather than the foreman finding it silent.
        await fixture.Docker.Containers.KillContainerAsync(container.ID, new global::Docker.DotNet.Models.ContainerKillParameters { Signal = "SIGKILL" });
        var ended = await fixture.Server.Client.WaitForEndAsync(run, TimeSpan.FromMinutes(1));

        Assert.Equal(StateType.Crashed, ended.StateType);
        Assert.Contains("killed by signal 9 (SIGKILL)", ended.State!.Message, StringComparison.Ordinal);
        Assert.Equal(container.ID, ended.InfrastructurePid);
        await WaitForJournalWithoutAsync(journal, run);
    }

    [Fact]
    public async Task ARunClaimedAndNeverSubmittedBeforeARestart_IsSubmittedOnce_WhenTheServersWorkerStartsAgain()
    {
        TestEnvironment.RequireDocker();
        var (pool, deployment) = await PushPoolAsync();
        var journal = Directory.CreateTempSubdirectory("reeve-push-journal-").FullName;
        var run = await RunAsync(deployment, jobVariables: new JsonObject { ["auto_remove"] = false });

        // What a server that stopped between the claim and the container's creation leaves behind: the run PENDING,
        // held by nobody, and in its worker's journal.
        var claimed = await fixture.Server.Client.ClaimRunsOfPoolAsync(pool, new WorkerClaimRequest { Limit = 10, HeartbeatIntervalSeconds = 30 });
        Assert.Equal(run, Assert.Single(claimed).FlowRun.Id);
        var poolId = (await fixture.Server.Client.ReadWorkPoolAsync(pool)).Id;
        await File.WriteAllTextAsync(Path.Combine(journal, $"{poolId}.runs"), $"{run}\nnot-an-id\n");

        await using var dispatcher = Dispatcher(journal);
        var ended = await fixture.Server.Client.WaitForEndAsync(run, TimeSpan.FromMinutes(2));

        Assert.True(ended.StateType == StateType.Completed, $"{ended.StateName}: {ended.State?.Message}");
        Assert.Single(await fixture.ContainersOfAsync(run));
        await WaitForJournalWithoutAsync(journal, run);
    }

    [Fact]
    public async Task ARunWhoseContainerWasRemovedWhileTheServerWasDown_EndsCrashed_SayingItsInfrastructureIsGone()
    {
        TestEnvironment.RequireDocker();
        var (_, deployment) = await PushPoolAsync();
        var journal = Directory.CreateTempSubdirectory("reeve-push-journal-").FullName;
        Guid run;
        await using (var first = Dispatcher(journal, heartbeatSeconds: 10))
        {
            run = await RunAsync(deployment, new JsonObject { ["repoName"] = "slow/hangs" }, new JsonObject { ["auto_remove"] = false });
            await fixture.Server.Client.WaitForStateAsync(run, StateType.Running, TimeSpan.FromMinutes(2));
        }

        foreach (var container in await fixture.ContainersOfAsync(run))
        {
            await fixture.Docker.Containers.RemoveContainerAsync(container.ID, new global::Docker.DotNet.Models.ContainerRemoveParameters { Force = true });
        }

        await using var second = Dispatcher(journal, heartbeatSeconds: 10);
        var ended = await fixture.Server.Client.WaitForEndAsync(run, TimeSpan.FromMinutes(1));

        Assert.Equal(StateType.Crashed, ended.StateType);
        Assert.Contains("was gone when the worker that submitted it took the run back", ended.State!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KillingTheServerProcess_WhileARunIsInFlight_ItsRestartTakesTheRunBack_AndReportsHowItsContainerEnds()
    {
        TestEnvironment.RequireDocker();
        await fixture.DeployAsync();
        var source = await fixture.Server.Client.ReadDeploymentByNameAsync("get-repo-info", "my-docker-deployment");
        var cli = fixture.Cli();
        var port = FreePort();
        using var client = new ReeveClient(new ReeveClientOptions { ApiUrl = $"http://127.0.0.1:{port}/api" });
        Guid run;
        using (var server = await ServerProcess.StartAsync(cli, port))
        {
            await client.CreateWorkPoolAsync(new WorkPoolCreate { Name = "docker-push", Type = "docker:push" });
            var flow = await client.CreateFlowAsync(new Core.Flows.FlowCreate { Name = "get-repo-info" });
            var deployment = await client.CreateDeploymentAsync(new DeploymentCreate
            {
                Name = "restarted",
                FlowId = flow.Id,
                Entrypoint = source.Entrypoint,
                PullSteps = source.PullSteps,
                JobVariables = source.JobVariables,
                ParameterOpenapiSchema = source.ParameterOpenapiSchema,
                WorkPoolName = "docker-push",
            });
            run = (await client.CreateFlowRunFromDeploymentAsync(deployment.Id, new DeploymentFlowRunCreate
            {
                Parameters = new JsonObject { ["repoName"] = "slow/hangs" },
                JobVariables = new JsonObject { ["auto_remove"] = false, ["env"] = new JsonObject { ["GITHUB_API_URL"] = fixture.GitHub.Url } },
            })).Id;
            await client.WaitForStateAsync(run, StateType.Running, TimeSpan.FromMinutes(2));
            server.Kill();
        }

        var container = Assert.Single(await fixture.ContainersOfAsync(run));
        Assert.Equal("running", container.State);

        using var restarted = await ServerProcess.StartAsync(cli, port);
        await restarted.SaidAsync(" again", TimeSpan.FromMinutes(1));
        var state = (await fixture.Docker.Containers.InspectContainerAsync(container.ID)).State;
        if (state is not { Running: true })
        {
            var now = await client.ReadFlowRunAsync(run);
            var lines = await client.FilterLogsAsync(new LogFilterRequest { Logs = new() { FlowRunId = new() { Any = [run] } } });
            Assert.Fail($"The container ended before the kill (exit code {state?.ExitCode}); the run is {now.StateName}: {now.State?.Message}\n"
                + $"{string.Join('\n', lines.Select(l => l.Message))}\n--- server ---\n{restarted.Output}");
        }

        await fixture.Docker.Containers.KillContainerAsync(container.ID, new global::Docker.DotNet.Models.ContainerKillParameters { Signal = "SIGKILL" });
        var ended = await client.WaitForEndAsync(run, TimeSpan.FromMinutes(1));

        Assert.Equal(StateType.Crashed, ended.StateType);
        Assert.Contains("killed by signal 9 (SIGKILL)", ended.State!.Message, StringComparison.Ordinal);
        Assert.Single(await fixture.ContainersOfAsync(run));
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A real <c>reeve server start</c> process on a given port, its output kept to wait on.</summary>
    private sealed class ServerProcess : IDisposable
    {
        private readonly System.Diagnostics.Process _process;
        private readonly SignallingWriter _output;

        private ServerProcess(System.Diagnostics.Process process, SignallingWriter output)
        {
            _process = process;
            _output = output;
        }

        public static async Task<ServerProcess> StartAsync(CliProcess cli, int port)
        {
            var output = new SignallingWriter("Reeve server listening on");
            var process = cli.Start(["server", "start", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--no-ui"]);
            var server = new ServerProcess(process, output);
            _ = Task.Run(async () =>
            {
                while (await process.StandardOutput.ReadLineAsync() is { } line)
                {
                    output.WriteLine(line);
                }
            });
            _ = process.StandardError.ReadToEndAsync();
            try
            {
                await output.Said.WaitAsync(TimeSpan.FromSeconds(90));
            }
            catch (TimeoutException)
            {
                server.Dispose();
                throw new InvalidOperationException($"The server did not start: {output}");
            }

            return server;
        }

        /// <summary>What the server wrote so far.</summary>
        public string Output => _output.ToString();

        /// <summary>Waits for a line holding <paramref name="text"/> in what the server wrote.</summary>
        public async Task SaidAsync(string text, TimeSpan timeout)
        {
            using var wait = new CancellationTokenSource(timeout);
            while (!_output.ToString().Contains(text, StringComparison.Ordinal))
            {
                await Task.Delay(50, wait.Token);
            }
        }

        /// <summary>kill -9: the process gets no chance to stop anything.</summary>
        public void Kill()
        {
            Signals.Send(_process.Id, Signals.SigKill);
            _process.WaitForExit();
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }

            _process.Dispose();
        }
    }

    /// <summary>The journal lets go of a run once its end is reported (the file is replaced whole, so it reads whole).</summary>
    private static async Task WaitForJournalWithoutAsync(string folder, Guid run)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (Directory.EnumerateFiles(folder, "*.runs").Any(f => File.ReadAllText(f).Contains(run.ToString(), StringComparison.Ordinal)))
        {
            await Task.Delay(50, timeout.Token);
        }
    }

    [Fact]
    public async Task ProvisioningADockerPushPool_StoresTheRegistryLogin_SetsTheBuildNamespace_AndItsRunsComplete()
    {
        TestEnvironment.RequireDocker();
        var deployed = await fixture.DeployAsync();
        var pool = Names.Unique("docker-provisioned");
        var cli = fixture.Cli();
        cli.Environment["REEVE_REGISTRY_PASSWORD"] = "registry-password-never-shown";
        var registry = $"{TestEnvironment.Registry}/team";

        var created = await cli.RunAsync("work-pool", "create", pool, "--type", "docker:push", "--provision-infra", "--yes",
            "--registry", registry, "--registry-username", "ci");

        Assert.True(created.ExitCode == 0, created.ToString());
        foreach (var line in new[] { "Docker engine", $"Created registry credentials {pool}-registry", $"Default Docker build namespace: {registry}",
            "Infrastructure successfully provisioned!", $"Created work pool '{pool}'!", "no worker is needed" })
        {
            Assert.Contains(line, created.Out, StringComparison.Ordinal);
        }

        Assert.Equal(registry, Client.ReeveSettings.ReadProfile(Client.ReeveSettings.ProfilePath(cli.Home))[Client.ReeveSettings.DefaultDockerBuildNamespaceKey]);
        var credentials = await fixture.Server.Http.PostJsonAsync("credentials/filter", "{}");
        Assert.Contains($"{pool}-registry", credentials.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("registry-password-never-shown", credentials.Text + created.Out + created.Error, StringComparison.Ordinal);
        var template = (await fixture.Server.Client.ReadWorkPoolAsync(pool)).BaseJobTemplate!;
        Assert.NotNull(template["variables"]!["properties"]!["registry_credentials"]!["default"]!["$ref"]);

        var again = await cli.RunAsync("work-pool", "create", pool, "--type", "docker:push", "--provision-infra", "--yes",
            "--registry", registry, "--registry-username", "ci");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains($"Registry credentials {pool}-registry exist", again.Out, StringComparison.Ordinal);

        // A run of the pool pulls with the stored login (the registry on loopback takes any).
        var on = await fixture.Server.Client.CreateDeploymentAsync(new DeploymentCreate
        {
            Name = $"on-{pool}",
            FlowId = (await fixture.Server.Client.ReadDeploymentByNameAsync("get-repo-info", "my-docker-deployment")).FlowId,
            Entrypoint = (await fixture.Server.Client.ReadDeploymentByNameAsync("get-repo-info", "my-docker-deployment")).Entrypoint,
            JobVariables = new JsonObject { ["image"] = deployed.Image },
            WorkPoolName = pool,
        });
        await using var dispatcher = Dispatcher();
        var run = await RunAsync(on.Id);
        var ended = await fixture.Server.Client.WaitForEndAsync(run, TimeSpan.FromMinutes(2));
        Assert.True(ended.StateType == StateType.Completed, $"{ended.StateName}: {ended.State?.Message}");
    }

    [Fact]
    public async Task ProvisioningWithAnEngineThatDoesNotAnswer_FailsInOneLine_AndCreatesNoPool()
    {
        TestEnvironment.RequireDocker();
        var pool = Names.Unique("docker-unreachable");
        var cli = fixture.Cli();
        cli.Environment["DOCKER_HOST"] = "unix:///nonexistent/docker.sock";

        var result = await cli.RunAsync("work-pool", "create", pool, "--type", "docker:push", "--provision-infra", "--yes");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("does not answer", result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Trim().Split('\n'));
        await Assert.ThrowsAsync<ReeveApiException>(() => fixture.Server.Client.ReadWorkPoolAsync(pool));
    }

    [Fact]
    public async Task ARunWhoseImageCannotBePulled_EndsCrashed_SayingWhy()
    {
        TestEnvironment.RequireDocker();
        var (_, deployment) = await PushPoolAsync();
        await using var dispatcher = Dispatcher();

        var image = $"{TestEnvironment.Registry}/no-such-image:{Guid.NewGuid().ToString("N")[..8]}";
        var run = await RunAsync(deployment, jobVariables: new JsonObject { ["image"] = image });
        var ended = await fixture.Server.Client.WaitForEndAsync(run, TimeSpan.FromMinutes(1));

        Assert.Equal(StateType.Crashed, ended.StateType);
        Assert.Contains("no-such-image", ended.State!.Message, StringComparison.Ordinal);
    }
}

/// <summary>
/// Two server replicas on one PostgreSQL database, each with its own server workers for one push pool: 40 runs,
/// each submitted exactly once. The infrastructure here is a counting stand-in (it records each submission and ends
/// the run as an engine would): what is tested is the claim between replicas, which is the same for every provider.
/// </summary>
public sealed class PushPoolReplicaTests
{
    [Fact]
    public async Task TwoReplicasOnOneDatabase_SubmitEachRunOfAPushPoolOnce()
    {
        TestEnvironment.RequirePostgres();
        await using var first = await RunningServer.StartAsync(TestStorage.Postgres, realClock: true);
        await using var second = await RunningServer.StartAsync(TestStorage.Postgres, realClock: true,
            configure: o => o with { Storage = first.Server.Options.Storage });
        var pool = Names.Unique("replicated");
        await first.Client.CreateWorkPoolAsync(new WorkPoolCreate { Name = pool, Type = "docker:push" });
        var deployment = await first.Client.DeploymentAsync(pool);
        var submissions = new ConcurrentDictionary<Guid, int>();
        await using var one = Dispatcher(first, submissions);
        await using var two = Dispatcher(second, submissions);

        var runs = new List<Guid>();
        for (var i = 0; i < 40; i++)
        {
            runs.Add((await (i % 2 == 0 ? first : second).Client.CreateFlowRunFromDeploymentAsync(deployment.Id, new DeploymentFlowRunCreate())).Id);
        }

        foreach (var run in runs)
        {
            Assert.Equal(StateType.Completed, (await first.Client.WaitForEndAsync(run, TimeSpan.FromMinutes(1))).StateType);
        }

        Assert.Equal(runs.Order(), submissions.Keys.Order());
        Assert.All(submissions, s => Assert.Equal(1, s.Value));
    }

    private static ServerPools Dispatcher(RunningServer server, ConcurrentDictionary<Guid, int> submissions) =>
        new(new ReeveClientOptions { ApiUrl = server.ApiUrl }, new ServerPoolsOptions
        {
            Infrastructure = type => type == "docker" ? new CountingInfrastructure(server.Client, submissions) : null,
            Rescan = TimeSpan.FromMilliseconds(200),
            HeartbeatInterval = TimeSpan.FromSeconds(1),
        });

    /// <summary>A stand-in infrastructure: counts each submission, then reports the run RUNNING and COMPLETED as an engine would.</summary>
    private sealed class CountingInfrastructure(ReeveClient client, ConcurrentDictionary<Guid, int> submissions) : IInfrastructure
    {
        public async Task<InfrastructureResult> RunAsync(FlowRun run, JsonObject configuration, Func<string, Task> started, CancellationToken cancellationToken)
        {
            submissions.AddOrUpdate(run.Id, 1, (_, n) => n + 1);
            await started($"stand-in-{run.Id:N}");
            await client.SetFlowRunStateAsync(run.Id, new StateCreate { Type = StateType.Running }, cancellationToken: cancellationToken);
            await client.SetFlowRunStateAsync(run.Id, new StateCreate { Type = StateType.Completed }, cancellationToken: cancellationToken);
            return new InfrastructureResult(0);
        }
    }
}
