using System.Net;
using Reeve.Core.WorkPools;

namespace Reeve.Server.Tests.Api;

/// <summary>
/// Requests as Prefect's own client and workers send them (PrefectHQ/prefect 2.20.25 and 3.x; the source of each
/// case is named), answered as Prefect's server answers them: the migration path of a team that points
/// <c>PREFECT_API_URL</c> at Reeve.
/// </summary>
public abstract class PrefectContractTests(ServerFixture fixture)
{
    private RunningServer Server => fixture.Server;

    private async Task<string> CreatePoolAsync()
    {
        var name = Names.Unique("prefect-pool");
        await Server.Client.CreateWorkPoolAsync(new WorkPoolCreate { Name = name, Type = "process" });
        return name;
    }

    // client/orchestration.py: read_work_queues, read_flows, read_flow_runs, read_deployments, read_task_runs, read_logs,
    // read_work_pools, read_workers_for_work_pool all send "offset": offset (None unless the caller pages) and
    // "limit": limit (None); Prefect's server takes an explicit null as the default (offset 0, its default limit).
    [Theory]
    [InlineData("flows/filter")]
    [InlineData("flows/count")]
    [InlineData("flow_runs/filter")]
    [InlineData("flow_runs/count")]
    [InlineData("deployments/filter")]
    [InlineData("deployments/count")]
    [InlineData("task_runs/filter")]
    [InlineData("task_runs/count")]
    [InlineData("logs/filter")]
    [InlineData("work_pools/filter")]
    [InlineData("work_pools/count")]
    [InlineData("work_pools/{pool}/queues/filter")]
    [InlineData("work_pools/{pool}/workers/filter")]
    public async Task AnExplicitNullOffsetAndLimit_MeanTheDefaults(string path)
    {
        var pool = await CreatePoolAsync();

        var answer = await Server.Http.PostJsonAsync(path.Replace("{pool}", pool, StringComparison.Ordinal), """{"offset": null, "limit": null}""");

        Assert.True(answer.Status == HttpStatusCode.OK, answer.Text);
    }

    // The bodies of client/orchestration.py's read_flows, read_flow_runs, read_deployments, read_task_runs and
    // read_workers_for_work_pool (3.x; 2.20's carry the same keys): every filter key, null when unused.
    [Theory]
    [InlineData("flows/filter", """{"flows": null, "flow_runs": null, "task_runs": null, "deployments": null, "work_pools": null, "work_queues": null, "sort": null, "limit": null, "offset": 0}""")]
    [InlineData("flow_runs/filter", """{"flows": null, "flow_runs": null, "task_runs": null, "deployments": null, "work_pools": null, "work_pool_queues": null, "sort": null, "limit": null, "offset": 0}""")]
    [InlineData("flow_runs/count", """{"flows": null, "flow_runs": null, "task_runs": null, "deployments": null, "work_pools": null, "work_pool_queues": null}""")]
    [InlineData("deployments/filter", """{"flows": null, "flow_runs": null, "task_runs": null, "deployments": null, "work_pools": null, "work_pool_queues": null, "limit": null, "offset": 0, "sort": null}""")]
    [InlineData("deployments/count", """{"flows": null, "flow_runs": null, "task_runs": null, "deployments": null, "work_pools": null, "work_pool_queues": null}""")]
    [InlineData("task_runs/filter", """{"flows": null, "flow_runs": null, "task_runs": null, "deployments": null, "sort": null, "limit": null, "offset": 0}""")]
    [InlineData("work_pools/{pool}/workers/filter", """{"worker_filter": null, "offset": null, "limit": null}""")]
    public async Task TheListBodiesPrefectsClientSends_AreAnswered(string path, string body)
    {
        var pool = await CreatePoolAsync();

        var answer = await Server.Http.PostJsonAsync(path.Replace("{pool}", pool, StringComparison.Ordinal), body);

        Assert.True(answer.Status == HttpStatusCode.OK, answer.Text);
    }

    [Theory]
    [InlineData("flow_runs/filter", "task_runs")]
    [InlineData("deployments/filter", "flow_runs")]
    [InlineData("deployments/filter", "work_pool_queues")]
    [InlineData("flows/filter", "task_runs")]
    [InlineData("task_runs/filter", "deployments")]
    public async Task AFilterReeveDoesNotApplyYet_IsRefusedByName_NotIgnored(string path, string field)
    {
        var answer = await Server.Http.PostJsonAsync(path, "{\"" + field + "\": {\"id\": {\"any_\": [\"" + Guid.NewGuid() + "\"]}}}");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.Status);
        Assert.Equal(field, answer.Field);
        Assert.Contains("does not filter by this yet", answer.Detail, StringComparison.Ordinal);
    }

    // Prefect's client sends its worker filter as "worker_filter", which Prefect's server does not read: ignored alike.
    [Fact]
    public async Task AWorkerFilterUnderPrefectsClientsName_IsIgnoredAsPrefectsServerIgnoresIt()
    {
        var pool = await CreatePoolAsync();
        await Server.Client.HeartbeatAsync(pool, new Core.Workers.WorkerHeartbeat { Name = "w" });

        var answer = await Server.Http.PostJsonAsync($"work_pools/{pool}/workers/filter", """{"worker_filter": {"last_heartbeat_time": {"after_": "2999-01-01T00:00:00Z"}}}""");

        Assert.True(answer.Status == HttpStatusCode.OK, answer.Text);
        Assert.Single(answer.Body!.AsArray());
    }

    [Fact]
    public async Task ANullOffset_StartsAtTheFirst()
    {
        var pool = await CreatePoolAsync();

        var paged = await Server.Http.PostJsonAsync("work_pools/filter", $$$"""{"work_pools": {"name": {"any_": ["{{{pool}}}"]}}, "offset": null, "limit": null}""");

        Assert.Equal([pool], paged.Body!.AsArray().Select(p => p!["name"]!.GetValue<string>()));
    }

    // workers/base.py: BaseWorker.sync_with_backend sends heartbeat_interval_seconds from PREFECT_WORKER_HEARTBEAT_SECONDS,
    // a float setting: every Prefect worker sends 30.0. Prefect's server (pydantic, lax) takes a whole float for an int.
    [Fact]
    public async Task AWorkersHeartbeat_WithAWholeFloatInterval_IsTakenAsThatWholeNumber()
    {
        var pool = await CreatePoolAsync();

        var beat = await Server.Http.PostJsonAsync($"work_pools/{pool}/workers/heartbeat", """{"name": "prefect-worker", "heartbeat_interval_seconds": 30.0}""");

        Assert.True(beat.Status == HttpStatusCode.NoContent, beat.Text);
        Assert.Equal(30, (await Server.Client.FilterWorkersAsync(pool)).Single().HeartbeatIntervalSeconds);
    }

    [Fact]
    public async Task AWholeFloatLimit_Pages()
    {
        await CreatePoolAsync();
        await CreatePoolAsync();

        var paged = await Server.Http.PostJsonAsync("work_pools/filter", """{"limit": 1.0, "offset": 1e0}""");

        Assert.True(paged.Status == HttpStatusCode.OK, paged.Text);
        Assert.Single(paged.Body!.AsArray());
    }

    [Theory]
    [InlineData("30.5")]
    [InlineData("\"30\"")]
    [InlineData("1e15")]
    [InlineData("-1e400")]
    [InlineData("true")]
    public async Task AnIntervalThatIsNoWholeNumberItCanHold_IsStillRefused_NamingTheField(string value)
    {
        var pool = await CreatePoolAsync();

        var beat = await Server.Http.PostJsonAsync($"work_pools/{pool}/workers/heartbeat", $$"""{"name": "w", "heartbeat_interval_seconds": {{value}}}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, beat.Status);
        Assert.Contains("heartbeat_interval_seconds", beat.Text, StringComparison.Ordinal);
    }

    // The work-queue commands of Prefect's CLI (cli/work_queue.py) with a pool: create posts to the pool's queues with
    // "filter": null (client/orchestration.py create_work_queue); ls without a pool posts /work_queues/filter; pause,
    // resume, set-concurrency-limit, inspect and delete find the queue by name, then act by id (server/api/work_queues.py).
    [Fact]
    public async Task TheWorkQueueCommands_FindAQueueByName_AndActOnItById()
    {
        var pool = await CreatePoolAsync();
        var name = Names.Unique("prefect-queue");

        var created = await Server.Http.PostJsonAsync($"work_pools/{pool}/queues/",
            $$"""{"name": "{{name}}", "description": "", "is_paused": false, "concurrency_limit": null, "priority": null, "filter": null}""");
        Assert.True(created.Status == HttpStatusCode.Created, created.Text);
        var id = created.Body!["id"]!.GetValue<string>();

        var listed = await Server.Http.PostJsonAsync("work_queues/filter", $$$"""{"work_queues": {"name": {"any_": ["{{{name}}}"]}}, "limit": null, "offset": null}""");
        Assert.Equal([pool], listed.Body!.AsArray().Select(q => q!["work_pool_name"]!.GetValue<string>()));
        Assert.Equal(id, (await Server.Http.GetJsonAsync($"work_queues/name/{name}")).Body!["id"]!.GetValue<string>());
        Assert.Equal(name, (await Server.Http.GetJsonAsync($"work_queues/{id}")).Body!["name"]!.GetValue<string>());

        var paused = await Server.Http.PatchJsonAsync($"work_queues/{id}", """{"is_paused": true}""");
        var limited = await Server.Http.PatchJsonAsync($"work_queues/{id}", """{"concurrency_limit": 5}""");
        Assert.Equal(HttpStatusCode.NoContent, paused.Status);
        Assert.Equal(HttpStatusCode.NoContent, limited.Status);
        var read = await Server.Client.ReadWorkQueueAsync(pool, name);
        Assert.True(read.IsPaused);
        Assert.Equal(5, read.ConcurrencyLimit);

        var health = await Server.Http.GetJsonAsync($"work_queues/{id}/status");
        Assert.Equal(HttpStatusCode.OK, health.Status);
        Assert.False(health.Body!["healthy"]!.GetValue<bool>());
        Assert.Equal(0, health.Body!["late_runs_count"]!.GetValue<int>());
        Assert.Equal(60, health.Body!["health_check_policy"]!["maximum_seconds_since_last_polled"]!.GetValue<int>());

        Assert.Equal(HttpStatusCode.NoContent, (await Server.Http.DeleteJsonAsync($"work_queues/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.GetJsonAsync($"work_queues/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.PatchJsonAsync($"work_queues/{id}", """{"is_paused": false}""")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.GetJsonAsync($"work_queues/name/{name}")).Status);
    }

    // client/orchestration.py create_work_queue without work_pool_name posts to /work_queues/, which Prefect's server
    // (server/api/work_queues.py, models/work_queues.py) puts in its agents' pool, default-agent-pool.
    [Fact]
    public async Task AQueueWithoutAPool_GoesToThePoolNamedDefaultAgentPool_OrIsRefusedSayingHowToNameOne()
    {
        const string body = """{"name": "agent-queue", "description": "", "is_paused": false, "concurrency_limit": null, "priority": null, "filter": null}""";
        if ((await Server.Http.GetJsonAsync("work_pools/default-agent-pool")).Status == HttpStatusCode.NotFound)
        {
            var refused = await Server.Http.PostJsonAsync("work_queues/", body);
            Assert.Equal(HttpStatusCode.NotFound, refused.Status);
            Assert.Contains("--pool POOL", refused.Detail, StringComparison.Ordinal);
            await Server.Http.PostJsonAsync("work_pools/", """{"name": "default-agent-pool", "type": "process"}""");
        }

        var created = await Server.Http.PostJsonAsync("work_queues/", body.Replace("agent-queue", Names.Unique("agent-queue"), StringComparison.Ordinal));

        Assert.True(created.Status == HttpStatusCode.Created, created.Text);
        Assert.Equal("default-agent-pool", created.Body!["work_pool_name"]!.GetValue<string>());
    }

    [Fact]
    public async Task APoolsDefaultQueue_CannotBeDeletedById()
    {
        var pool = await CreatePoolAsync();
        var id = (await Server.Client.ReadWorkPoolAsync(pool)).DefaultQueueId;

        var deleted = await Server.Http.DeleteJsonAsync($"work_queues/{id}");

        Assert.Equal(HttpStatusCode.Conflict, deleted.Status);
        Assert.Contains("default queue", deleted.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARenameById_ToANameThePoolHas_IsAConflict()
    {
        var pool = await CreatePoolAsync();
        var first = await Server.Client.CreateWorkQueueAsync(pool, new Core.WorkQueues.WorkQueueCreate { Name = "first" });
        await Server.Client.CreateWorkQueueAsync(pool, new Core.WorkQueues.WorkQueueCreate { Name = "second" });

        var renamed = await Server.Http.PatchJsonAsync($"work_queues/{first.Id}", """{"name": "second"}""");

        Assert.Equal(HttpStatusCode.Conflict, renamed.Status);
        Assert.Contains($"work pool '{pool}'", renamed.Detail, StringComparison.Ordinal);
    }

    // client/orchestration.py create_deployment (2.20): Prefect 2's infra_overrides, its single schedule with
    // is_schedule_active, manifest_path, and schedules[].max_active_runs / catchup (schemas/actions.py DeploymentCreate:
    // set_deployment_schedules turns schedule into schedules; DeprecatedInfraOverridesField takes infra_overrides as
    // job_variables); 2.x clients read the same names back.
    [Fact]
    public async Task APrefect2DeploymentBody_IsTaken_AndReadBackInItsOwnNames()
    {
        var flow = await Server.Http.PostJsonAsync("flows/", $$"""{"name": "{{Names.Unique("prefect-flow")}}"}""");
        var flowId = flow.Body!["id"]!.GetValue<string>();

        var created = await Server.Http.PostJsonAsync("deployments/", $$$$"""
            {"name": "from-prefect", "flow_id": "{{{{flowId}}}}", "version": null, "description": null, "tags": [], "parameters": {},
             "schedule": {"interval": 3600.0, "anchor_date": "2026-01-01T00:00:00+00:00", "timezone": "UTC"}, "is_schedule_active": false,
             "infra_overrides": {"env": {"LEVEL": "debug"}}, "manifest_path": null, "path": ".", "entrypoint": "flows/etl.py:etl",
             "storage_document_id": null, "infrastructure_document_id": null, "work_queue_name": null, "work_pool_name": null}
            """);

        Assert.True(created.Status == HttpStatusCode.Created, created.Text);
        var body = created.Body!;
        Assert.Equal("debug", body["job_variables"]!["env"]!["LEVEL"]!.GetValue<string>());
        Assert.Equal("debug", body["infra_overrides"]!["env"]!["LEVEL"]!.GetValue<string>());
        var schedule = Assert.Single(body["schedules"]!.AsArray());
        Assert.False(schedule!["active"]!.GetValue<bool>());
        Assert.Equal(3600, schedule["schedule"]!["interval"]!.GetValue<double>());
        Assert.Equal(3600, body["schedule"]!["interval"]!.GetValue<double>());
        Assert.True(body["is_schedule_active"]!.GetValue<bool>());
        Assert.Null(body["manifest_path"]);
    }

    // client/orchestration.py update_deployment (2.20) sends DeploymentUpdate with Prefect 2's names; update_schedule
    // (prefect deployment pause-schedule / resume-schedule) sends is_schedule_active alone.
    [Fact]
    public async Task APrefect2DeploymentUpdate_IsTakenInItsOwnNames()
    {
        var deployment = await Server.Client.DeploymentAsync(await CreatePoolAsync());

        var patched = await Server.Http.PatchJsonAsync($"deployments/{deployment.Id}", """
            {"infra_overrides": {"env": {"LEVEL": "info"}}, "schedule": {"interval": 600.0, "timezone": "UTC"}, "is_schedule_active": true,
             "manifest_path": null, "tags": ["etl"], "description": "from prefect 2"}
            """);
        var read = (await Server.Http.GetJsonAsync($"deployments/{deployment.Id}")).Body!;
        var paused = await Server.Http.PatchJsonAsync($"deployments/{deployment.Id}", """{"is_schedule_active": false}""");
        var afterPause = (await Server.Http.GetJsonAsync($"deployments/{deployment.Id}")).Body!;
        var conflicting = await Server.Http.PatchJsonAsync($"deployments/{deployment.Id}", """{"is_schedule_active": false, "paused": false}""");

        Assert.True(patched.Status == HttpStatusCode.NoContent, patched.Text);
        Assert.Equal("info", read["job_variables"]!["env"]!["LEVEL"]!.GetValue<string>());
        Assert.Equal(600, Assert.Single(read["schedules"]!.AsArray())!["schedule"]!["interval"]!.GetValue<double>());
        Assert.Equal(HttpStatusCode.NoContent, paused.Status);
        Assert.True(afterPause["paused"]!.GetValue<bool>());
        Assert.False(afterPause["is_schedule_active"]!.GetValue<bool>());
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "is_schedule_active"), (conflicting.Status, conflicting.Field));
    }

    [Fact]
    public async Task ScheduleFieldsPrefectKeepsButDoesNotEnforce_AreTaken_AndANonPositiveMaxActiveRunsIsRefused()
    {
        var deployment = await Server.Client.DeploymentAsync(await CreatePoolAsync());
        var flowId = deployment.FlowId;

        var taken = await Server.Http.PostJsonAsync("deployments/", $$"""
            {"name": "{{deployment.Name}}", "flow_id": "{{flowId}}", "schedules": [{"schedule": {"interval": 60}, "active": false, "max_active_runs": 3, "catchup": false}]}
            """);
        var refused = await Server.Http.PostJsonAsync("deployments/", $$"""
            {"name": "{{deployment.Name}}", "flow_id": "{{flowId}}", "schedules": [{"schedule": {"interval": 60}, "max_active_runs": 0}]}
            """);
        var both = await Server.Http.PostJsonAsync("deployments/", $$$$"""
            {"name": "{{{{deployment.Name}}}}", "flow_id": "{{{{flowId}}}}", "job_variables": {"env": {"A": "1"}}, "infra_overrides": {"env": {"A": "2"}}}
            """);

        // The same rule on the other doors to a deployment's schedules: a PATCH of them, and adding some.
        var patched = await Server.Http.PatchJsonAsync($"deployments/{deployment.Id}", """{"schedules": [{"schedule": {"interval": 60}, "max_active_runs": -1}]}""");
        var added = await Server.Http.PostJsonAsync($"deployments/{deployment.Id}/schedules", """[{"schedule": {"interval": 60}, "max_active_runs": 0}]""");

        Assert.True(taken.Status == HttpStatusCode.OK, taken.Text);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);
        Assert.Equal("schedules[0].max_active_runs", refused.Field);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, patched.Status);
        Assert.Equal("schedules[0].max_active_runs", patched.Field);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, added.Status);
        Assert.Equal("[0].max_active_runs", added.Field);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, both.Status);
        Assert.Equal("infra_overrides", both.Field);
    }

    // server/api/root.py: GET /hello answers "👋"; Prefect's clients use it to see whether a server answers.
    [Fact]
    public async Task Hello_SaysHello()
    {
        var hello = await Server.Http.GetJsonAsync("hello");

        Assert.Equal(HttpStatusCode.OK, hello.Status);
        Assert.Equal("\U0001F44B", hello.Body!.GetValue<string>());
    }

    // server/api/csrf_token.py: with CSRF protection off (Prefect's default, and Reeve has none), 422 "CSRF protection is
    // disabled."; the client parameter is required before that.
    [Fact]
    public async Task CsrfToken_SaysCsrfProtectionIsDisabled()
    {
        var token = await Server.Http.GetJsonAsync("csrf-token?client=prefect-ui");
        var nameless = await Server.Http.GetJsonAsync("csrf-token");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, token.Status);
        Assert.Equal("CSRF protection is disabled.", token.Detail);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, nameless.Status);
        Assert.Equal("client", nameless.Field);
    }
}

public sealed class PrefectContractTests_Sqlite(SqliteServerFixture fixture) : PrefectContractTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class PrefectContractTests_Postgres(PostgresServerFixture fixture) : PrefectContractTests(fixture), IClassFixture<PostgresServerFixture>;
