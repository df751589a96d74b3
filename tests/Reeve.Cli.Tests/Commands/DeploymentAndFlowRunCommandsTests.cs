using System.Text.Json.Nodes;
using Reeve.Core.Deployments;
using Reeve.Core.FlowRuns;
using Reeve.Core.Logs;
using Reeve.Core.States;

namespace Reeve.Cli.Tests.Commands;

public sealed class DeploymentAndFlowRunCommandsTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    private RunningServer Server => fixture.Server;

    private static readonly JsonObject Schema = Seed.Json("""{"type": "object", "properties": {"x": {"type": "integer"}, "who": {"type": "string"}}}""");

    private async Task<(CliProcess Cli, Deployment Deployment, string Name)> DeploymentAsync()
    {
        var pool = await Server.Client.PoolAsync();
        var deployment = await Server.Client.DeploymentAsync(pool, schema: Schema, parameters: Seed.Json("""{"who": "world"}"""));
        var flow = await Server.Client.ReadFlowAsync(deployment.FlowId);
        return (new CliProcess(Server.ApiUrl), deployment, $"{flow.Name}/{deployment.Name}");
    }

    private async Task<IReadOnlyList<FlowRun>> RunsOfAsync(Deployment deployment) =>
        await Server.Client.FilterFlowRunsAsync(new FlowRunFilterRequest { FlowRuns = new() { DeploymentId = new() { Any = [deployment.Id] } } });

    [Fact]
    public async Task Run_CreatesAScheduledRunWithTypedParameters_ThatFlowRunLsShows()
    {
        var (cli, deployment, name) = await DeploymentAsync();

        var result = await cli.RunAsync("deployment", "run", name, "--param", "x=1", "--tag", "manual");

        CliAssert.Succeeds(result);
        Assert.StartsWith($"Creating flow run for deployment '{name}'...", result.Out, StringComparison.Ordinal);
        Assert.Contains("Created flow run '", result.Out, StringComparison.Ordinal);
        Assert.Contains("└── Parameters: {\"who\":\"world\",\"x\":1}", result.Out, StringComparison.Ordinal);
        Assert.Contains("(now)", result.Out, StringComparison.Ordinal);
        var run = Assert.Single(await RunsOfAsync(deployment));
        Assert.Equal(1, run.Parameters["x"]!.GetValue<int>());
        Assert.Contains("manual", run.Tags);

        var listed = await cli.RunAsync("flow-run", "ls", "--state", "Scheduled", "--limit", "200");
        CliAssert.Succeeds(listed);
        Assert.Matches($@"{run.Id}\s+│.*│ {run.Name}\s+│ Scheduled", listed.Out);
    }

    [Fact]
    public async Task Run_UnknownParameter_IsRefusedNamingIt_AndNothingIsCreated()
    {
        var (cli, deployment, name) = await DeploymentAsync();

        var result = await cli.RunAsync("deployment", "run", name, "--param", "y=2");

        CliAssert.FailsWithOneLine(result, "The following parameters were specified but not found on the deployment: 'y'. The parameters available on the deployment are: 'x', 'who'.");
        Assert.Empty(await RunsOfAsync(deployment));
    }

    [Fact]
    public async Task Run_BadParameterValue_IsRefusedByTheServerNamingIt()
    {
        var (cli, deployment, name) = await DeploymentAsync();

        var result = await cli.RunAsync("deployment", "run", name, "--param", "x=many");

        CliAssert.FailsWithOneLine(result, "parameters.x");
        Assert.Empty(await RunsOfAsync(deployment));
    }

    [Theory]
    [InlineData("--start-in", "5 minutes", 300)]
    [InlineData("--start-in", "1h30m", 5400)]
    public async Task Run_Later_SchedulesItThen(string option, string value, int seconds)
    {
        var (cli, deployment, name) = await DeploymentAsync();
        var before = TimeProvider.System.GetUtcNow();

        var result = await cli.RunAsync("deployment", "run", name, option, value);

        CliAssert.Succeeds(result);
        var run = Assert.Single(await RunsOfAsync(deployment));
        Assert.InRange((run.NextScheduledStartTime!.Value - before).TotalSeconds, seconds - 1, seconds + 30);
    }

    [Theory]
    [InlineData("deployment run no-slash", "Expected '<flow-name>/<deployment-name>'")]
    [InlineData("deployment run no/such", "Deployment 'no/such' not found!")]
    [InlineData("deployment run a/b --start-in soon", "cannot read 'soon' as a duration")]
    [InlineData("deployment run a/b --start-in 5m --start-at 2030-01-01", "Only one of --start-in or --start-at can be set")]
    public async Task Run_BadArguments_FailWithOneLine(string commandLine, string expected) =>
        CliAssert.FailsWithOneLine(await new CliProcess(Server.ApiUrl).RunAsync(commandLine.Split(' ')), expected);

    [Fact]
    public async Task Run_Watch_FollowsTheRunAndItsLogs_AndExitsWithItsOutcome()
    {
        var (cli, deployment, name) = await DeploymentAsync();
        var worker = Task.Run(async () =>
        {
            // Plays the part of a worker: waits for the run, then runs it, with a log line.
            while (true)
            {
                if ((await RunsOfAsync(deployment)).FirstOrDefault() is { } run)
                {
                    await Server.Client.SetFlowRunStateAsync(run.Id, new StateCreate { Type = StateType.Pending });
                    await Server.Client.SetFlowRunStateAsync(run.Id, new StateCreate { Type = StateType.Running });
                    await Server.Client.CreateLogsAsync([new LogCreate { Name = "flow", Level = 20, Message = "Stars: 42", Timestamp = Server.Clock.GetUtcNow(), FlowRunId = run.Id }]);
                    await Server.Client.SetFlowRunStateAsync(run.Id, new StateCreate { Type = StateType.Completed });
                    return;
                }

                await Task.Delay(20);
            }
        });

        var result = await cli.RunAsync("deployment", "run", name, "--watch", "--watch-timeout", "60");
        await worker;

        CliAssert.Succeeds(result);
        CliAssert.OutContains(result, "| State: Running");
        CliAssert.OutContains(result, "- Stars: 42");
        CliAssert.OutContains(result, "Flow run finished successfully in 'Completed'.");
    }

    [Fact]
    public async Task Run_Watch_OfAFailingRun_ExitsOne()
    {
        var (cli, deployment, name) = await DeploymentAsync();
        var worker = Task.Run(async () =>
        {
            while (true)
            {
                if ((await RunsOfAsync(deployment)).FirstOrDefault() is { } run)
                {
                    await Server.Client.SetFlowRunStateAsync(run.Id, new StateCreate { Type = StateType.Running });
                    await Server.Client.SetFlowRunStateAsync(run.Id, new StateCreate { Type = StateType.Failed, Message = "boom" });
                    return;
                }

                await Task.Delay(20);
            }
        });

        var result = await cli.RunAsync("deployment", "run", name, "--watch");
        await worker;

        CliAssert.FailsWithOneLine(result, "Flow run finished in state 'Failed'.");
        Assert.Contains("State: Failed - boom", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ls_InspectPauseResumeAndDelete()
    {
        var (cli, deployment, name) = await DeploymentAsync();

        var listed = await cli.RunAsync("deployment", "ls");
        var json = await cli.RunAsync("deployment", "ls", "-o", "json");
        var inspected = await cli.RunAsync("deployment", "inspect", name);
        var paused = await cli.RunAsync("deployment", "pause", name);
        var pausedState = (await Server.Client.ReadDeploymentAsync(deployment.Id)).Paused;
        var resumed = await cli.RunAsync("deployment", "resume", name);
        var deleted = await cli.RunAsync("deployment", "delete", name);

        Assert.Matches($@"{name}\s+│ {deployment.Id} │ {deployment.WorkPoolName}", listed.Out);
        Assert.Contains(JsonNode.Parse(json.Out)!.AsArray(), d => d!["id"]!.GetValue<Guid>() == deployment.Id);
        Assert.Contains("\"who\":\"world\"", inspected.Out, StringComparison.Ordinal);
        Assert.Equal($"Paused deployment '{name}'.", paused.Out.Trim());
        Assert.True(pausedState);
        Assert.Equal($"Resumed deployment '{name}'.", resumed.Out.Trim());
        Assert.Equal($"Deleted deployment '{name}'.", deleted.Out.Trim());
        CliAssert.FailsWithOneLine(await cli.RunAsync("deployment", "inspect", name), "not found");
    }

    [Fact]
    public async Task FlowRun_InspectLogsCancelAndDelete()
    {
        var (cli, deployment, _) = await DeploymentAsync();
        var run = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id);
        var t0 = Server.Clock.GetUtcNow();
        await Server.Client.CreateLogsAsync([.. Enumerable.Range(1, 5).Select(i => new LogCreate
        {
            Name = "flow", Level = i == 5 ? 40 : 20, Message = $"line {i}", Timestamp = t0.AddMilliseconds(i), FlowRunId = run.Id,
        })]);

        var inspected = await cli.RunAsync("flow-run", "inspect", run.Id.ToString());
        var logs = await cli.RunAsync("flow-run", "logs", run.Id.ToString());
        var head = await cli.RunAsync("flow-run", "logs", run.Id.ToString(), "--head", "2");
        var tail = await cli.RunAsync("flow-run", "logs", run.Id.ToString(), "--tail", "1");
        var cancelled = await cli.RunAsync("flow-run", "cancel", run.Id.ToString());
        var state = (await Server.Client.ReadFlowRunAsync(run.Id)).StateType;
        var deleted = await cli.RunAsync("flow-run", "delete", run.Id.ToString());

        Assert.Contains(run.Name, inspected.Out, StringComparison.Ordinal);
        Assert.Contains("Scheduled", inspected.Out, StringComparison.Ordinal);
        var flowName = (await Server.Client.ReadFlowAsync(deployment.FlowId)).Name;
        Assert.Matches($@"Flow\s+{flowName}", inspected.Out);
        Assert.Matches($@"Deployment\s+{flowName}/{deployment.Name}", inspected.Out);
        Assert.Equal(5, logs.Out.Trim().Split('\n').Length);
        Assert.Matches($@"\| ERROR   \| Flow run '{run.Name}' - line 5", logs.Out);
        Assert.Equal(["line 1", "line 2"], head.Out.Trim().Split('\n').Select(l => l.Split(" - ")[1].Trim()));
        Assert.EndsWith("line 5", tail.Out.Trim(), StringComparison.Ordinal);
        Assert.Equal($"Flow run '{run.Id}' was successfully scheduled for cancellation.", cancelled.Out.Trim());
        Assert.Equal(StateType.Cancelled, state);
        Assert.Equal($"Successfully deleted flow run '{run.Id}'.", deleted.Out.Trim());
        CliAssert.FailsWithOneLine(await cli.RunAsync("flow-run", "inspect", run.Id.ToString()), "not found!");
    }

    [Fact]
    public async Task FlowRun_Cancel_OfAFinishedRun_FailsWithTheReason()
    {
        var (cli, deployment, _) = await DeploymentAsync();
        var run = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id);
        await Server.Client.SetFlowRunStateAsync(run.Id, new StateCreate { Type = StateType.Running });
        await Server.Client.SetFlowRunStateAsync(run.Id, new StateCreate { Type = StateType.Completed });

        CliAssert.FailsWithOneLine(await cli.RunAsync("flow-run", "cancel", run.Id.ToString()), "was unable to be cancelled. Reason: 'Run is already in terminal state COMPLETED.'");
    }

    [Fact]
    public async Task FlowRun_LogsFollow_PrintsUntilTheRunEnds()
    {
        var (cli, deployment, _) = await DeploymentAsync();
        var run = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id);
        await Server.Client.SetFlowRunStateAsync(run.Id, new StateCreate { Type = StateType.Running });

        var following = cli.RunAsync("flow-run", "logs", run.Id.ToString(), "--follow");
        await Server.Client.CreateLogsAsync([new LogCreate { Name = "flow", Level = 20, Message = "late line", Timestamp = Server.Clock.GetUtcNow(), FlowRunId = run.Id }]);
        await Server.Client.SetFlowRunStateAsync(run.Id, new StateCreate { Type = StateType.Completed });
        var result = await following;

        CliAssert.Succeeds(result);
        Assert.Contains("late line", result.Out, StringComparison.Ordinal);
    }
}
