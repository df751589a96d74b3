using System.Net;
using Reeve.Core.Deployments;
using Reeve.Core.FlowRuns;
using Reeve.Core.Orchestration;
using Reeve.Core.States;

namespace Reeve.Server.Tests.Api;

public abstract class FlowRunsApiTests(ServerFixture fixture)
{
    private RunningServer Server => fixture.Server;

    private Task<OrchestrationResult> Propose(Guid run, StateType type, string? name = null, string? message = null) =>
        Server.Client.SetFlowRunStateAsync(run, new StateCreate { Type = type, Name = name, Message = message });

    private async Task<FlowRun> ScheduledRunAsync(string? pool = null, Reeve.Core.FlowRuns.FlowRunPolicy? policy = null)
    {
        var deployment = await Server.Client.DeploymentAsync(pool);
        return await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id, new DeploymentFlowRunCreate { EmpiricalPolicy = policy });
    }

    [Fact]
    public async Task AdHocRun_StartsPending_WithAMemorableName()
    {
        var flow = await Server.Client.FlowAsync();

        var response = await Server.Http.PostJsonAsync("flow_runs/", $$"""{"flow_id": "{{flow.Id}}", "parameters": {"x": 1}, "tags": ["t"]}""");

        Assert.Equal(HttpStatusCode.Created, response.Status);
        Assert.Equal("PENDING", response.Body!["state"]!["type"]!.GetValue<string>());
        Assert.Matches("^[a-z]+-[a-z]+$", response.Body!["name"]!.GetValue<string>());
        Assert.Equal(1, response.Body!["parameters"]!["x"]!.GetValue<int>());
    }

    [Fact]
    public async Task FullLife_KeepsTheBooks()
    {
        var run = await ScheduledRunAsync();
        Server.Clock.Advance(TimeSpan.FromSeconds(2));

        var claimed = await Propose(run.Id, StateType.Pending);
        var started = await Propose(run.Id, StateType.Running);
        Server.Clock.Advance(TimeSpan.FromSeconds(3));
        var done = await Propose(run.Id, StateType.Completed);

        Assert.Equal([OrchestrationStatus.Accept, OrchestrationStatus.Accept, OrchestrationStatus.Accept], new[] { claimed.Status, started.Status, done.Status });
        var finished = await Server.Client.ReadFlowRunAsync(run.Id);
        Assert.Equal(StateType.Completed, finished.StateType);
        Assert.Equal(1, finished.RunCount);
        Assert.Equal(3, finished.TotalRunTime, precision: 3);
        Assert.Equal(run.ExpectedStartTime, finished.ExpectedStartTime);
        Assert.Equal(2, finished.EstimatedStartTimeDelta, precision: 3);
        Assert.NotNull(finished.StartTime);
        Assert.Equal(3, (finished.EndTime!.Value - finished.StartTime!.Value).TotalSeconds, precision: 3);
        Assert.Null(finished.NextScheduledStartTime);
        Assert.Equal(["SCHEDULED", "PENDING", "RUNNING", "COMPLETED"],
            (await Server.Client.ReadFlowRunStatesAsync(run.Id)).Select(s => s.Type.WireName()));
    }

    [Fact]
    public async Task SetState_Http_Is201WhenAStateIsWritten_And200Otherwise()
    {
        var run = await ScheduledRunAsync();

        var first = await Server.Http.PostJsonAsync($"flow_runs/{run.Id}/set_state", """{"state": {"type": "PENDING"}}""");
        var second = await Server.Http.PostJsonAsync($"flow_runs/{run.Id}/set_state", """{"state": {"type": "PENDING"}}""");

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.Equal("ABORT", second.Body!["status"]!.GetValue<string>());
        Assert.Equal("abort_details", second.Body!["details"]!["type"]!.GetValue<string>());
        Assert.Equal("PENDING", second.Body!["state"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Claim_RacingClaimers_ExactlyOneWins()
    {
        var run = await ScheduledRunAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Propose(run.Id, StateType.Pending)));

        Assert.Single(answers, a => a.Status == OrchestrationStatus.Accept);
        Assert.All(answers.Where(a => a.Status != OrchestrationStatus.Accept), a => Assert.Equal(OrchestrationStatus.Abort, a.Status));
        Assert.Equal(2, (await Server.Client.ReadFlowRunStatesAsync(run.Id)).Count);
    }

    [Fact]
    public async Task Start_BeforeTheScheduledTime_IsToldToWait()
    {
        var deployment = await Server.Client.DeploymentAsync();
        var run = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id, new DeploymentFlowRunCreate
        {
            State = new StateCreate { Type = StateType.Scheduled, StateDetails = new StateDetails { ScheduledTime = Server.Clock.GetUtcNow().AddSeconds(30) } },
        });

        var answer = await Propose(run.Id, StateType.Running);

        Assert.Equal(OrchestrationStatus.Wait, answer.Status);
        Assert.Equal(30, answer.Details.DelaySeconds);
        Assert.Equal(StateType.Scheduled, answer.State!.Type);
    }

    [Fact]
    public async Task Failure_WithRetriesLeft_BecomesAwaitingRetry_ThenFailsForGood()
    {
        var run = await ScheduledRunAsync(policy: new Reeve.Core.FlowRuns.FlowRunPolicy { Retries = 2, RetryDelay = 10 });
        var answers = new List<OrchestrationResult>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var started = await Propose(run.Id, StateType.Running);
            Assert.Equal(OrchestrationStatus.Accept, started.Status);
            answers.Add(await Propose(run.Id, StateType.Failed, message: "boom"));
            Server.Clock.Advance(TimeSpan.FromSeconds(10));
        }

        Assert.Equal([OrchestrationStatus.Reject, OrchestrationStatus.Reject, OrchestrationStatus.Accept], answers.Select(a => a.Status));
        Assert.Equal("AwaitingRetry", answers[0].State!.Name);
        Assert.Equal("boom", answers[0].State!.Message);
        var failed = await Server.Client.ReadFlowRunAsync(run.Id);
        Assert.Equal((StateType.Failed, 3, "boom"), (failed.StateType!.Value, failed.RunCount, failed.State!.Message));
    }

    [Fact]
    public async Task Cancel_AScheduledRunWithNoInfrastructure_CancelsItAtOnce()
    {
        var run = await ScheduledRunAsync();

        var answer = await Propose(run.Id, StateType.Cancelling);

        Assert.Equal(OrchestrationStatus.Reject, answer.Status);
        Assert.Equal(StateType.Cancelled, answer.State!.Type);
        Assert.Equal(StateType.Cancelled, (await Server.Client.ReadFlowRunAsync(run.Id)).StateType);
    }

    [Fact]
    public async Task Cancel_ARunningRun_IsCancellingUntilCancelled()
    {
        var run = await ScheduledRunAsync();
        await Propose(run.Id, StateType.Running);

        var cancelling = await Propose(run.Id, StateType.Cancelling);
        var completing = await Propose(run.Id, StateType.Completed);
        var cancelled = await Propose(run.Id, StateType.Cancelled);

        Assert.Equal(OrchestrationStatus.Accept, cancelling.Status);
        Assert.Equal((OrchestrationStatus.Reject, StateType.Cancelling), (completing.Status, completing.State!.Type));
        Assert.Equal(OrchestrationStatus.Accept, cancelled.Status);
        Assert.Equal(StateType.Cancelled, (await Server.Client.ReadFlowRunAsync(run.Id)).StateType);
    }

    [Fact]
    public async Task TerminalState_RefusesCrashedAndPaused()
    {
        var run = await ScheduledRunAsync();
        await Propose(run.Id, StateType.Running);
        await Propose(run.Id, StateType.Completed);

        var crashed = await Propose(run.Id, StateType.Crashed);

        Assert.Equal(OrchestrationStatus.Abort, crashed.Status);
        Assert.Contains("terminal state COMPLETED", crashed.Details.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SameTransitionTwice_ChangesNothingTheSecondTime()
    {
        var run = await ScheduledRunAsync();
        var transition = Guid.NewGuid();
        var state = new StateCreate { Type = StateType.Running, StateDetails = new StateDetails { TransitionId = transition } };

        var first = await Server.Client.SetFlowRunStateAsync(run.Id, state);
        var second = await Server.Client.SetFlowRunStateAsync(run.Id, state);

        Assert.Equal((OrchestrationStatus.Accept, OrchestrationStatus.Reject), (first.Status, second.Status));
        Assert.Equal(first.State!.Id, second.State!.Id);
        Assert.Equal(1, (await Server.Client.ReadFlowRunAsync(run.Id)).RunCount);
    }

    [Fact]
    public async Task Force_SkipsTheRules()
    {
        var run = await ScheduledRunAsync();
        await Propose(run.Id, StateType.Running);
        await Propose(run.Id, StateType.Completed);

        var forced = await Server.Client.SetFlowRunStateAsync(run.Id, new StateCreate { Type = StateType.Crashed }, force: true);

        Assert.Equal(OrchestrationStatus.Accept, forced.Status);
        Assert.Equal(StateType.Crashed, (await Server.Client.ReadFlowRunAsync(run.Id)).StateType);
    }

    [Fact]
    public async Task Patch_SetsInfrastructurePidAndName_AndJobVariablesOnlyWhileScheduled()
    {
        var pool = await Server.Client.PoolAsync();
        var run = await ScheduledRunAsync(pool);

        var patched = await Server.Http.PatchJsonAsync($"flow_runs/{run.Id}", """{"infrastructure_pid": "4242", "name": "renamed", "job_variables": {"env": {"A": "1"}}}""");
        await Propose(run.Id, StateType.Pending);
        var late = await Server.Http.PatchJsonAsync($"flow_runs/{run.Id}", """{"job_variables": {}}""");
        var bad = await Server.Http.PatchJsonAsync($"flow_runs/{(await ScheduledRunAsync(pool)).Id}", """{"job_variables": {"stream_output": 5}}""");

        Assert.Equal(HttpStatusCode.NoContent, patched.Status);
        var read = await Server.Client.ReadFlowRunAsync(run.Id);
        Assert.Equal(("4242", "renamed", "1"), (read.InfrastructurePid, read.Name, read.JobVariables["env"]!["A"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.Conflict, late.Status);
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "job_variables.stream_output"), (bad.Status, bad.Field));
    }

    [Fact]
    public async Task Filter_ByStateDeploymentQueueAndTags_WithSorts()
    {
        var pool = await Server.Client.PoolAsync();
        var deployment = await Server.Client.DeploymentAsync(pool);
        var a = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id, new DeploymentFlowRunCreate { Name = "a-run", Tags = ["x"] });
        var b = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id, new DeploymentFlowRunCreate { Name = "b-run", WorkQueueName = "other" });
        await Propose(b.Id, StateType.Running);
        var mine = new FlowRunFilter { DeploymentId = new() { Any = [deployment.Id] } };

        async Task<IEnumerable<string>> Names(FlowRunFilter filter, string? sort = null) =>
            (await Server.Client.FilterFlowRunsAsync(new FlowRunFilterRequest { FlowRuns = filter, Sort = sort })).Select(r => r.Name);

        Assert.Equal(["b-run", "a-run"], await Names(mine, FlowRunSort.NameDesc));
        Assert.Equal(["a-run"], await Names(mine with { State = new() { Type = new() { Any = [StateType.Scheduled] } } }));
        Assert.Equal(["b-run"], await Names(mine with { State = new() { Name = new() { NotAny = ["Scheduled"] } } }));
        Assert.Equal(["b-run"], await Names(mine with { WorkQueueName = new() { Any = ["other"] } }));
        Assert.Equal(["a-run"], await Names(mine with { Tags = new() { All = ["x"] } }));
        Assert.Equal(2, await Server.Client.CountFlowRunsAsync(new FlowRunFilterRequest { WorkPools = new() { Name = new() { Any = [pool] } } }));
    }

    [Fact]
    public async Task History_CountsTheRunsByStateInIntervalsOfTheirExpectedStart()
    {
        var deployment = await Server.Client.DeploymentAsync();
        var now = Server.Clock.GetUtcNow();
        var t0 = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond)); // whole seconds: PostgreSQL keeps microseconds
        Task<FlowRun> RunAt(TimeSpan after) => Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id, new DeploymentFlowRunCreate
        {
            State = new StateCreate { Type = StateType.Scheduled, StateDetails = new StateDetails { ScheduledTime = t0 + after } },
        });
        var done = await RunAt(TimeSpan.Zero);
        await RunAt(TimeSpan.FromMinutes(90));
        var cancelled = await RunAt(TimeSpan.FromMinutes(95));
        await RunAt(TimeSpan.FromHours(3));
        await ScheduledRunAsync();
        await Propose(done.Id, StateType.Pending);
        await Propose(done.Id, StateType.Running);
        Server.Clock.Advance(TimeSpan.FromSeconds(3));
        await Propose(done.Id, StateType.Completed);
        await Propose(cancelled.Id, StateType.Cancelling);

        var history = await Server.Client.FlowRunHistoryAsync(new FlowRunHistoryRequest
        {
            HistoryStart = t0.AddMinutes(-30),
            HistoryEnd = t0.AddHours(2),
            HistoryIntervalSeconds = 3600,
            Deployments = new() { Id = new() { Any = [deployment.Id] } },
        });

        Assert.Equal([t0.AddMinutes(-30), t0.AddMinutes(30), t0.AddMinutes(90)], history.Select(h => h.IntervalStart));
        Assert.Equal([t0.AddMinutes(30), t0.AddMinutes(90), t0.AddHours(2)], history.Select(h => h.IntervalEnd));
        var first = Assert.Single(history[0].States);
        Assert.Equal((StateType.Completed, "Completed", 1), (first.StateType, first.StateName, first.CountRuns));
        Assert.Equal(3, first.SumEstimatedRunTime, precision: 3);
        Assert.Empty(history[1].States);
        Assert.Equal([(StateType.Scheduled, 1), (StateType.Cancelled, 1)], history[2].States.Select(s => (s.StateType, s.CountRuns)));
    }

    [Fact]
    public async Task History_OnTheWire_IsPrefectsShape()
    {
        var start = Server.Clock.GetUtcNow().AddDays(-400);

        var response = await Server.Http.PostJsonAsync("flow_runs/history",
            $$"""{"history_start": "{{start:O}}", "history_end": "{{start.AddHours(2):O}}", "history_interval_seconds": 3600}""");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var intervals = response.Body!.AsArray();
        Assert.Equal(2, intervals.Count);
        Assert.Equal(start, intervals[0]!["interval_start"]!.GetValue<DateTimeOffset>());
        Assert.Equal(start.AddHours(1), intervals[0]!["interval_end"]!.GetValue<DateTimeOffset>());
        Assert.Empty(intervals[1]!["states"]!.AsArray());
    }

    [Fact]
    public async Task Delete_RemovesTheRunAndItsStates()
    {
        var run = await ScheduledRunAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await Server.Http.DeleteJsonAsync($"flow_runs/{run.Id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.GetJsonAsync($"flow_runs/{run.Id}")).Status);
        Assert.Empty(await Server.Client.ReadFlowRunStatesAsync(run.Id));
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.PostJsonAsync($"flow_runs/{run.Id}/set_state", """{"state": {"type": "RUNNING"}}""")).Status);
    }
}

public sealed class FlowRunsApiTests_Sqlite(SqliteServerFixture fixture) : FlowRunsApiTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class FlowRunsApiTests_Postgres(PostgresServerFixture fixture) : FlowRunsApiTests(fixture), IClassFixture<PostgresServerFixture>;
