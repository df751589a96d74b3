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
using Reeve.Workers.Ecs;

namespace Reeve.Tests.Workers;

/// <summary>
/// An <c>ecs:push</c> pool run by the server's own worker (<see cref="ServerPools"/>, as <c>reeve server start</c>
/// composes it) against a STAND-IN of AWS (<see cref="EcsStandIn"/>: ECS and EC2, written from AWS's references, each
/// request's Signature Version 4 checked; no cloud is reachable here). The stand-in's "container" does what the Reeve
/// engine in the image would: it reads the run's settings from the RunTask request's container overrides and reports
/// the run's states to the server.
/// </summary>
public sealed class EcsPushPoolTests : IAsyncLifetime
{
    private RunningServer _server = null!;
    private EcsStandIn _aws = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await RunningServer.StartAsync(TestStorage.Sqlite, realClock: true);
        _aws = await EcsStandIn.StartAsync();
        _aws.Execute = RunAsTheEngineAsync;
    }

    public async ValueTask DisposeAsync()
    {
        await _aws.DisposeAsync();
        await _server.DisposeAsync();
    }

    /// <summary>What the engine in the image does: RUNNING, then COMPLETED, reported with the settings of its container's environment.</summary>
    private async Task<(int, string?)> RunAsTheEngineAsync(JsonObject request, CancellationToken cancellationToken)
    {
        var (api, run) = Settings(request);
        using var engine = new ReeveClient(new ReeveClientOptions { ApiUrl = api });
        await engine.SetFlowRunStateAsync(run, new StateCreate { Type = StateType.Running }, cancellationToken: cancellationToken);
        await engine.SetFlowRunStateAsync(run, new StateCreate { Type = StateType.Completed }, cancellationToken: cancellationToken);
        return (0, null);
    }

    private static (string Api, Guid Run) Settings(JsonObject request)
    {
        var container = request["overrides"]!["containerOverrides"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == "reeve")!;
        var env = container["environment"]!.AsArray().ToDictionary(e => e!["name"]!.GetValue<string>(), e => e!["value"]!.GetValue<string>());
        return (env["REEVE_API_URL"], Guid.Parse(env["REEVE_FLOW_RUN_ID"]));
    }

    private ServerPools ServerWorkers(string? journal = null, TextWriter? output = null) =>
        new(new ReeveClientOptions { ApiUrl = _server.ApiUrl }, new ServerPoolsOptions
        {
            Infrastructure = type => type == "ecs"
                ? new EcsInfrastructure(new EcsInfrastructureOptions
                {
                    EcsEndpoint = new Uri(_aws.Url),
                    Ec2Endpoint = new Uri(_aws.Url),
                    RunEnvironment = run => new Dictionary<string, string>
                    {
                        ["REEVE_API_URL"] = _server.ApiUrl,
                        ["REEVE_FLOW_RUN_ID"] = run.Id.ToString(),
                    },
                    PollInterval = TimeSpan.FromMilliseconds(50),
                    Environment = _ => null,
                    Home = null,
                })
                : null,
            Rescan = TimeSpan.FromMilliseconds(200),
            HeartbeatInterval = TimeSpan.FromSeconds(1),
            JournalFolder = journal,
            Output = output ?? TextWriter.Null,
        });

    /// <summary>An ecs:push pool whose runs use the stand-in's access key (stored as aws-credentials), and a deployment on it.</summary>
    private async Task<Guid> DeploymentAsync(string? secret = null, bool deregister = true, int? startTimeout = null)
    {
        var pool = Names.Unique("ecs");
        await _server.Client.CreateWorkPoolAsync(new WorkPoolCreate { Name = pool, Type = "ecs:push" });
        var credentials = await _server.Client.CreateCredentialsAsync(new CredentialsCreate
        {
            Name = $"{pool}-key",
            Type = "aws-credentials",
            Data = _aws.Credentials(secret),
        });
        var flow = await _server.Client.CreateFlowAsync(new FlowCreate { Name = "get-repo-info" });
        var create = new DeploymentCreate
        {
            Name = pool,
            FlowId = flow.Id,
            Entrypoint = "RepoInfo.csproj:RepoInfo.RepoInfoFlows.GetRepoInfo",
            WorkPoolName = pool,
            JobVariables = new JsonObject
            {
                ["image"] = "123456789012.dkr.ecr.us-east-1.amazonaws.com/flows:1",
                ["aws_credentials"] = new JsonObject { ["$ref"] = new JsonObject { ["block_document_id"] = credentials.Id.ToString() } },
                ["labels"] = new JsonObject { ["Team Name"] = "Data Platform!" },
                ["auto_deregister_task_definition"] = deregister,
            },
        };
        if (startTimeout is { } seconds)
        {
            create.JobVariables["task_start_timeout_seconds"] = seconds;
        }

        var deployment = await _server.Client.CreateDeploymentAsync(create);
        return deployment.Id;
    }

    private async Task<Guid> RunAsync(Guid deployment) =>
        (await _server.Client.CreateFlowRunFromDeploymentAsync(deployment, new DeploymentFlowRunCreate())).Id;

    [Fact]
    public async Task ARunOfAnEcsPushPool_IsATaskDefinitionRegisteredRunAndDeregistered_WithTheRunsSettings_AndCompletes()
    {
        var deployment = await DeploymentAsync();
        await using var workers = ServerWorkers();

        var run = await RunAsync(deployment);
        var ended = await _server.Client.WaitForEndAsync(run, TimeSpan.FromMinutes(1));

        Assert.True(ended.StateType == StateType.Completed, $"{ended.StateName}: {ended.State?.Message}");
        var definition = Assert.Single(_aws.Registered);
        var container = Assert.Single(definition["containerDefinitions"]!.AsArray())!;
        Assert.Equal("reeve", container["name"]!.GetValue<string>());
        Assert.Equal("123456789012.dkr.ecr.us-east-1.amazonaws.com/flows:1", container["image"]!.GetValue<string>());
        Assert.Equal("1024", definition["cpu"]!.GetValue<string>());
        Assert.Equal("2048", definition["memory"]!.GetValue<string>());
        Assert.Equal("awsvpc", definition["networkMode"]!.GetValue<string>());
        Assert.Equal($"reeve_{ended.WorkPoolName}_{deployment}", definition["family"]!.GetValue<string>());
        var request = Assert.Single(_aws.Runs);
        Assert.Equal("FARGATE", request["launchType"]!.GetValue<string>());
        Assert.Equal(run.ToString(), request["startedBy"]!.GetValue<string>());
        var tags = request["tags"]!.AsArray().ToDictionary(t => t!["key"]!.GetValue<string>(), t => t!["value"]!.GetValue<string>());
        Assert.Equal(run.ToString(), tags["io.reeve.flow-run-id"]);
        Assert.Equal("Data Platform-", tags["Team Name"]);
        Assert.Equal("true", tags["io.reeve.deregister-task-definition"]);
        var subnets = request["networkConfiguration"]!["awsvpcConfiguration"]!["subnets"]!.AsArray().Select(s => s!.GetValue<string>());
        Assert.Equal(_aws.Subnets.Where(s => s.Value == _aws.DefaultVpc).Select(s => s.Key).Order(), subnets.Order());
        Assert.StartsWith("arn:aws:ecs:us-east-1:123456789012:cluster/default::arn:aws:ecs:us-east-1:123456789012:task/default/", ended.InfrastructurePid, StringComparison.Ordinal);
        await WaitForAsync(() => _aws.Deregistered.Count == 1);
    }

    [Fact]
    public async Task ATaskWhoseContainerFails_EndsTheRunCrashed_WithTheExitCodeAndEcsStoppedReason()
    {
        var deployment = await DeploymentAsync();
        _aws.Execute = (_, _) => Task.FromResult((3, (string?)"Essential container in task exited"));
        await using var workers = ServerWorkers();

        var ended = await _server.Client.WaitForEndAsync(await RunAsync(deployment), TimeSpan.FromMinutes(1));

        Assert.Equal(StateType.Crashed, ended.StateType);
        Assert.Contains("stopped: Essential container in task exited; its container 'reeve' exited with code 3.", ended.State!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATaskThatDoesNotStartInTime_IsStopped_AndTheRunEndsCrashedSayingSo()
    {
        var deployment = await DeploymentAsync(startTimeout: 1);
        _aws.HoldPending = true;
        _aws.Execute = (_, _) => new TaskCompletionSource<(int, string?)>().Task;
        await using var workers = ServerWorkers();

        var ended = await _server.Client.WaitForEndAsync(await RunAsync(deployment), TimeSpan.FromMinutes(1));

        Assert.Equal(StateType.Crashed, ended.StateType);
        Assert.Contains("did not start within 1 s (it was PENDING).", ended.State!.Message, StringComparison.Ordinal);
        Assert.Equal(_aws.Tasks.Keys.Single(), Assert.Single(_aws.Stopped).Task);
    }

    [Fact]
    public async Task AnAccessDenied_EndsTheRunCrashed_InOneLineNamingTheAction_AndRunsNothing()
    {
        var deployment = await DeploymentAsync();
        _aws.Denied["ecs:RegisterTaskDefinition"] = true;
        await using var workers = ServerWorkers();

        var ended = await _server.Client.WaitForEndAsync(await RunAsync(deployment), TimeSpan.FromMinutes(1));

        Assert.Equal(StateType.Crashed, ended.StateType);
        Assert.Contains("AWS refused ECS RegisterTaskDefinition: AccessDeniedException: User: arn:aws:iam::123456789012:user/stand-in-user is not authorized to perform: ecs:RegisterTaskDefinition",
            ended.State!.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ended.State.Message!);
        Assert.Empty(_aws.Runs);
    }

    [Fact]
    public async Task Throttling_AndARunTaskAnswerLost_AreRetried_AndTheRunCompletesWithOneTask()
    {
        var deployment = await DeploymentAsync();
        _aws.Throttles["RegisterTaskDefinition"] = 2;
        _aws.Throttles["RunTask"] = 1;
        _aws.Throttles["DescribeTasks"] = 2;
        _aws.LostRunAnswers = 1;
        await using var workers = ServerWorkers();

        var ended = await _server.Client.WaitForEndAsync(await RunAsync(deployment), TimeSpan.FromMinutes(1));

        Assert.True(ended.StateType == StateType.Completed, $"{ended.StateName}: {ended.State?.Message}");
        // The engine reports the run's end while the worker may still be retrying: its follow has ended when it deregisters.
        await WaitForAsync(() => _aws.Deregistered.Count == 1);
        Assert.Single(_aws.Tasks);
        Assert.True(_aws.Calls.Count(c => c == "ecs:RunTask") == 3, string.Join(", ", _aws.Calls));
    }

    [Fact]
    public async Task ASecretKeyAwsDoesNotKnow_EndsTheRunCrashed_SayingTheSignatureDoesNotMatch()
    {
        var deployment = await DeploymentAsync(secret: "forged/" + Guid.NewGuid().ToString("N"));
        await using var workers = ServerWorkers();

        var ended = await _server.Client.WaitForEndAsync(await RunAsync(deployment), TimeSpan.FromMinutes(1));

        Assert.Equal(StateType.Crashed, ended.StateType);
        Assert.Contains("AWS refused ECS RegisterTaskDefinition: InvalidSignatureException: The request signature we calculated does not match the signature you provided.",
            ended.State!.Message, StringComparison.Ordinal);
        Assert.Empty(_aws.Registered);
    }

    [Fact]
    public async Task CancellingARunningRun_StopsItsTask_AndTheRunEndsCancelled()
    {
        var deployment = await DeploymentAsync();
        var never = new TaskCompletionSource<(int, string?)>();
        _aws.Execute = async (request, ct) =>
        {
            var (api, id) = Settings(request);
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
        var (task, reason) = Assert.Single(_aws.Stopped);
        Assert.Equal(_aws.Tasks.Keys.Single(), task);
        Assert.Equal("The flow run was cancelled in Reeve.", reason);
        await WaitForAsync(() => _aws.Deregistered.Count == 1);
    }

    [Fact]
    public async Task RestartedWithItsJournal_TheServersWorker_FollowsTheTaskAgain_AndReportsItsEnd()
    {
        // Nothing is deregistered: the first workers' follow goes on in this process after they stop (a real restart ends
        // the process).
        var deployment = await DeploymentAsync(deregister: false);
        var finish = new TaskCompletionSource<(int, string?)>(TaskCreationOptions.RunContinuationsAsynchronously);
        _aws.Execute = async (request, ct) =>
        {
            var (api, id) = Settings(request);
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
        finish.SetResult((137, "OutOfMemoryError: Container killed due to memory usage"));
        var ended = await _server.Client.WaitForEndAsync(run, TimeSpan.FromMinutes(1));

        Assert.Equal(StateType.Crashed, ended.StateType);
        Assert.Contains("OutOfMemoryError: Container killed due to memory usage", ended.State!.Message, StringComparison.Ordinal);
        Assert.Single(_aws.Runs);
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
