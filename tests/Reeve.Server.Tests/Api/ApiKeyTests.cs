using System.Net;
using Reeve.Client;
using Reeve.Core.WorkPools;

namespace Reeve.Server.Tests.Api;

public sealed class ApiKeyTests : IAsyncLifetime
{
    private const string Key = "s3cret-key-for-tests";
    private RunningServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await RunningServer.StartAsync(TestStorage.Sqlite, apiKey: Key);

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private HttpClient Anonymous() => new() { BaseAddress = _server.Http.BaseAddress };

    [Fact]
    public async Task NoKey_Returns401WithAProblemThatSaysHow()
    {
        using var http = Anonymous();
        var response = await http.PostJsonAsync("work_pools/filter", "{}");

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Contains("Authorization: Bearer", response.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongKey_Returns401()
    {
        using var http = Anonymous();
        http.DefaultRequestHeaders.Authorization = new("Bearer", "guess");

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetJsonAsync("work_pools/any")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetJsonAsync("openapi.json")).Status);
    }

    [Fact]
    public async Task Health_NeedsNoKey()
    {
        using var http = Anonymous();
        Assert.Equal(HttpStatusCode.OK, (await http.GetJsonAsync("health")).Status);
    }

    [Fact]
    public async Task RightKey_IsServed()
    {
        var pool = await _server.Client.CreateWorkPoolAsync(new WorkPoolCreate { Name = Names.Unique("p"), Type = "process" });
        Assert.Equal(pool.Id, (await _server.Client.ReadWorkPoolAsync(pool.Name)).Id);
    }

    [Fact]
    public async Task ClientWithoutKey_ThrowsSayingToSetIt()
    {
        using var client = new ReeveClient(new ReeveClientOptions { ApiUrl = _server.ApiUrl });
        var error = await Assert.ThrowsAsync<ReeveApiException>(() => client.FilterWorkPoolsAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Contains("REEVE_API_KEY", error.Detail, StringComparison.Ordinal);
    }
}
