using System.Net;
using Reeve.Core.Deployments;
using Reeve.Core.FlowRuns;
using Reeve.Core.States;

namespace Reeve.Server.Tests.Api;

public abstract class DeploymentsApiTests(ServerFixture fixture)
{
    private RunningServer Server => fixture.Server;

    private static readonly System.Text.Json.Nodes.JsonObject RepoSchema = Seed.Json("""
        {"type": "object", "properties": {"repo_name": {"type": "string"}, "retries": {"type": "integer", "minimum": 0}}, "required": ["repo_name"]}
        """);

    [Fact]
    public async Task Create_Returns201_RePost_Returns200AndChangesOnlyTheFieldsSent()
    {
        var flow = await Server.Client.FlowAsync();
        var body = $$"""{"name": "nightly", "flow_id": "{{flow.Id}}", "description": "first", "tags": ["etl"], "version": "1"}""";

        var first = await Server.Http.PostJsonAsync("deployments/", body);
        var second = await Server.Http.PostJsonAsync("deployments/", $$"""{"name": "nightly", "flow_id": "{{flow.Id}}", "version": "2"}""");

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.Equal(first.Body!["id"]!.GetValue<Guid>(), second.Body!["id"]!.GetValue<Guid>());
        Assert.Equal("2", second.Body!["version"]!.GetValue<string>());
        Assert.Equal("first", second.Body!["description"]!.GetValue<string>());
        Assert.Equal("etl", second.Body!["tags"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_WithAPool_GoesToItsDefaultQueue_OrToANamedQueueCreatedOnTheSpot()
    {
        var pool = await Server.Client.PoolAsync();

        var toDefault = await Server.Client.DeploymentAsync(pool);
        var toNew = await Server.Client.DeploymentAsync(pool, queue: "critical");

        Assert.Equal((pool, "default"), (toDefault.WorkPoolName, toDefault.WorkQueueName));
        Assert.Equal((pool, "critical"), (toNew.WorkPoolName, toNew.WorkQueueName));
        Assert.Equal(2, (await Server.Client.ReadWorkQueueAsync(pool, "critical")).Priority);
    }

    [Fact]
    public async Task Create_UnknownPool_Is404_QueueWithoutPool_Is422()
    {
        var flow = await Server.Client.FlowAsync();

        var noPool = await Server.Http.PostJsonAsync("deployments/", $$"""{"name": "d", "flow_id": "{{flow.Id}}", "work_pool_name": "nope-pool"}""");
        var queueOnly = await Server.Http.PostJsonAsync("deployments/", $$"""{"name": "d", "flow_id": "{{flow.Id}}", "work_queue_name": "q"}""");
        var noFlow = await Server.Http.PostJsonAsync("deployments/", $$"""{"name": "d", "flow_id": "{{Guid.NewGuid()}}"}""");

        Assert.Equal(HttpStatusCode.NotFound, noPool.Status);
        Assert.Contains("nope-pool", noPool.Detail, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "work_queue_name"), (queueOnly.Status, queueOnly.Field));
        Assert.Equal(HttpStatusCode.NotFound, noFlow.Status);
    }

    [Theory]
    [InlineData("""{"stream_output": "yes"}""", "job_variables.stream_output")]
    [InlineData("""{"env": {"A": 1}}""", "job_variables.env.A")]
    [InlineData("""{"imagee": "x"}""", "job_variables.imagee")]
    public async Task Create_BadJobVariable_Returns422NamingIt(string variables, string field)
    {
        var pool = await Server.Client.PoolAsync();
        var flow = await Server.Client.FlowAsync();

        var response = await Server.Http.PostJsonAsync("deployments/", $$"""{"name": "d", "flow_id": "{{flow.Id}}", "work_pool_name": "{{pool}}", "job_variables": {{variables}}}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Equal(field, response.Field);
    }

    [Fact]
    public async Task Create_GoodJobVariables_AreKept_IncludingDottedKeys()
    {
        var pool = await Server.Client.PoolAsync();

        var deployment = await Server.Client.DeploymentAsync(pool, jobVariables: Seed.Json("""{"env": {"STAGE": "prod"}, "env.EXTRA": "1", "stream_output": false}"""));

        Assert.Equal("prod", deployment.JobVariables["env"]!["STAGE"]!.GetValue<string>());
        Assert.Equal("1", deployment.JobVariables["env.EXTRA"]!.GetValue<string>());
    }

    [Fact]
    public async Task ReadByName_PatchPauseResumeAndDelete()
    {
        var deployment = await Server.Client.DeploymentAsync();
        var flow = await Server.Client.ReadFlowAsync(deployment.FlowId);

        var byName = await Server.Client.ReadDeploymentByNameAsync(flow.Name, deployment.Name);
        await Server.Client.UpdateDeploymentAsync(deployment.Id, new DeploymentUpdate { Description = "changed", ConcurrencyLimit = 3 });
        await Server.Client.PauseDeploymentAsync(deployment.Id);
        var paused = await Server.Client.ReadDeploymentAsync(deployment.Id);
        await Server.Client.ResumeDeploymentAsync(deployment.Id);
        var resumed = await Server.Client.ReadDeploymentAsync(deployment.Id);
        await Server.Client.DeleteDeploymentAsync(deployment.Id);

        Assert.Equal(deployment.Id, byName.Id);
        Assert.Equal(("changed", 3, true), (paused.Description, paused.ConcurrencyLimit, paused.Paused));
        Assert.False(resumed.Paused);
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.GetJsonAsync($"deployments/{deployment.Id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.GetJsonAsync($"deployments/name/{flow.Name}/{deployment.Name}")).Status);
    }

    [Fact]
    public async Task Filter_ByPoolAndPausedAndName()
    {
        var pool = await Server.Client.PoolAsync();
        var a = await Server.Client.DeploymentAsync(pool);
        var b = await Server.Client.DeploymentAsync(pool);
        await Server.Client.PauseDeploymentAsync(b.Id);

        var inPool = await Server.Client.FilterDeploymentsAsync(new DeploymentFilterRequest { WorkPools = new() { Name = new() { Any = [pool] } } });
        var paused = await Server.Client.CountDeploymentsAsync(new DeploymentFilterRequest
        {
            WorkPools = new() { Name = new() { Any = [pool] } },
            Deployments = new() { Paused = new() { Equal = true } },
        });

        Assert.Equal(new[] { a.Id, b.Id }.Order(), inPool.Select(d => d.Id).Order());
        Assert.Equal(1, paused);
    }

    [Fact]
    public async Task CreateFlowRun_MergesParameters_DefaultsToScheduledNow_AndJoinsTags()
    {
        var pool = await Server.Client.PoolAsync();
        var deployment = await Server.Client.DeploymentAsync(pool, schema: RepoSchema, parameters: Seed.Json("""{"repo_name": "PrefectHQ/prefect", "retries": 1}"""));

        var response = await Server.Http.PostJsonAsync($"deployments/{deployment.Id}/create_flow_run", """{"parameters": {"retries": 3}, "tags": ["manual"]}""");

        Assert.Equal(HttpStatusCode.Created, response.Status);
        var run = response.Body!;
        Assert.Equal("PrefectHQ/prefect", run["parameters"]!["repo_name"]!.GetValue<string>());
        Assert.Equal(3, run["parameters"]!["retries"]!.GetValue<int>());
        Assert.Equal("SCHEDULED", run["state_type"]!.GetValue<string>());
        Assert.Equal("Scheduled", run["state"]!["name"]!.GetValue<string>());
        Assert.Equal((pool, "default"), (run["work_pool_name"]!.GetValue<string>(), run["work_queue_name"]!.GetValue<string>()));
        Assert.Contains("manual", run["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Matches("^[a-z]+-[a-z]+$", run["name"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"parameters": {"retries": "three"}}""", "parameters.retries")]
    [InlineData("""{"parameters": {"retries": -1}}""", "parameters.retries")]
    [InlineData("""{"parameters": {"repo": "typo"}}""", "parameters.repo")]
    public async Task CreateFlowRun_BadParameter_Returns422NamingIt(string body, string field)
    {
        var deployment = await Server.Client.DeploymentAsync(schema: RepoSchema, parameters: Seed.Json("""{"repo_name": "x"}"""));

        var response = await Server.Http.PostJsonAsync($"deployments/{deployment.Id}/create_flow_run", body);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Equal(field, response.Field);
        Assert.Equal(0, await Server.Client.CountFlowRunsAsync(new FlowRunFilterRequest { FlowRuns = new() { DeploymentId = new() { Any = [deployment.Id] } } }));
    }

    [Fact]
    public async Task CreateFlowRun_MissingRequiredParameter_IsRefused_UnlessEnforcementIsOff()
    {
        var deployment = await Server.Client.DeploymentAsync(schema: RepoSchema);

        var refused = await Server.Http.PostJsonAsync($"deployments/{deployment.Id}/create_flow_run", "{}");
        var allowed = await Server.Http.PostJsonAsync($"deployments/{deployment.Id}/create_flow_run", """{"enforce_parameter_schema": false, "parameters": {"anything": 1}}""");

        Assert.Equal((HttpStatusCode.UnprocessableEntity, "parameters.repo_name"), (refused.Status, refused.Field));
        Assert.Equal(HttpStatusCode.Created, allowed.Status);
    }

    [Fact]
    public async Task CreateFlowRun_RequiredJobVariable_IsEnforcedForRunsOnly()
    {
        var template = Seed.Json("""
            {"job_configuration": {"image": "{{ image }}"},
             "variables": {"type": "object", "required": ["image"], "properties": {"image": {"type": "string"}}}}
            """);
        var pool = await Server.Client.PoolAsync(type: "docker", template: template);
        var deployment = await Server.Client.DeploymentAsync(pool);

        var refused = await Server.Http.PostJsonAsync($"deployments/{deployment.Id}/create_flow_run", "{}");
        var allowed = await Server.Http.PostJsonAsync($"deployments/{deployment.Id}/create_flow_run", """{"job_variables": {"image": "flows:1"}}""");

        Assert.Equal((HttpStatusCode.UnprocessableEntity, "job_variables.image"), (refused.Status, refused.Field));
        Assert.Equal(HttpStatusCode.Created, allowed.Status);
        Assert.Equal("flows:1", allowed.Body!["job_variables"]!["image"]!.GetValue<string>());
    }

    [Fact]
    public async Task CreateFlowRun_SameIdempotencyKey_ReturnsTheFirstRunWith200()
    {
        var deployment = await Server.Client.DeploymentAsync();

        var first = await Server.Http.PostJsonAsync($"deployments/{deployment.Id}/create_flow_run", """{"idempotency_key": "k1", "name": "first"}""");
        var again = await Server.Http.PostJsonAsync($"deployments/{deployment.Id}/create_flow_run", """{"idempotency_key": "k1", "name": "second"}""");

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK), (first.Status, again.Status));
        Assert.Equal(first.Body!["id"]!.GetValue<Guid>(), again.Body!["id"]!.GetValue<Guid>());
        Assert.Equal("first", again.Body!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task CreateFlowRun_ConcurrentlyWithOneIdempotencyKey_MakesOneRun()
    {
        var deployment = await Server.Client.DeploymentAsync();

        var runs = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ =>
            Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id, new DeploymentFlowRunCreate { IdempotencyKey = "once" })));

        Assert.Single(runs.Select(r => r.Id).Distinct());
        Assert.Equal(1, await Server.Client.CountFlowRunsAsync(new FlowRunFilterRequest { FlowRuns = new() { DeploymentId = new() { Any = [deployment.Id] } } }));
    }

    [Fact]
    public async Task CreateFlowRun_InAnotherQueueOfThePool_CreatesIt()
    {
        var pool = await Server.Client.PoolAsync();
        var deployment = await Server.Client.DeploymentAsync(pool);

        var run = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id, new DeploymentFlowRunCreate { WorkQueueName = "urgent" });

        Assert.Equal("urgent", run.WorkQueueName);
        Assert.Equal("urgent", (await Server.Client.ReadWorkQueueAsync(pool, "urgent")).Name);
    }

    [Fact]
    public async Task ScheduledRunsOfDeployments_AreTheDueOnesEarliestFirst_AndMarkTheDeploymentReady()
    {
        var deployment = await Server.Client.DeploymentAsync();
        var now = Server.Clock.GetUtcNow();
        var later = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id, new DeploymentFlowRunCreate
        {
            State = new StateCreate { Type = StateType.Scheduled, StateDetails = new StateDetails { ScheduledTime = now.AddMinutes(5) } },
        });
        var sooner = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id, new DeploymentFlowRunCreate
        {
            State = new StateCreate { Type = StateType.Scheduled, StateDetails = new StateDetails { ScheduledTime = now.AddMinutes(1) } },
        });
        Assert.Equal(DeploymentStatus.NotReady, (await Server.Client.ReadDeploymentAsync(deployment.Id)).Status);

        var dueSoon = await Server.Client.ReadScheduledRunsOfDeploymentsAsync(new DeploymentScheduledRunsRequest { DeploymentIds = [deployment.Id], ScheduledBefore = now.AddMinutes(2) });
        var all = await Server.Client.ReadScheduledRunsOfDeploymentsAsync(new DeploymentScheduledRunsRequest { DeploymentIds = [deployment.Id] });

        Assert.Equal([sooner.Id], dueSoon.Select(r => r.Id));
        Assert.Equal([sooner.Id, later.Id], all.Select(r => r.Id));
        Assert.Equal(DeploymentStatus.Ready, (await Server.Client.ReadDeploymentAsync(deployment.Id)).Status);
    }
}

public sealed class DeploymentsApiTests_Sqlite(SqliteServerFixture fixture) : DeploymentsApiTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class DeploymentsApiTests_Postgres(PostgresServerFixture fixture) : DeploymentsApiTests(fixture), IClassFixture<PostgresServerFixture>;
