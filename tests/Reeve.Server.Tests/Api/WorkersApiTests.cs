using System.Net;
using Reeve.Core.WorkPools;
using Reeve.Core.Workers;

namespace Reeve.Server.Tests.Api;

public abstract class WorkersApiTests(ServerFixture fixture)
{
    private RunningServer Server => fixture.Server;

    private async Task<string> CreatePoolAsync()
    {
        var name = Names.Unique("pool");
        await Server.Client.CreateWorkPoolAsync(new WorkPoolCreate { Name = name, Type = "process" });
        return name;
    }

    [Fact]
    public async Task Heartbeat_Returns204AndUpsertsByName()
    {
        var pool = await CreatePoolAsync();

        var first = await Server.Http.PostJsonAsync($"work_pools/{pool}/workers/heartbeat", """{"name": "w", "heartbeat_interval_seconds": 10}""");
        Server.Clock.Advance(TimeSpan.FromSeconds(1));
        await Server.Client.HeartbeatAsync(pool, new WorkerHeartbeat { Name = "w", HeartbeatIntervalSeconds = 20 });
        Server.Clock.Advance(TimeSpan.FromSeconds(1));
        await Server.Client.HeartbeatAsync(pool, new WorkerHeartbeat { Name = "another" });

        Assert.Equal(HttpStatusCode.NoContent, first.Status);
        var workers = await Server.Client.FilterWorkersAsync(pool);
        Assert.Equal(["another", "w"], workers.Select(w => w.Name));
        Assert.Equal(20, workers[1].HeartbeatIntervalSeconds);
        Assert.All(workers, w => Assert.Equal(WorkerStatus.Online, w.Status));
        Assert.Equal(["another"], (await Server.Client.FilterWorkersAsync(pool, new WorkerFilterRequest { Limit = 1 })).Select(w => w.Name));
    }

    [Fact]
    public async Task Status_GoesOfflineAfterThreeMissedIntervals()
    {
        var pool = await CreatePoolAsync();
        await Server.Client.HeartbeatAsync(pool, new WorkerHeartbeat { Name = "fast", HeartbeatIntervalSeconds = 5 });
        await Server.Client.HeartbeatAsync(pool, new WorkerHeartbeat { Name = "slow", HeartbeatIntervalSeconds = 60 });

        Server.Clock.Advance(TimeSpan.FromSeconds(16));

        var workers = (await Server.Client.FilterWorkersAsync(pool)).ToDictionary(w => w.Name, w => w.Status);
        Assert.Equal(WorkerStatus.Offline, workers["fast"]);
        Assert.Equal(WorkerStatus.Online, workers["slow"]);

        var online = await Server.Http.PostJsonAsync($"work_pools/{pool}/workers/filter", """{"workers": {"status": {"any_": ["ONLINE"]}}}""");
        var offline = await Server.Http.PostJsonAsync($"work_pools/{pool}/workers/filter", """{"workers": {"status": {"not_any_": ["ONLINE"]}}}""");
        Assert.Equal(["slow"], online.Body!.AsArray().Select(w => w!["name"]!.GetValue<string>()));
        Assert.Equal(["fast"], offline.Body!.AsArray().Select(w => w!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Filter_ByLastHeartbeatTime()
    {
        var pool = await CreatePoolAsync();
        await Server.Client.HeartbeatAsync(pool, new WorkerHeartbeat { Name = "old" });
        Server.Clock.Advance(TimeSpan.FromSeconds(10));
        var cut = Server.Clock.GetUtcNow();
        await Server.Client.HeartbeatAsync(pool, new WorkerHeartbeat { Name = "new" });

        var after = await Server.Client.FilterWorkersAsync(pool, new WorkerFilterRequest { Workers = new() { LastHeartbeatTime = new() { After = cut } } });
        var before = await Server.Client.FilterWorkersAsync(pool, new WorkerFilterRequest { Workers = new() { LastHeartbeatTime = new() { Before = cut.AddSeconds(-1) } } });

        Assert.Equal(["new"], after.Select(w => w.Name));
        Assert.Equal(["old"], before.Select(w => w.Name));
    }

    [Fact]
    public async Task Heartbeat_SameNewWorkerConcurrently_MakesOneWorker()
    {
        var pool = await CreatePoolAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ =>
            Server.Http.PostJsonAsync($"work_pools/{pool}/workers/heartbeat", """{"name": "racer", "heartbeat_interval_seconds": 5}""")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.NoContent, r.Status));
        Assert.Single(await Server.Client.FilterWorkersAsync(pool));
    }

    [Fact]
    public async Task Heartbeat_UnknownPool_Returns404() =>
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.PostJsonAsync("work_pools/no-such-pool/workers/heartbeat", """{"name": "w"}""")).Status);

    [Theory]
    [InlineData("""{"heartbeat_interval_seconds": 5}""", "name")]
    [InlineData("""{"name": "w", "heartbeat_interval_seconds": 0}""", "heartbeat_interval_seconds")]
    [InlineData("""{"name": "a%b"}""", "name")]
    public async Task Heartbeat_BadBody_Returns422NamingTheField(string body, string field)
    {
        var pool = await CreatePoolAsync();
        var response = await Server.Http.PostJsonAsync($"work_pools/{pool}/workers/heartbeat", body);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Equal(field, response.Field);
    }

    [Fact]
    public async Task Delete_ForgetsTheWorker()
    {
        var pool = await CreatePoolAsync();
        await Server.Client.HeartbeatAsync(pool, new WorkerHeartbeat { Name = "w" });

        Assert.Equal(HttpStatusCode.NoContent, (await Server.Http.DeleteJsonAsync($"work_pools/{pool}/workers/w")).Status);
        Assert.Empty(await Server.Client.FilterWorkersAsync(pool));
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.DeleteJsonAsync($"work_pools/{pool}/workers/w")).Status);
        Assert.Equal(WorkPoolStatus.NotReady, (await Server.Client.ReadWorkPoolAsync(pool)).Status);
    }
}

public sealed class WorkersApiTests_Sqlite(SqliteServerFixture fixture) : WorkersApiTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class WorkersApiTests_Postgres(PostgresServerFixture fixture) : WorkersApiTests(fixture), IClassFixture<PostgresServerFixture>;
