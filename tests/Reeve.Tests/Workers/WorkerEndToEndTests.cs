using System.Text.Json.Nodes;
using Reeve.Core.Deployments;
using Reeve.Core.FlowRuns;
using Reeve.Core.Logs;
using Reeve.Core.States;
using Reeve.Core.WorkPools;
using Reeve.Deployments;
using Reeve.Flows;

namespace Reeve.Tests.Workers;

/// <summary>
/// The tutorial's core, end to end with real processes: flows deployed from a git repository served on loopback,
/// run by <c>reeve worker start</c> (or by the server, for a managed pool), cancelled, killed and recovered.
/// </summary>
public sealed partial class WorkerEndToEndTests(WorkerFixture fixture) : IClassFixture<WorkerFixture>
{
    private RunningServer Server => fixture.Server;

    // The same flows as in the repository: deploying needs their names and parameters, not their code.
    [Flow(Name = "hang")]
    private static void Hang() => throw new NotSupportedException("Runs from the repository.");

    [Flow(Name = "wait-then-complete")]
    private static void WaitThenComplete(int seconds = 3) => throw new NotSupportedException($"Runs from the repository ({seconds}).");

    [Flow(Name = "show-env")]
    private static void ShowEnv() => throw new NotSupportedException("Runs from the repository.");

    private static FlowDefinition Stub(string name) =>
        Flow.DefineAll(typeof(WorkerEndToEndTests)).Single(f => f.Name == name);

    private async Task<Deployment> DeployAsync(string flow, string entrypoint, string pool, DeployOptions? options = null)
    {
        ReeveSdk.UseServer(Server.ApiUrl);
        if ((await Server.Client.FilterWorkPoolsAsync(new WorkPoolFilterRequest { WorkPools = new() { Name = new() { Any = [pool] } } })).Count == 0)
        {
            await Server.Client.CreateWorkPoolAsync(new WorkPoolCreate { Name = pool, Type = "process" });
        }

        return await Stub(flow).FromSource(fixture.Repository.Url, entrypoint)
            .DeployAsync(Names.Unique("deployment"), pool, (options ?? new DeployOptions()) with { Output = TextWriter.Null });
    }

    private async Task<RunningCommand> StartWorkerAsync(string pool, IReadOnlyDictionary<string, string>? environment = null, params string[] extra)
    {
        var worker = RunningCommand.Start(fixture.Cli(environment), ["worker", "start", "--pool", pool, .. extra]);
        await worker.WaitForLineAsync("started!");
        return worker;
    }

    private async Task<string> LogsAsync(Guid runId)
    {
        var logs = await Server.Client.FilterLogsAsync(new LogFilterRequest { Logs = new() { FlowRunId = new() { Any = [runId] } } });
        return string.Join('\n', logs.Select(l => l.Message));
    }

    [Fact]
    public async Task TheRepoInfoExample_DeployedFromGit_RunsOnAProcessWorker_AndTheSecondRunOfTheCommitDoesNotBuild()
    {
        var pool = Names.Unique("my-pool");
        var cli = fixture.Cli();

        // A commit no other test has built.
        await File.WriteAllTextAsync(Path.Combine(fixture.Repository.WorkingCopy, "NOTES.md"), $"{Guid.NewGuid()}\n");
        await fixture.Repository.CommitAllAsync("A new commit");

        // The pool does not exist yet: the worker creates it as a process pool.
        await using var worker = await StartWorkerAsync(pool);
        Assert.Equal("process", (await Server.Client.ReadWorkPoolAsync(pool)).Type);

        var example = CliProcess.ForApp("RepoInfo", Server.ApiUrl);
        var deployed = await example.RunAsync("deploy", fixture.Repository.Url, pool);
        Assert.True(deployed.ExitCode == 0, deployed.ToString());
        Assert.Contains("Successfully created/updated all deployments!", deployed.Out, StringComparison.Ordinal);
        Assert.Contains("get-repo-info/my-first-deployment", deployed.Out, StringComparison.Ordinal);
        Assert.Contains("$ reeve deployment run 'get-repo-info/my-first-deployment'", deployed.Out, StringComparison.Ordinal);

        var first = await cli.RunAsync("deployment", "run", "get-repo-info/my-first-deployment", "--watch", "--watch-timeout", "120");
        Assert.True(first.ExitCode == 0, first + "\nworker:\n" + worker.Output);
        var second = await cli.RunAsync("deployment", "run", "get-repo-info/my-first-deployment", "--watch", "--watch-timeout", "60");
        Assert.True(second.ExitCode == 0, second + "\nworker:\n" + worker.Output);

        // --watch prints what happened in order: the flow's own lines before the state that ended it.
        var stars = second.Out.IndexOf("Stars", StringComparison.Ordinal);
        var completed = second.Out.IndexOf("State: Completed", StringComparison.Ordinal);
        Assert.True(stars >= 0 && stars < completed, second.Out);

        var runs = await Server.Client.FilterFlowRunsAsync(new FlowRunFilterRequest { Flows = new() { Name = new() { Any = ["get-repo-info"] } } });
        var ours = runs.Where(r => r.WorkPoolName == pool).OrderBy(r => r.Created).ToList();
        Assert.Equal(2, ours.Count);
        var firstLogs = await LogsAsync(ours[0].Id);
        Assert.Contains("Stars 🌠 : 17234", firstLogs, StringComparison.Ordinal);
        Assert.Contains("Forks 🍴 : 1642", firstLogs, StringComparison.Ordinal);
        Assert.Contains("Built RepoInfo.csproj", firstLogs, StringComparison.Ordinal);

        // A first build takes a while: the run says so when it starts, and what it builds, in order.
        var cloning = firstLogs.IndexOf("Cloning ", StringComparison.Ordinal);
        var building = firstLogs.IndexOf("Building RepoInfo.csproj of commit", StringComparison.Ordinal);
        var built = firstLogs.IndexOf("Built RepoInfo.csproj", StringComparison.Ordinal);
        Assert.True(cloning >= 0 && cloning < building && building < built, firstLogs);
        var secondLogs = await LogsAsync(ours[1].Id);
        Assert.Contains("from the build cache", secondLogs, StringComparison.Ordinal);
        Assert.Contains("Stars 🌠 : 17234", secondLogs, StringComparison.Ordinal);
        Assert.All(ours, r => Assert.NotNull(r.InfrastructurePid));
    }

    [Fact]
    public async Task PoolEnv_AndDeploymentEnv_BothReachAFileBasedFlowsProcess()
    {
        var pool = Names.Unique("env-pool");
        var template = (JsonObject)Core.PoolTypes.PoolTypeCatalog.Find("process")!.DefaultBaseJobTemplate.DeepClone();
        template["variables"]!["properties"]!["env"]!["default"] = new JsonObject { ["POOL_LEVEL"] = "from-the-pool" };
        await Server.Client.CreateWorkPoolAsync(new WorkPoolCreate { Name = pool, Type = "process", BaseJobTemplate = template });
        var deployment = await DeployAsync("show-env", "scripts/probe.cs:ShowEnv", pool,
            new DeployOptions { JobVariables = new { env = new { DEPLOYMENT_LEVEL = "from-the-deployment" } } });
        await using var worker = await StartWorkerAsync(pool);

        var run = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id);
        var ended = await Server.Client.WaitForEndAsync(run.Id, TimeSpan.FromSeconds(120));

        Assert.True(ended.StateType == StateType.Completed, $"{ended.StateType}: {ended.State?.Message}\n{worker.Output}");
        var logs = await LogsAsync(run.Id);
        Assert.Contains("POOL_LEVEL=from-the-pool", logs, StringComparison.Ordinal);
        Assert.Contains("DEPLOYMENT_LEVEL=from-the-deployment", logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARun_IsHandedToTheEngineTheWorkerKeptReady_AndARunThatSetsARuntimeVariableStartsItsOwn()
    {
        var pool = Names.Unique("standby-pool");
        var quick = await DeployAsync("wait-then-complete", "RepoInfo.csproj:RepoInfo.TestFlows.WaitThenComplete", pool,
            new DeployOptions { Parameters = new { seconds = 3 } });
        var tuned = await DeployAsync("wait-then-complete", "RepoInfo.csproj:RepoInfo.TestFlows.WaitThenComplete", pool,
            new DeployOptions { Parameters = new { seconds = 3 }, JobVariables = new { env = new { DOTNET_TieredPGO = "0" } } });
        await using var worker = await StartWorkerAsync(pool);

        async Task<string> EngineCommandLineAsync(Guid deploymentId)
        {
            var run = await Server.Client.CreateFlowRunFromDeploymentAsync(deploymentId);
            await Server.Client.WaitForStateAsync(run.Id, StateType.Running, TimeSpan.FromSeconds(120));
            var pid = (await Server.Client.ReadFlowRunAsync(run.Id)).InfrastructurePid!;
            var commandLine = (await File.ReadAllTextAsync($"/proc/{pid}/cmdline")).Replace('\0', ' ');
            var ended = await Server.Client.WaitForEndAsync(run.Id, TimeSpan.FromSeconds(60));
            Assert.True(ended.StateType == StateType.Completed, $"{ended.StateType}: {ended.State?.Message}\n{worker.Output}");
            return commandLine;
        }

        Assert.Contains("flow-run execute --standby", await EngineCommandLineAsync(quick.Id), StringComparison.Ordinal);
        Assert.DoesNotContain("--standby", await EngineCommandLineAsync(tuned.Id), StringComparison.Ordinal);
        Assert.Contains("flow-run execute --standby", await EngineCommandLineAsync(quick.Id), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancellingARunningProcessRun_EndsItCancelled_AndLeavesNoProcessBehind()
    {
        var pool = Names.Unique("cancel-pool");
        var deployment = await DeployAsync("hang", "RepoInfo.csproj:RepoInfo.TestFlows.Hang", pool);
        await using var worker = await StartWorkerAsync(pool, new Dictionary<string, string> { ["REEVE_WORKER_KILL_GRACE_SECONDS"] = "2" });
        var run = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id);
        await Server.Client.WaitForStateAsync(run.Id, StateType.Running, TimeSpan.FromSeconds(120));
        var childPid = await WaitForChildPidAsync(run.Id);
        var enginePid = int.Parse((await Server.Client.ReadFlowRunAsync(run.Id)).InfrastructurePid!, System.Globalization.CultureInfo.InvariantCulture);

        var cancel = await fixture.Cli().RunAsync("flow-run", "cancel", run.Id.ToString());
        Assert.True(cancel.ExitCode == 0, cancel.ToString());
        var ended = await Server.Client.WaitForEndAsync(run.Id, TimeSpan.FromSeconds(60));

        Assert.Equal(StateType.Cancelled, ended.StateType);
        Assert.False(Alive(enginePid), $"the engine process {enginePid} is still running");
        Assert.False(Alive(childPid), $"the flow's child process {childPid} is still running");
    }

    [Fact]
    public async Task KillingTheFlowsProcess_EndsItsRunCrashed_AndAPoolLimitOfOneThenStartsTheNext()
    {
        var pool = Names.Unique("crash-pool");
        await Server.Client.CreateWorkPoolAsync(new WorkPoolCreate { Name = pool, Type = "process", ConcurrencyLimit = 1 });
        var deployment = await DeployAsync("wait-then-complete", "RepoInfo.csproj:RepoInfo.TestFlows.WaitThenComplete", pool,
            new DeployOptions { Parameters = new { seconds = 600 } });
        await using var worker = await StartWorkerAsync(pool);
        var doomed = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id);
        await Server.Client.WaitForStateAsync(doomed.Id, StateType.Running, TimeSpan.FromSeconds(120));
        var next = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id, new DeploymentFlowRunCreate { Parameters = new JsonObject { ["seconds"] = 0 } });

        var pid = (await Server.Client.ReadFlowRunAsync(doomed.Id)).InfrastructurePid!;
        Signals.Send(int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture), Signals.SigKill);

        var crashed = await Server.Client.WaitForEndAsync(doomed.Id, TimeSpan.FromSeconds(10));
        Assert.Equal(StateType.Crashed, crashed.StateType);
        Assert.Contains("signal 9", crashed.State!.Message, StringComparison.Ordinal);
        var completed = await Server.Client.WaitForEndAsync(next.Id, TimeSpan.FromSeconds(60));
        Assert.True(completed.StateType == StateType.Completed, $"{completed.StateType}: {completed.State?.Message}\n{worker.Output}");
    }

    [Fact]
    public async Task KillingTheWorkerAlone_LetsTheRunningFlowFinishCompleted()
    {
        var pool = Names.Unique("orphan-pool");
        var deployment = await DeployAsync("wait-then-complete", "RepoInfo.csproj:RepoInfo.TestFlows.WaitThenComplete", pool,
            new DeployOptions { Parameters = new { seconds = 4 } });
        var worker = await StartWorkerAsync(pool);
        await using (worker)
        {
            var run = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id);
            await Server.Client.WaitForStateAsync(run.Id, StateType.Running, TimeSpan.FromSeconds(120));

            await worker.KillAloneAsync();
            var ended = await Server.Client.WaitForEndAsync(run.Id, TimeSpan.FromSeconds(60));

            Assert.True(ended.StateType == StateType.Completed, $"{ended.StateType}: {ended.State?.Message}");
            Assert.Contains("done", await LogsAsync(run.Id), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task KillingTheWorkerAndTheFlowsProcessTogether_EndsTheRunCrashed_AndFreesItsSlotForTheNextWorker()
    {
        // The host dies: kill -9 of the worker, then of the flow's process, so nobody is left to say what happened.
        var pool = Names.Unique("host-dies");
        await Server.Client.CreateWorkPoolAsync(new WorkPoolCreate { Name = pool, Type = "process", ConcurrencyLimit = 1 });
        var deployment = await DeployAsync("wait-then-complete", "RepoInfo.csproj:RepoInfo.TestFlows.WaitThenComplete", pool,
            new DeployOptions { Parameters = new { seconds = 600 } });
        var worker = await StartWorkerAsync(pool);
        FlowRun doomed;
        await using (worker)
        {
            doomed = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id);
            await Server.Client.WaitForStateAsync(doomed.Id, StateType.Running, TimeSpan.FromSeconds(120));
            var pid = int.Parse((await Server.Client.ReadFlowRunAsync(doomed.Id)).InfrastructurePid!, System.Globalization.CultureInfo.InvariantCulture);

            await worker.KillAloneAsync();
            Signals.Send(pid, Signals.SigKill);
        }

        var next = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id, new DeploymentFlowRunCreate { Parameters = new JsonObject { ["seconds"] = 0 } });
        var crashed = await Server.Client.WaitForEndAsync(doomed.Id, TimeSpan.FromSeconds(60));
        Assert.Equal(StateType.Crashed, crashed.StateType);
        Assert.Contains("no heartbeat", crashed.State!.Message, StringComparison.Ordinal);

        await using var replacement = await StartWorkerAsync(pool);
        var completed = await Server.Client.WaitForEndAsync(next.Id, TimeSpan.FromSeconds(120));
        Assert.True(completed.StateType == StateType.Completed, $"{completed.StateType}: {completed.State?.Message}\n{replacement.Output}");
    }

    [Fact]
    public async Task KillingTheWorkerBetweenClaimAndStart_EndsThatRunCrashed()
    {
        var pool = Names.Unique("claim-pool");
        var deployment = await DeployAsync("wait-then-complete", "RepoInfo.csproj:RepoInfo.TestFlows.WaitThenComplete", pool);
        var worker = await StartWorkerAsync(pool, new Dictionary<string, string> { ["REEVE_WORKER_START_DELAY_SECONDS"] = "600" });
        await using (worker)
        {
            var run = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id);
            await worker.WaitForLineAsync($"submitting flow run '{run.Name}'");
            Assert.Equal(StateType.Pending, (await Server.Client.ReadFlowRunAsync(run.Id)).StateType);

            // The foreman ends it after three missed heartbeats (1 s each here); under a loaded machine that takes longer.
            await worker.KillAloneAsync();
            var ended = await Server.Client.WaitForEndAsync(run.Id, TimeSpan.FromSeconds(60));

            Assert.Equal(StateType.Crashed, ended.StateType);
            Assert.Contains("no heartbeat", ended.State!.Message, StringComparison.Ordinal);
        }
    }

    private async Task<int> WaitForChildPidAsync(Guid runId)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var line = (await LogsAsync(runId)).Split('\n').FirstOrDefault(l => l.StartsWith("CHILD_PID=", StringComparison.Ordinal));
            if (line is not null)
            {
                return int.Parse(line["CHILD_PID=".Length..], System.Globalization.CultureInfo.InvariantCulture);
            }

            // Logs arrive in batches; there is no event for a log line, so this reads again shortly.
            await Task.Delay(200, deadline.Token);
        }
    }

    private static bool Alive(int pid) =>
        File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1].StartsWith('Z');
}

/// <summary>The tutorial's managed path: <c>reeve server start</c> runs the runs of managed pools itself; no worker is started.</summary>
public sealed class ManagedPoolTests(WorkerFixture fixture) : IClassFixture<WorkerFixture>
{
    [Fact]
    public async Task ADeploymentOnAManagedPool_RunsWithNoWorkerStarted()
    {
        var home = Path.Combine(fixture.Home, "managed-server");
        var serverCli = new CliProcess("http://127.0.0.1:1/api", home);
        serverCli.Environment["GITHUB_API_URL"] = fixture.GitHub.Url;
        serverCli.Environment["REEVE_FLOW_RUN_HEARTBEAT_SECONDS"] = "1";
        await using var server = RunningCommand.Start(serverCli, "server", "start", "--port", "0");
        var listening = await server.WaitForLineAsync("Reeve server listening on ");
        var apiUrl = listening[(listening.IndexOf("http", StringComparison.Ordinal))..].Trim() + "/api";

        var cli = new CliProcess(apiUrl, home);
        var created = await cli.RunAsync("work-pool", "create", "my-managed-pool", "--type", "managed");
        Assert.True(created.ExitCode == 0, created.ToString());
        var example = CliProcess.ForApp("RepoInfo", apiUrl);
        var deployed = await example.RunAsync("deploy", fixture.Repository.Url, "my-managed-pool");
        Assert.True(deployed.ExitCode == 0, deployed.ToString());

        var run = await cli.RunAsync("deployment", "run", "get-repo-info/my-first-deployment", "--watch", "--watch-timeout", "120");

        Assert.True(run.ExitCode == 0, run + "\nserver:\n" + server.Output);
        using var client = new Client.ReeveClient(new Client.ReeveClientOptions { ApiUrl = apiUrl });
        var runs = await client.FilterFlowRunsAsync();
        var logs = await client.FilterLogsAsync(new LogFilterRequest { Logs = new() { FlowRunId = new() { Any = [runs.Single().Id] } } });
        Assert.Contains(logs, l => l.Message.Contains("Stars 🌠 : 17234", StringComparison.Ordinal));
        Assert.Equal("my-managed-pool", runs.Single().WorkPoolName);
    }
}
