using System.Net;
using System.Text;
using Reeve.Core.Deployments;
using Reeve.Core.FlowRuns;
using Reeve.Core.Logs;
using Reeve.Core.Orchestration;
using Reeve.Core.States;
using Reeve.Core.TaskRuns;

namespace Reeve.Server.Tests.Api;

public abstract class TaskRunsAndLogsApiTests(ServerFixture fixture)
{
    private RunningServer Server => fixture.Server;

    private Task<FlowRun> RunningFlowRunAsync() => Server.Client.RunningFlowRunAsync();

    [Fact]
    public async Task CreateTaskRun_IsIdempotentOnFlowRunTaskKeyAndDynamicKey_AndHonoursTheClientsId()
    {
        var run = await RunningFlowRunAsync();
        var id = Guid.NewGuid();

        var first = await Server.Http.PostJsonAsync("task_runs/", $$"""{"id": "{{id}}", "flow_run_id": "{{run.Id}}", "task_key": "fetch", "dynamic_key": "0"}""");
        var again = await Server.Http.PostJsonAsync("task_runs/", $$"""{"flow_run_id": "{{run.Id}}", "task_key": "fetch", "dynamic_key": "0"}""");

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK), (first.Status, again.Status));
        Assert.Equal(id, first.Body!["id"]!.GetValue<Guid>());
        Assert.Equal(id, again.Body!["id"]!.GetValue<Guid>());
        Assert.Equal("PENDING", first.Body!["state_type"]!.GetValue<string>());
    }

    [Fact]
    public async Task ReportedTaskRuns_ChainTheirStates_WithinABatch_AndAcrossBatches_AndOnTopOfAStoredOne()
    {
        var run = await RunningFlowRunAsync();
        var stored = await Server.Client.CreateTaskRunAsync(new TaskRunCreate { FlowRunId = run.Id, TaskKey = "stored", DynamicKey = "0" });
        // The engine's times, after the stored task run's PENDING (on the server's clock), in whole seconds.
        var now = Server.Clock.GetUtcNow();
        var t0 = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero).AddMinutes(1);
        var twice = Guid.NewGuid();
        var later = Guid.NewGuid();
        TaskRunReport Report(Guid id, string key, params (StateType Type, int Second)[] states) => new()
        {
            Id = id,
            FlowRunId = run.Id,
            Name = key,
            TaskKey = key,
            DynamicKey = "0",
            States = [.. states.Select(s => new ReportedState { Type = s.Type, Timestamp = t0.AddSeconds(s.Second) })],
        };

        // One batch names a new task run twice (its later states continue from the earlier ones), a second new one,
        // and one the server already has.
        await Server.Client.ReportTaskRunsAsync(new TaskRunReportBatch
        {
            TaskRuns =
            [
                Report(twice, "twice", (StateType.Pending, 0), (StateType.Running, 1)),
                Report(later, "later", (StateType.Pending, 0)),
                Report(stored.Id, "stored", (StateType.Running, 2)),
                Report(twice, "twice", (StateType.Completed, 4)),
            ],
        });
        await Server.Client.ReportTaskRunsAsync(new TaskRunReportBatch
        {
            TaskRuns = [Report(later, "later", (StateType.Running, 5), (StateType.Failed, 8)), Report(stored.Id, "stored", (StateType.Completed, 9))],
        });

        var first = await Server.Client.ReadTaskRunAsync(twice);
        Assert.Equal((StateType.Completed, 1, t0.AddSeconds(1), t0.AddSeconds(4), 3.0),
            (first.State!.Type, first.RunCount, first.StartTime, first.EndTime, first.TotalRunTime));
        var second = await Server.Client.ReadTaskRunAsync(later);
        Assert.Equal((StateType.Failed, 1, t0.AddSeconds(5), t0.AddSeconds(8)), (second.State!.Type, second.RunCount, second.StartTime, second.EndTime));
        var third = await Server.Client.ReadTaskRunAsync(stored.Id);
        Assert.Equal((StateType.Completed, 1, t0.AddSeconds(2), t0.AddSeconds(9)), (third.State!.Type, third.RunCount, third.StartTime, third.EndTime));

        async Task<string> StatesOf(Guid id) => string.Join(",", (await Server.Http.GetJsonAsync($"task_run_states/?task_run_id={id}")).Body!.AsArray()
            .Select(s => s!["type"]!.GetValue<string>()));
        Assert.Equal("PENDING,RUNNING,COMPLETED", await StatesOf(twice));
        Assert.Equal("PENDING,RUNNING,FAILED", await StatesOf(later));
        Assert.Equal("PENDING,RUNNING,COMPLETED", await StatesOf(stored.Id));
    }

    [Fact]
    public async Task TaskRetries_FollowTheirDelays_AndTheRunCount()
    {
        var run = await RunningFlowRunAsync();
        var task = await Server.Client.CreateTaskRunAsync(new TaskRunCreate
        {
            FlowRunId = run.Id,
            TaskKey = "flaky",
            DynamicKey = "0",
            EmpiricalPolicy = new TaskRunPolicy { Retries = 1, RetryDelay = System.Text.Json.Nodes.JsonValue.Create(0) },
        });

        await Server.Client.SetTaskRunStateAsync(task.Id, new StateCreate { Type = StateType.Running });
        var retry = await Server.Client.SetTaskRunStateAsync(task.Id, new StateCreate { Type = StateType.Failed, Message = "flake" });
        var again = await Server.Client.SetTaskRunStateAsync(task.Id, new StateCreate { Type = StateType.Running });
        var done = await Server.Client.SetTaskRunStateAsync(task.Id, new StateCreate { Type = StateType.Completed });

        Assert.Equal((OrchestrationStatus.Reject, "AwaitingRetry"), (retry.Status, retry.State!.Name));
        Assert.Equal((OrchestrationStatus.Accept, "Retrying"), (again.Status, again.State!.Name));
        Assert.Equal(OrchestrationStatus.Accept, done.Status);
        var read = await Server.Client.ReadTaskRunAsync(task.Id);
        Assert.Equal((StateType.Completed, 2), (read.StateType!.Value, read.RunCount));
        var states = await Server.Http.GetJsonAsync($"task_run_states/?task_run_id={task.Id}");
        Assert.Equal(["Pending", "Running", "AwaitingRetry", "Retrying", "Completed"], states.Body!.AsArray().Select(s => s!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task TaskStart_WhileItsFlowIsNotRunning_IsAborted()
    {
        var deployment = await Server.Client.DeploymentAsync();
        var run = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id);
        var task = await Server.Client.CreateTaskRunAsync(new TaskRunCreate { FlowRunId = run.Id, TaskKey = "t", DynamicKey = "0" });

        var answer = await Server.Client.SetTaskRunStateAsync(task.Id, new StateCreate { Type = StateType.Running });

        Assert.Equal(OrchestrationStatus.Abort, answer.Status);
        Assert.Contains("enclosing flow must be running", answer.Details.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FilterTaskRuns_ByFlowRunAndState()
    {
        var run = await RunningFlowRunAsync();
        var a = await Server.Client.CreateTaskRunAsync(new TaskRunCreate { FlowRunId = run.Id, TaskKey = "a", DynamicKey = "0" });
        await Server.Client.CreateTaskRunAsync(new TaskRunCreate { FlowRunId = run.Id, TaskKey = "b", DynamicKey = "0" });
        await Server.Client.SetTaskRunStateAsync(a.Id, new StateCreate { Type = StateType.Running });

        var all = await Server.Client.FilterTaskRunsAsync(new TaskRunFilterRequest { TaskRuns = new() { FlowRunId = new() { Any = [run.Id] } } });
        var running = await Server.Client.FilterTaskRunsAsync(new TaskRunFilterRequest
        {
            TaskRuns = new() { FlowRunId = new() { Any = [run.Id] }, State = new() { Type = new() { Any = [StateType.Running] } } },
        });

        Assert.Equal(2, all.Count);
        Assert.Equal([a.Id], running.Select(t => t.Id));
    }

    [Fact]
    public async Task Logs_AreStoredInBatches_AndFilteredByRunLevelTextAndTime()
    {
        var run = await RunningFlowRunAsync();
        var t0 = Server.Clock.GetUtcNow();
        var response = await Server.Http.PostJsonAsync("logs/", $$"""
            [{"name": "reeve.flow_runs", "level": 20, "message": "Stars: 42", "timestamp": "{{t0:O}}", "flow_run_id": "{{run.Id}}"},
             {"name": "reeve.flow_runs", "level": 40, "message": "Forks: 7", "timestamp": "{{t0.AddSeconds(1):O}}", "flow_run_id": "{{run.Id}}"},
             {"name": "other", "level": 20, "message": "elsewhere", "timestamp": "{{t0:O}}"}]
            """);

        var forRun = await Server.Client.FilterLogsAsync(new LogFilterRequest { Logs = new() { FlowRunId = new() { Any = [run.Id] } } });
        var errors = await Server.Client.FilterLogsAsync(new LogFilterRequest { Logs = new() { FlowRunId = new() { Any = [run.Id] }, Level = new() { AtLeast = 40 } } });
        var text = await Server.Client.FilterLogsAsync(new LogFilterRequest { Logs = new() { FlowRunId = new() { Any = [run.Id] }, Text = new() { Query = "STARS" } } });
        var latest = await Server.Client.FilterLogsAsync(new LogFilterRequest { Logs = new() { FlowRunId = new() { Any = [run.Id] } }, Sort = "TIMESTAMP_DESC", Limit = 1 });

        Assert.Equal(HttpStatusCode.Created, response.Status);
        Assert.Equal(["Stars: 42", "Forks: 7"], forRun.Select(l => l.Message));
        Assert.Equal(["Forks: 7"], errors.Select(l => l.Message));
        Assert.Equal(["Stars: 42"], text.Select(l => l.Message));
        Assert.Equal(["Forks: 7"], latest.Select(l => l.Message));
    }

    [Fact]
    public async Task Logs_TooManyInOneBatch_Is413_ATooLongMessage_Is422NamingIt()
    {
        var line = """{"name": "n", "level": 20, "message": "m", "timestamp": "2026-11-27T00:00:00Z"}""";
        var tooMany = new StringBuilder("[");
        tooMany.AppendJoin(',', Enumerable.Repeat(line, 10_001)).Append(']');
        var tooLong = $$"""[{{line}}, {"name": "n", "level": 20, "message": "{{new string('x', 1_000_001)}}", "timestamp": "2026-11-27T00:00:00Z"}]""";

        var many = await Server.Http.PostJsonAsync("logs/", tooMany.ToString());
        var longOne = await Server.Http.PostJsonAsync("logs/", tooLong);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, many.Status);
        Assert.Contains("at most 10000 log lines", many.Detail, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "[1].message"), (longOne.Status, longOne.Field));
    }

    [Fact]
    public async Task DeletingARun_DeletesItsLogs()
    {
        var run = await RunningFlowRunAsync();
        await Server.Client.CreateLogsAsync([new LogCreate { Name = "n", Level = 20, Message = "bye", Timestamp = Server.Clock.GetUtcNow(), FlowRunId = run.Id }]);

        await Server.Client.DeleteFlowRunAsync(run.Id);

        Assert.Empty(await Server.Client.FilterLogsAsync(new LogFilterRequest { Logs = new() { FlowRunId = new() { Any = [run.Id] } } }));
    }
}

public sealed class TaskRunsAndLogsApiTests_Sqlite(SqliteServerFixture fixture) : TaskRunsAndLogsApiTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class TaskRunsAndLogsApiTests_Postgres(PostgresServerFixture fixture) : TaskRunsAndLogsApiTests(fixture), IClassFixture<PostgresServerFixture>;
