using System.Net;
using Reeve.Core.WorkPools;
using Reeve.Core.WorkQueues;

namespace Reeve.Server.Tests.Api;

public abstract class WorkQueuesApiTests(ServerFixture fixture)
{
    private RunningServer Server => fixture.Server;

    private async Task<string> CreatePoolAsync()
    {
        var name = Names.Unique("pool");
        await Server.Client.CreateWorkPoolAsync(new WorkPoolCreate { Name = name, Type = "process" });
        return name;
    }

    private async Task<Dictionary<string, int>> PrioritiesAsync(string pool) =>
        (await Server.Client.FilterWorkQueuesAsync(pool)).ToDictionary(q => q.Name, q => q.Priority);

    [Fact]
    public async Task Create_WithoutPriority_TakesTheFirstFreeOne()
    {
        var pool = await CreatePoolAsync();

        var a = await Server.Client.CreateWorkQueueAsync(pool, new WorkQueueCreate { Name = "a" });
        var b = await Server.Client.CreateWorkQueueAsync(pool, new WorkQueueCreate { Name = "b", Priority = 99 });
        var c = await Server.Client.CreateWorkQueueAsync(pool, new WorkQueueCreate { Name = "c" });

        Assert.Equal((2, 99, 3), (a.Priority, b.Priority, c.Priority));
        Assert.Equal(pool, c.WorkPoolName);
        Assert.Equal(WorkQueueStatus.NotReady, c.Status);
    }

    [Fact]
    public async Task Create_WithATakenPriority_ShiftsTheOthers()
    {
        var pool = await CreatePoolAsync();
        await Server.Client.CreateWorkQueueAsync(pool, new WorkQueueCreate { Name = "a" });
        await Server.Client.CreateWorkQueueAsync(pool, new WorkQueueCreate { Name = "b" });

        await Server.Client.CreateWorkQueueAsync(pool, new WorkQueueCreate { Name = "urgent", Priority = 1 });

        Assert.Equal(new Dictionary<string, int> { ["urgent"] = 1, ["default"] = 2, ["a"] = 3, ["b"] = 4 }, await PrioritiesAsync(pool));
        Assert.Equal(["urgent", "default", "a", "b"], (await Server.Client.FilterWorkQueuesAsync(pool)).Select(q => q.Name));
    }

    [Fact]
    public async Task Update_Priority_ShiftsTheOthersAndKeepsThemUnique()
    {
        var pool = await CreatePoolAsync();
        await Server.Client.CreateWorkQueueAsync(pool, new WorkQueueCreate { Name = "a" });
        await Server.Client.CreateWorkQueueAsync(pool, new WorkQueueCreate { Name = "b" });

        await Server.Client.UpdateWorkQueueAsync(pool, "b", new WorkQueueUpdate { Priority = 1 });

        Assert.Equal(new Dictionary<string, int> { ["b"] = 1, ["default"] = 2, ["a"] = 3 }, await PrioritiesAsync(pool));
    }

    [Fact]
    public async Task Create_ConcurrentlyWithTheSamePriority_PrioritiesStayUnique()
    {
        var pool = await CreatePoolAsync();

        var created = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            Server.Client.CreateWorkQueueAsync(pool, new WorkQueueCreate { Name = $"q{i}", Priority = 1 })));

        var priorities = (await PrioritiesAsync(pool)).Values.ToList();
        Assert.Equal(11, priorities.Count);
        Assert.Equal(priorities.Count, priorities.Distinct().Count());
        Assert.All(created, q => Assert.Equal(1, q.Priority));
    }

    [Fact]
    public async Task Create_DuplicateName_Returns409()
    {
        var pool = await CreatePoolAsync();
        await Server.Client.CreateWorkQueueAsync(pool, new WorkQueueCreate { Name = "a" });

        var response = await Server.Http.PostJsonAsync($"work_pools/{pool}/queues", """{"name": "a"}""");

        Assert.Equal(HttpStatusCode.Conflict, response.Status);
        Assert.Contains("already exists", response.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_InUnknownPool_Returns404() =>
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.PostJsonAsync("work_pools/no-such-pool/queues", """{"name": "a"}""")).Status);

    [Theory]
    [InlineData("""{"name": "a", "priority": 0}""", "priority")]
    [InlineData("""{"name": "a", "concurrency_limit": -1}""", "concurrency_limit")]
    [InlineData("""{"name": "a/b"}""", "name")]
    public async Task Create_BadValues_Return422NamingTheField(string body, string field)
    {
        var pool = await CreatePoolAsync();
        var response = await Server.Http.PostJsonAsync($"work_pools/{pool}/queues", body);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Equal(field, response.Field);
    }

    [Fact]
    public async Task Read_ReturnsTheQueueAndAnUnknownOneIs404()
    {
        var pool = await CreatePoolAsync();
        await Server.Client.CreateWorkQueueAsync(pool, new WorkQueueCreate { Name = "a", ConcurrencyLimit = 2, Description = "d" });

        var queue = await Server.Client.ReadWorkQueueAsync(pool, "a");
        var missing = await Server.Http.GetJsonAsync($"work_pools/{pool}/queues/zzz");

        Assert.Equal((2, "d", pool), (queue.ConcurrencyLimit, queue.Description, queue.WorkPoolName));
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal($"Work pool queue '{pool}/zzz' not found.", missing.Detail);
    }

    [Fact]
    public async Task Update_PauseLimitAndRename()
    {
        var pool = await CreatePoolAsync();
        await Server.Client.CreateWorkQueueAsync(pool, new WorkQueueCreate { Name = "a", ConcurrencyLimit = 2 });

        await Server.Client.UpdateWorkQueueAsync(pool, "a", new WorkQueueUpdate { IsPaused = true, ConcurrencyLimit = new int?(), Name = "renamed" });

        var queue = await Server.Client.ReadWorkQueueAsync(pool, "renamed");
        Assert.True(queue.IsPaused);
        Assert.Equal(WorkQueueStatus.Paused, queue.Status);
        Assert.Null(queue.ConcurrencyLimit);
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.GetJsonAsync($"work_pools/{pool}/queues/a")).Status);
    }

    [Fact]
    public async Task Update_RenameOntoAnotherQueue_Returns409()
    {
        var pool = await CreatePoolAsync();
        await Server.Client.CreateWorkQueueAsync(pool, new WorkQueueCreate { Name = "a" });

        var response = await Server.Http.PatchJsonAsync($"work_pools/{pool}/queues/a", """{"name": "default"}""");

        Assert.Equal(HttpStatusCode.Conflict, response.Status);
    }

    [Fact]
    public async Task Delete_RemovesTheQueueAndKeepsTheGap()
    {
        var pool = await CreatePoolAsync();
        await Server.Client.CreateWorkQueueAsync(pool, new WorkQueueCreate { Name = "a" });
        await Server.Client.CreateWorkQueueAsync(pool, new WorkQueueCreate { Name = "b" });

        var response = await Server.Http.DeleteJsonAsync($"work_pools/{pool}/queues/a");

        Assert.Equal(HttpStatusCode.NoContent, response.Status);
        Assert.Equal(new Dictionary<string, int> { ["default"] = 1, ["b"] = 3 }, await PrioritiesAsync(pool));
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.DeleteJsonAsync($"work_pools/{pool}/queues/a")).Status);
    }

    [Fact]
    public async Task Delete_TheDefaultQueue_Returns409AndKeepsIt()
    {
        var pool = await CreatePoolAsync();

        var response = await Server.Http.DeleteJsonAsync($"work_pools/{pool}/queues/default");

        Assert.Equal(HttpStatusCode.Conflict, response.Status);
        Assert.Contains("default queue", response.Detail, StringComparison.Ordinal);
        Assert.Single(await Server.Client.FilterWorkQueuesAsync(pool));
    }

    [Fact]
    public async Task Filter_ByNamePrefix_IgnoresCase()
    {
        var pool = await CreatePoolAsync();
        foreach (var name in new[] { "marvin", "Marvin-robot", "sad-marvin" })
        {
            await Server.Client.CreateWorkQueueAsync(pool, new WorkQueueCreate { Name = name });
        }

        var response = await Server.Http.PostJsonAsync($"work_pools/{pool}/queues/filter", """{"work_queues": {"name": {"startswith_": ["marvin"]}}}""");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(["marvin", "Marvin-robot"], response.Body!.AsArray().Select(q => q!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Filter_UnknownPool_Returns404() =>
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.PostJsonAsync("work_pools/no-such-pool/queues/filter", "{}")).Status);
}

public sealed class WorkQueuesApiTests_Sqlite(SqliteServerFixture fixture) : WorkQueuesApiTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class WorkQueuesApiTests_Postgres(PostgresServerFixture fixture) : WorkQueuesApiTests(fixture), IClassFixture<PostgresServerFixture>;
