using System.Net;
using System.Text.Json.Nodes;
using Reeve.Client;
using Reeve.Core.WorkPools;
using Reeve.Core.Workers;

namespace Reeve.Server.Tests.Api;

public abstract class WorkPoolsApiTests(ServerFixture fixture)
{
    private RunningServer Server => fixture.Server;

    private async Task<JsonObject> CreatePoolAsync(string name, string extra = "")
    {
        var response = await Server.Http.PostJsonAsync("work_pools/", $$"""{"name": "{{name}}", "type": "process"{{extra}}}""");
        Assert.Equal(HttpStatusCode.Created, response.Status);
        return response.Body!.AsObject();
    }

    [Fact]
    public async Task Create_ReturnsThePoolWithItsTypesTemplateAndADefaultQueue()
    {
        var name = Names.Unique("pool");

        var pool = await CreatePoolAsync(name, """, "description": "for tests", "concurrency_limit": 3""");

        Assert.Equal(name, pool["name"]!.GetValue<string>());
        Assert.Equal("process", pool["type"]!.GetValue<string>());
        Assert.Equal("for tests", pool["description"]!.GetValue<string>());
        Assert.Equal(3, pool["concurrency_limit"]!.GetValue<int>());
        Assert.False(pool["is_paused"]!.GetValue<bool>());
        Assert.Equal("NOT_READY", pool["status"]!.GetValue<string>());
        Assert.Equal("{{ command }}", pool["base_job_template"]!["job_configuration"]!["command"]!.GetValue<string>());
        foreach (var field in new[] { "id", "created", "updated", "default_queue_id", "storage_configuration" })
        {
            Assert.NotNull(pool[field]);
        }

        var queues = await Server.Client.FilterWorkQueuesAsync(name);
        var queue = Assert.Single(queues);
        Assert.Equal("default", queue.Name);
        Assert.Equal(1, queue.Priority);
        Assert.Equal(pool["default_queue_id"]!.GetValue<Guid>(), queue.Id);
    }

    [Fact]
    public async Task Create_SameNameTwice_Returns409()
    {
        var name = Names.Unique("pool");
        await CreatePoolAsync(name);

        var second = await Server.Http.PostJsonAsync("work_pools/", $$"""{"name": "{{name}}", "type": "process"}""");

        Assert.Equal(HttpStatusCode.Conflict, second.Status);
        Assert.Contains("already exists", second.Detail, StringComparison.Ordinal);
        Assert.Equal(1, await Server.Client.CountWorkPoolsAsync(new WorkPoolFilter { Name = new() { Any = [name] } }));
    }

    [Fact]
    public async Task Create_SameNameConcurrently_ExactlyOneWins()
    {
        var name = Names.Unique("race");
        var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            Server.Http.PostJsonAsync("work_pools/", $$"""{"name": "{{name}}", "type": "process"}""")));

        Assert.Equal(1, attempts.Count(a => a.Status == HttpStatusCode.Created));
        Assert.All(attempts.Where(a => a.Status != HttpStatusCode.Created), a => Assert.Equal(HttpStatusCode.Conflict, a.Status));
        Assert.Single(await Server.Client.FilterWorkQueuesAsync(name));
    }

    [Fact]
    public async Task Create_TemplateNamingAnUndeclaredVariable_Returns422NamingIt()
    {
        var response = await Server.Http.PostJsonAsync("work_pools/", """
            {"name": "NAME", "type": "process",
             "base_job_template": {"job_configuration": {"command": "{{ command }}", "x": "{{ missing }}"},
                                   "variables": {"type": "object", "properties": {"command": {"type": "string"}}}}}
            """.Replace("NAME", Names.Unique("pool"), StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Contains("missing", response.Detail, StringComparison.Ordinal);
        Assert.Equal("base_job_template.job_configuration", response.Field);
    }

    [Theory]
    [InlineData("""{"job_configuration": {}}""", "base_job_template")]
    [InlineData("""{"job_configuration": {}, "variables": {"type": "object", "properties": {"a": {"type": 7}}}}""", "base_job_template.variables")]
    [InlineData("""{"job_configuration": {"a": "{{ a }}"}, "variables": {"type": "object", "properties": {"a": {"type": "integer", "default": "x"}}}}""", "base_job_template.variables.properties.a.default")]
    public async Task Create_InvalidTemplate_Returns422NamingThePart(string template, string field)
    {
        var response = await Server.Http.PostJsonAsync("work_pools/", $$"""{"name": "{{Names.Unique("pool")}}", "type": "process", "base_job_template": {{template}}}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.StartsWith(field, response.Field, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_CustomTemplate_IsKept()
    {
        var name = Names.Unique("pool");
        var pool = await CreatePoolAsync(name, """
            , "base_job_template": {"job_configuration": {"env": "{{ env }}"},
                                    "variables": {"type": "object", "properties": {"env": {"type": "object", "default": {"STAGE": "test"}}}}}
            """);

        Assert.Equal("test", pool["base_job_template"]!["variables"]!["properties"]!["env"]!["default"]!["STAGE"]!.GetValue<string>());
        var read = await Server.Client.ReadWorkPoolAsync(name);
        Assert.Equal(pool["base_job_template"]!.ToJsonString(), read.BaseJobTemplate.ToJsonString());
    }

    [Fact]
    public async Task Create_UnknownType_Returns422ListingTheKnownOnes()
    {
        var response = await Server.Http.PostJsonAsync("work_pools/", $$"""{"name": "{{Names.Unique("pool")}}", "type": "ecs"}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Equal("type", response.Field);
        Assert.Contains("process", response.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_UnknownPool_Returns404()
    {
        var response = await Server.Http.GetJsonAsync("work_pools/does-not-exist");

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal("Work pool \"does-not-exist\" not found.", response.Detail);
    }

    [Fact]
    public async Task Update_ChangesOnlyTheFieldsSent()
    {
        var name = Names.Unique("pool");
        await CreatePoolAsync(name, """, "description": "before", "concurrency_limit": 4""");

        var response = await Server.Http.PatchJsonAsync($"work_pools/{name}", """{"description": "after"}""");

        Assert.Equal(HttpStatusCode.NoContent, response.Status);
        var pool = await Server.Client.ReadWorkPoolAsync(name);
        Assert.Equal("after", pool.Description);
        Assert.Equal(4, pool.ConcurrencyLimit);
    }

    [Fact]
    public async Task Update_NullLimit_ClearsIt()
    {
        var name = Names.Unique("pool");
        await CreatePoolAsync(name, """, "concurrency_limit": 4""");

        await Server.Client.UpdateWorkPoolAsync(name, new WorkPoolUpdate { ConcurrencyLimit = new int?() });

        Assert.Null((await Server.Client.ReadWorkPoolAsync(name)).ConcurrencyLimit);
    }

    [Fact]
    public async Task Update_EmptyTemplate_RestoresTheTypesDefault()
    {
        var name = Names.Unique("pool");
        await CreatePoolAsync(name, """
            , "base_job_template": {"job_configuration": {}, "variables": {"type": "object", "properties": {}}}
            """);

        await Server.Client.UpdateWorkPoolAsync(name, new WorkPoolUpdate { BaseJobTemplate = new JsonObject() });

        var pool = await Server.Client.ReadWorkPoolAsync(name);
        Assert.Equal("{{ command }}", pool.BaseJobTemplate["job_configuration"]!["command"]!.GetValue<string>());
    }

    [Fact]
    public async Task Update_InvalidTemplate_Returns422AndKeepsTheOldOne()
    {
        var name = Names.Unique("pool");
        await CreatePoolAsync(name);

        var response = await Server.Http.PatchJsonAsync($"work_pools/{name}",
            """{"base_job_template": {"job_configuration": {"x": "{{ nope }}"}, "variables": {"type": "object", "properties": {}}}}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Contains("nope", response.Detail, StringComparison.Ordinal);
        Assert.NotNull((await Server.Client.ReadWorkPoolAsync(name)).BaseJobTemplate["variables"]!["properties"]!["command"]);
    }

    [Fact]
    public async Task Update_UnknownPool_Returns404() =>
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.PatchJsonAsync("work_pools/nope-nope", """{"is_paused": true}""")).Status);

    [Fact]
    public async Task Delete_RemovesThePoolWithItsQueuesAndWorkers()
    {
        var name = Names.Unique("pool");
        await CreatePoolAsync(name);
        await Server.Client.HeartbeatAsync(name, new WorkerHeartbeat { Name = "w" });

        var response = await Server.Http.DeleteJsonAsync($"work_pools/{name}");

        Assert.Equal(HttpStatusCode.NoContent, response.Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.GetJsonAsync($"work_pools/{name}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.GetJsonAsync($"work_pools/{name}/queues/default")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.DeleteJsonAsync($"work_pools/{name}")).Status);

        // The name is free again, with a fresh default queue.
        await CreatePoolAsync(name);
        Assert.Single(await Server.Client.FilterWorkQueuesAsync(name));
        Assert.Empty(await Server.Client.FilterWorkersAsync(name));
    }

    [Fact]
    public async Task Filter_OrdersByNameAndPages()
    {
        var prefix = Names.Unique("f");
        foreach (var suffix in new[] { "c", "a", "b" })
        {
            await CreatePoolAsync($"{prefix}-{suffix}");
        }

        string[] names = [$"{prefix}-a", $"{prefix}-b", $"{prefix}-c"];
        var filter = new WorkPoolFilter { Name = new() { Any = [.. names] } };

        var all = await Server.Client.FilterWorkPoolsAsync(new WorkPoolFilterRequest { WorkPools = filter });
        var firstTwo = await Server.Client.FilterWorkPoolsAsync(new WorkPoolFilterRequest { WorkPools = filter, Limit = 2 });
        var skipOne = await Server.Client.FilterWorkPoolsAsync(new WorkPoolFilterRequest { WorkPools = filter, Offset = 1 });

        Assert.Equal(names, all.Select(p => p.Name));
        Assert.Equal(names[..2], firstTwo.Select(p => p.Name));
        Assert.Equal(names[1..], skipOne.Select(p => p.Name));
        Assert.Equal(3, await Server.Client.CountWorkPoolsAsync(filter));
    }

    [Fact]
    public async Task Filter_ByTypeAndById_CombineWithAndOrOr()
    {
        var processPool = await Server.Client.CreateWorkPoolAsync(new WorkPoolCreate { Name = Names.Unique("p"), Type = "process" });
        var dockerPool = await Server.Client.CreateWorkPoolAsync(new WorkPoolCreate { Name = Names.Unique("d"), Type = "docker" });

        var both = new WorkPoolFilter { Id = new() { Any = [processPool.Id, dockerPool.Id] } };
        var dockerOnly = both with { Type = new() { Any = ["docker"] } };
        var either = new WorkPoolFilter { Operator = Core.Filters.FilterOperator.Or, Id = new() { Any = [processPool.Id] }, Name = new() { Any = [dockerPool.Name] } };

        Assert.Equal(2, await Server.Client.CountWorkPoolsAsync(both));
        Assert.Equal([dockerPool.Id], (await Server.Client.FilterWorkPoolsAsync(new() { WorkPools = dockerOnly })).Select(p => p.Id));
        Assert.Equal(2, await Server.Client.CountWorkPoolsAsync(either));
    }

    [Fact]
    public async Task Filter_EmptyBody_ListsPools()
    {
        await CreatePoolAsync(Names.Unique("any"));
        var response = await Server.Http.SendJsonAsync(HttpMethod.Post, "work_pools/filter");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.NotEmpty(response.Body!.AsArray());
    }

    [Fact]
    public async Task Status_FollowsHeartbeatsAndPauseWhenRead()
    {
        var name = Names.Unique("pool");
        await CreatePoolAsync(name);
        Assert.Equal(WorkPoolStatus.NotReady, (await Server.Client.ReadWorkPoolAsync(name)).Status);

        await Server.Client.HeartbeatAsync(name, new WorkerHeartbeat { Name = "worker-1", HeartbeatIntervalSeconds = 10 });
        Assert.Equal(WorkPoolStatus.Ready, (await Server.Client.ReadWorkPoolAsync(name)).Status);

        await Server.Client.UpdateWorkPoolAsync(name, new WorkPoolUpdate { IsPaused = true });
        Assert.Equal(WorkPoolStatus.Paused, (await Server.Client.ReadWorkPoolAsync(name)).Status);

        await Server.Client.UpdateWorkPoolAsync(name, new WorkPoolUpdate { IsPaused = false });
        Assert.Equal(WorkPoolStatus.Ready, (await Server.Client.ReadWorkPoolAsync(name)).Status);

        // Three intervals without a heartbeat: the worker is offline and the pool is not ready, with no loop involved.
        Server.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(WorkPoolStatus.NotReady, (await Server.Client.ReadWorkPoolAsync(name)).Status);
        var filtered = await Server.Client.FilterWorkPoolsAsync(new() { WorkPools = new() { Name = new() { Any = [name] } } });
        Assert.Equal(WorkPoolStatus.NotReady, Assert.Single(filtered).Status);
    }

    [Fact]
    public async Task Client_RefusedRequest_ThrowsWithTheDetail()
    {
        var error = await Assert.ThrowsAsync<ReeveApiException>(() => Server.Client.ReadWorkPoolAsync("missing-pool"));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Contains("missing-pool", error.Detail, StringComparison.Ordinal);
    }
}

public sealed class WorkPoolsApiTests_Sqlite(SqliteServerFixture fixture) : WorkPoolsApiTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class WorkPoolsApiTests_Postgres(PostgresServerFixture fixture) : WorkPoolsApiTests(fixture), IClassFixture<PostgresServerFixture>;
