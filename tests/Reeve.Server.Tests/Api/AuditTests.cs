using System.Net;
using Reeve.Client;
using Reeve.Core.Access;
using Reeve.Core.Audit;
using Reeve.Core.States;
using Reeve.Core.WorkPools;

namespace Reeve.Server.Tests.Api;

/// <summary>
/// The audit log: each change a key makes (pools, queues, deployments, credentials, keys, deletions and
/// cancellations) is recorded with the key's name, before the change's answer leaves; reads, refused writes and the
/// engine's own traffic are not; only an admin reads it, and nothing changes it.
/// </summary>
public abstract class AuditTests(TestStorage storage) : IAsyncLifetime
{
    private const string Bootstrap = "bootstrap-admin-key-for-audit-tests";
    private RunningServer _server = null!;

    public async ValueTask InitializeAsync()
    {
        if (storage == TestStorage.Postgres)
        {
            TestEnvironment.RequirePostgres();
        }

        _server = await RunningServer.StartAsync(storage, apiKey: Bootstrap);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private async Task<(ApiKeyCreated Key, ReeveClient Client)> AsAsync(string role)
    {
        var key = await _server.Client.CreateApiKeyAsync(new ApiKeyCreate { Name = Names.Unique(role), Role = role });
        return (key, new ReeveClient(new ReeveClientOptions { ApiUrl = _server.ApiUrl, ApiKey = key.Key }));
    }

    private Task<IReadOnlyList<AuditEvent>> OfAsync(string actor) => _server.Client.ListAuditAsync(new AuditFilterRequest { Actor = actor });

    [Fact]
    public async Task EachChange_IsRecordedWithTheKeyThatMadeIt_NewestFirst()
    {
        var (platformKey, platform) = await AsAsync(ApiRoles.Platform);
        var (developerKey, developer) = await AsAsync(ApiRoles.Developer);
        using (platform)
        using (developer)
        {
            var pool = Names.Unique("audited");
            var created = await platform.CreateWorkPoolAsync(new WorkPoolCreate { Name = pool, Type = "process" });
            await platform.UpdateWorkPoolAsync(pool, new WorkPoolUpdate { ConcurrencyLimit = 3 });
            await platform.CreateWorkQueueAsync(pool, new Core.WorkQueues.WorkQueueCreate { Name = "gpu" });

            var deployment = await developer.DeploymentAsync(pool);
            var run = await developer.CreateFlowRunFromDeploymentAsync(deployment.Id, new Core.Deployments.DeploymentFlowRunCreate());
            await developer.SetFlowRunStateAsync(run.Id, new StateCreate { Type = StateType.Cancelling });
            await developer.DeleteDeploymentAsync(deployment.Id);

            var byPlatform = await OfAsync(platformKey.Name);
            Assert.Equal(["work_queue.create", "work_pool.update", "work_pool.create"], byPlatform.Select(e => e.Action));
            Assert.All(byPlatform, e => Assert.Equal(ApiRoles.Platform, e.Role));
            Assert.Equal($"{pool} ({created.Id})", byPlatform[2].Resource);
            Assert.Equal(pool, byPlatform[1].Resource);
            Assert.StartsWith($"{pool}/gpu (", byPlatform[0].Resource, StringComparison.Ordinal);
            Assert.Equal("PATCH /api/work_pools/{name}", byPlatform[1].Request);
            Assert.True(byPlatform[0].Occurred >= byPlatform[2].Occurred);

            // The run's creation is traffic (schedules and engines make runs too); its cancellation is recorded.
            var byDeveloper = await OfAsync(developerKey.Name);
            Assert.Equal(["deployment.delete", "flow_run.cancel", "deployment.create"], byDeveloper.Select(e => e.Action));
            Assert.Equal(run.Id.ToString(), byDeveloper[1].Resource);
            Assert.Equal(deployment.Id.ToString(), byDeveloper[0].Resource);

            var deletions = await _server.Client.ListAuditAsync(new AuditFilterRequest { Action = "deployment." , Actor = developerKey.Name });
            Assert.Equal(2, deletions.Count);
        }
    }

    [Fact]
    public async Task ReadsRefusedWritesAndTheEnginesTraffic_AreNotRecorded()
    {
        var (workerKey, worker) = await AsAsync(ApiRoles.Worker);
        var (viewerKey, viewer) = await AsAsync(ApiRoles.Viewer);
        using (worker)
        using (viewer)
        {
            var pool = await _server.Client.PoolAsync();
            var deployment = await _server.Client.DeploymentAsync(pool);
            var run = (await _server.DueRunsAsync(deployment, 1)).Single();

            await worker.SetFlowRunStateAsync(run.Id, new StateCreate { Type = StateType.Pending });
            await worker.SetFlowRunStateAsync(run.Id, new StateCreate { Type = StateType.Running });
            await worker.SetFlowRunStateAsync(run.Id, new StateCreate { Type = StateType.Completed });
            await viewer.ReadWorkPoolAsync(pool);
            await Assert.ThrowsAsync<ReeveApiException>(() => viewer.DeleteWorkPoolAsync(pool));
            await Assert.ThrowsAsync<ReeveApiException>(() => _server.Client.CreateWorkPoolAsync(new WorkPoolCreate { Name = "bad/name", Type = "process" }));

            Assert.Empty(await OfAsync(workerKey.Name));
            Assert.Empty(await OfAsync(viewerKey.Name));
            Assert.DoesNotContain(await _server.Client.ListAuditAsync(), e => e.Resource?.Contains("bad/name", StringComparison.Ordinal) == true);
        }
    }

    [Fact]
    public async Task MakingAKey_IsRecordedWithoutTheKey_AndOnlyAnAdminReadsTheLog_WhichNoRequestChanges()
    {
        var (key, platform) = await AsAsync(ApiRoles.Platform);
        using (platform)
        {
            var made = (await _server.Client.ListAuditAsync(new AuditFilterRequest { Action = "api_key.create", Limit = 200 }))
                .Single(e => e.Resource?.StartsWith(key.Name + " ", StringComparison.Ordinal) == true);
            Assert.Equal(ApiCallerNames.Bootstrap, made.Actor);
            Assert.DoesNotContain(key.Key, made.Resource!, StringComparison.Ordinal);

            var refused = await Assert.ThrowsAsync<ReeveApiException>(() => platform.ListAuditAsync());
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

            Assert.Equal(HttpStatusCode.MethodNotAllowed, (await _server.Http.DeleteJsonAsync("audit")).Status);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, (await _server.Http.PostJsonAsync("audit", "{}")).Status);
        }
    }

    [Theory]
    [InlineData("audit?limit=201", "limit")]
    [InlineData("audit?limit=-1", "limit")]
    [InlineData("audit?offset=-1", "offset")]
    [InlineData("audit?since=yesterday", "since")]
    [InlineData("audit?limit=1.5", "limit")]
    public async Task ABadQuery_IsA422NamingTheField(string path, string field)
    {
        var answer = await _server.Http.GetJsonAsync(path);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.Status);
        Assert.Contains(field, answer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostileFilters_FindNothing_AndAreNeverA5xx()
    {
        foreach (var path in new[]
        {
            "audit?actor=" + Uri.EscapeDataString("x\0y"),
            "audit?action=" + Uri.EscapeDataString(new string('a', 61)),
            "audit?actor=" + Uri.EscapeDataString(new string('a', 100_000)),
            "audit?action=%25.",
            "audit?since=9999-12-31T23:59:59Z",
            "audit?since=0001-01-01T00:00:00Z",
        })
        {
            var answer = await _server.Http.GetJsonAsync(path);
            Assert.True((int)answer.Status < 500, $"{path}: {answer.Status} {answer.Text}");
        }
    }
}

public sealed class AuditTests_Sqlite() : AuditTests(TestStorage.Sqlite);

public sealed class AuditTests_Postgres() : AuditTests(TestStorage.Postgres);

public sealed class AuditWithoutAKeyTests
{
    [Fact]
    public async Task OnAServerWithoutKeys_ChangesAreRecordedAsAnonymous()
    {
        await using var server = await RunningServer.StartAsync(TestStorage.Sqlite);
        var pool = await server.Client.PoolAsync();

        var entry = Assert.Single(await server.Client.ListAuditAsync(new AuditFilterRequest { Action = "work_pool.create" }));
        Assert.Equal("anonymous", entry.Actor);
        Assert.Equal(ApiRoles.Admin, entry.Role);
        Assert.StartsWith(pool + " (", entry.Resource, StringComparison.Ordinal);
    }
}

/// <summary>The names the server gives callers that hold no made key.</summary>
internal static class ApiCallerNames
{
    public const string Bootstrap = "REEVE_SERVER_API_KEY";
}
