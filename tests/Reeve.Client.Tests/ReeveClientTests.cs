using Reeve.Client;

namespace Reeve.Client.Tests;

public sealed class ReeveClientTests
{
    [Fact]
    public async Task NoServer_ThrowsServerUnavailableNamingTheAddress()
    {
        using var client = new ReeveClient(new ReeveClientOptions { ApiUrl = "http://127.0.0.1:9/api" });

        var error = await Assert.ThrowsAsync<ReeveServerUnavailableException>(() => client.FilterWorkPoolsAsync());

        Assert.Equal("http://127.0.0.1:9/api", error.ApiUrl);
        Assert.Contains("reeve server start", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NamesWithSpaces_AreEscapedInThePath()
    {
        await using var server = await RunningServer.StartAsync(TestStorage.Sqlite);
        await server.Client.CreateWorkPoolAsync(new Core.WorkPools.WorkPoolCreate { Name = "my pool ü", Type = "process" });

        var pool = await server.Client.ReadWorkPoolAsync("my pool ü");
        var queue = await server.Client.ReadWorkQueueAsync("my pool ü", "default");

        Assert.Equal("my pool ü", pool.Name);
        Assert.Equal("my pool ü", queue.WorkPoolName);
    }

    [Fact]
    public async Task AServerTooBusyToAnswer_IsAskedAgainAfterItsRetryAfter_AndItsAnswerIsReturned()
    {
        await using var server = await LoopbackHttpServer.StartAsync();
        server.MapBusyThenJson("/api/deployments/count", 2, "7");
        using var client = new ReeveClient(new ReeveClientOptions { ApiUrl = server.Url + "/api" });

        var count = await client.CountDeploymentsAsync();

        Assert.Equal(7, count);
        Assert.Equal(3, server.Requests);
    }

    [Fact]
    public async Task AServerThatStaysBusy_EndsInAnApiErrorAfterFiveRetries()
    {
        await using var server = await LoopbackHttpServer.StartAsync();
        server.MapBusyThenJson("/api/deployments/count", 100, "7");
        using var client = new ReeveClient(new ReeveClientOptions { ApiUrl = server.Url + "/api" });

        var error = await Assert.ThrowsAsync<ReeveApiException>(() => client.CountDeploymentsAsync());

        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Equal(6, server.Requests);
    }
}
