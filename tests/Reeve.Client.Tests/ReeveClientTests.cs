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
}
