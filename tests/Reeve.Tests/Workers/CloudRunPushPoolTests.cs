using System.Text.Json.Nodes;
using Reeve.Client;
using Reeve.Core.Credentials;
using Reeve.Core.Deployments;
using Reeve.Core.Flows;
using Reeve.Core.FlowRuns;
using Reeve.Core.States;
using Reeve.Core.WorkPools;
using Reeve.Testing.Cloud;
using Reeve.Workers;
using Reeve.Workers.CloudRun;

namespace Reeve.Tests.Workers;

/// <summary>
/// A <c>cloud-run:push</c> pool run by the server's own worker (<see cref="ServerPools"/>, as <c>reeve server start</c>
/// composes it) against a STAND-IN of Google Cloud (<see cref="CloudRunStandIn"/>: the token endpoint and the Cloud Run
/// Admin API v2, written from Google's references; no cloud is reachable here). The stand-in's "container" does what
/// the Reeve engine in the image would: it reads the run's settings from the job's environment and reports the run's
/// states to the server.
/// </summary>
public sealed partial class CloudRunPushPoolTests : IAsyncLifetime
{
    private RunningServer _server = null!;
    private CloudRunStandIn _google = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await RunningServer.StartAsync(TestStorage.Sqlite, realClock: true);
        _google = await CloudRunStandIn.StartAsync();
        _google.Execute = RunAsTheEngineAsync;
    }

    public async ValueTask DisposeAsync()
    {
        await _google.DisposeAsync();
        await _server.DisposeAsync();
    }

    /// <summary>What the engine in the image does: RUNNING, then COMPLETED, reported with the settings the job's environment holds.</summary>
    private async Task<(bool, string?)> RunAsTheEngineAsync(JsonObject body, CancellationToken cancellationToken)
    {
        var (api, run) = Settings(body);
        using var engine = new ReeveClient(new ReeveClientOptions { ApiUrl = api });
        await engine.SetFlowRunStateAsync(run, new StateCreate { Type = StateType.Running }, cancellationToken: cancellationToken);
        await engine.SetFlowRunStateAsync(run, new StateCreate { Type = StateType.Completed }, cancellationToken: cancellationToken);
        return (true, null);
    }

    private static (string Api, Guid Run) Settings(JsonObject body)
    {
        var env = body["template"]!["template"]!["containers"]![0]!["env"]!.AsArray()
            .ToDictionary(e => e!["name"]!.GetValue<string>(), e => e!["value"]!.GetValue<string>());
        return (env["REEVE_API_URL"], Guid.Parse(env["REEVE_FLOW_RUN_ID"]));
    }

    private ServerPools ServerWorkers(string? journal = null, TextWriter? output = null) =>
        new(new ReeveClientOptions { ApiUrl = _server.ApiUrl }, new ServerPoolsOptions
        {
            Infrastructure = type => type == "cloud-run"
                ? new CloudRunInfrastructure(new CloudRunInfrastructureOptions
                {
                    Endpoint = new Uri(_google.Url),
                    RunEnvironment = run => new Dictionary<string, string>
                    {
                        ["REEVE_API_URL"] = _server.ApiUrl,
                        ["REEVE_FLOW_RUN_ID"] = run.Id.ToString(),
                    },
                    PollInterval = TimeSpan.FromMilliseconds(50),
                })
                : null,
            Rescan = TimeSpan.FromMilliseconds(200),
            HeartbeatInterval = TimeSpan.FromSeconds(1),
            JournalFolder = journal,
            Output = output ?? TextWriter.Null,
        });

    /// <summary>A cloud-run:push pool whose runs use the stand-in's service account (stored as gcp-credentials), and a deployment on it.</summary>
    private async Task<Guid> DeploymentAsync(JsonObject? key = null, string project = "stand-in-project", bool keepJob = false)
    {
        var pool = Names.Unique("cloud-run");
        await _server.Client.CreateWorkPoolAsync(new WorkPoolCreate { Name = pool, Type = "cloud-run:push" });
        var credentials = await _server.Client.CreateCredentialsAsync(new CredentialsCreate
        {
            Name = $"{pool}-account",
            Type = "gcp-credentials",
            Data = new JsonObject { ["service_account_info"] = key ?? _google.ServiceAccountKey(), ["project"] = project },
        });
        var flow = await _server.Client.CreateFlowAsync(new FlowCreate { Name = "get-repo-info" });
        var deployment = await _server.Client.CreateDeploymentAsync(new DeploymentCreate
        {
            Name = pool,
            FlowId = flow.Id,
            Entrypoint = "RepoInfo.csproj:RepoInfo.RepoInfoFlows.GetRepoInfo",
            WorkPoolName = pool,
            JobVariables = new JsonObject
            {
                ["image"] = "europe-west1-docker.pkg.dev/stand-in-project/flows/repo-info:1",
                ["region"] = "europe-west1",
                ["credentials"] = new JsonObject { ["$ref"] = new JsonObject { ["block_document_id"] = credentials.Id.ToString() } },
                ["labels"] = new JsonObject { ["Team.Name"] = "Data Platform" },
                ["keep_job"] = keepJob,
            },
        });
        return deployment.Id;
    }

    private async Task<Guid> RunAsync(Guid deployment) =>
        (await _server.Client.CreateFlowRunFromDeploymentAsync(deployment, new DeploymentFlowRunCreate())).Id;

    [Fact]
    public async Task ARunOfACloudRunPushPool_IsAJobCreatedRunAndDeleted_WithTheRunsSettings_AndCompletes()
    {
        var deployment = await DeploymentAsync();
        await using var workers = ServerWorkers();

        var run = await RunAsync(deployment);
        var ended = await _server.Client.WaitForEndAsync(run, TimeSpan.FromMinutes(1));

        Assert.True(ended.StateType == StateType.Completed, $"{ended.StateName}: {ended.State?.Message}");
        var (name, body) = Assert.Single(_google.Created);
        Assert.StartsWith("projects/stand-in-project/locations/europe-west1/jobs/", name, StringComparison.Ordinal);
        Assert.StartsWith(name + "/executions/", ended.InfrastructurePid, StringComparison.Ordinal);
        var template = body["template"]!["template"]!;
        Assert.Equal("europe-west1-docker.pkg.dev/stand-in-project/flows/repo-info:1", template["containers"]![0]!["image"]!.GetValue<string>());
        Assert.Equal("600s", template["timeout"]!.GetValue<string>());
        Assert.Null(template["vpcAccess"]);
        Assert.Null(template["serviceAccount"]);
        Assert.Equal(run.ToString(), body["labels"]!["io-reeve-flow-run-id"]!.GetValue<string>());
        Assert.Equal("data-platform", body["labels"]!["team-name"]!.GetValue<string>());
        Assert.Equal(body["labels"]!.ToJsonString(), body["template"]!["labels"]!.ToJsonString());
        Assert.Equal("reeve", body["client"]!.GetValue<string>());
        await WaitForAsync(() => _google.Deleted.Contains(name));
    }

    [Fact]
    public async Task AnExecutionThatFails_EndsTheRunCrashed_WithCloudRunsReason()
    {
        var deployment = await DeploymentAsync();
        _google.Execute = (_, _) => Task.FromResult((false, (string?)"Task reeve-0 failed: the container exited with code 3."));
        await using var workers = ServerWorkers();

        var ended = await _server.Client.WaitForEndAsync(await RunAsync(deployment), TimeSpan.FromMinutes(1));

        Assert.Equal(StateType.Crashed, ended.StateType);
        Assert.Contains("failed: Task reeve-0 failed: the container exited with code 3.", ended.State!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APermissionDenied_EndsTheRunCrashed_InOneLineNamingThePermission_AndStartsNothing()
    {
        var deployment = await DeploymentAsync(project: "locked-project");
        _google.DeniedProjects["locked-project"] = true;
        await using var workers = ServerWorkers();

        var ended = await _server.Client.WaitForEndAsync(await RunAsync(deployment), TimeSpan.FromMinutes(1));

        Assert.Equal(StateType.Crashed, ended.StateType);
        Assert.Contains("PERMISSION_DENIED: Permission 'run.jobs.create' denied", ended.State!.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ended.State.Message!);
        Assert.Empty(_google.Started);
    }

    [Fact]
    public async Task QuotaRefusals_AreRetried_AndTheRunCompletesWithOneExecution()
    {
        var deployment = await DeploymentAsync();
        _google.QuotaRefusals = 2;
        await using var workers = ServerWorkers();

        var ended = await _server.Client.WaitForEndAsync(await RunAsync(deployment), TimeSpan.FromMinutes(1));

        Assert.True(ended.StateType == StateType.Completed, $"{ended.StateName}: {ended.State?.Message}");
        Assert.Single(_google.Started);
    }

    [Fact]
    public async Task AKeyGoogleDoesNotKnow_EndsTheRunCrashed_SayingTheTokenWasRefused()
    {
        var deployment = await DeploymentAsync(_google.ForgedKey());
        await using var workers = ServerWorkers();

        var ended = await _server.Client.WaitForEndAsync(await RunAsync(deployment), TimeSpan.FromMinutes(1));

        Assert.Equal(StateType.Crashed, ended.StateType);
        Assert.Contains($"Google refused a token to service account {_google.Email}: invalid_grant", ended.State!.Message, StringComparison.Ordinal);
        Assert.Empty(_google.Created);
    }

    [Fact]
    public async Task CancellingARunningRun_CancelsItsExecution_AndTheRunEndsCancelled()
    {
        var deployment = await DeploymentAsync();
        var never = new TaskCompletionSource<(bool, string?)>();
        _google.Execute = async (body, ct) =>
        {
            var (api, id) = Settings(body);
            using var engine = new ReeveClient(new ReeveClientOptions { ApiUrl = api });
            await engine.SetFlowRunStateAsync(id, new StateCreate { Type = StateType.Running }, cancellationToken: ct);
            return await never.Task;
        };
        await using var workers = ServerWorkers();
        var run = await RunAsync(deployment);
        await _server.Client.WaitForStateAsync(run, StateType.Running, TimeSpan.FromMinutes(1));

        await _server.Client.SetFlowRunStateAsync(run, new StateCreate { Type = StateType.Cancelling });
        var ended = await _server.Client.WaitForEndAsync(run, TimeSpan.FromMinutes(1));

        Assert.Equal(StateType.Cancelled, ended.StateType);
        var execution = _google.Started.Single();
        Assert.True(_google.Executions.TryGetValue(execution, out var cancelled) is false || cancelled["cancelledCount"]?.GetValue<int>() == 1);
        await WaitForAsync(() => !_google.Deleted.IsEmpty);
    }

    [Fact]
    public async Task RestartedWithItsJournal_TheServersWorker_FollowsTheExecutionAgain_AndReportsItsEnd()
    {
        // The job is kept: the first workers' follow of it goes on in this process after they stop (a real restart ends
        // the process), and must not delete the job under the second.
        var deployment = await DeploymentAsync(keepJob: true);
        var finish = new TaskCompletionSource<(bool, string?)>(TaskCreationOptions.RunContinuationsAsynchronously);
        _google.Execute = async (body, ct) =>
        {
            var (api, id) = Settings(body);
            using var engine = new ReeveClient(new ReeveClientOptions { ApiUrl = api });
            await engine.SetFlowRunStateAsync(id, new StateCreate { Type = StateType.Running }, cancellationToken: ct);
            return await finish.Task;
        };
        var journal = Directory.CreateTempSubdirectory("reeve-push-journal-").FullName;
        Guid run;
        await using (var first = ServerWorkers(journal))
        {
            run = await RunAsync(deployment);
            await _server.Client.WaitForStateAsync(run, StateType.Running, TimeSpan.FromMinutes(1));
        }

        var output = new SignallingWriter(" again");
        await using var second = ServerWorkers(journal, output);
        await output.Said.WaitAsync(TimeSpan.FromMinutes(1));
        finish.SetResult((false, "Task reeve-0 was killed: out of memory."));
        var ended = await _server.Client.WaitForEndAsync(run, TimeSpan.FromMinutes(1));

        Assert.Equal(StateType.Crashed, ended.StateType);
        Assert.Contains("out of memory", ended.State!.Message, StringComparison.Ordinal);
        Assert.Single(_google.Started);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
