using System.Net;
using Reeve.Core.Flows;

namespace Reeve.Server.Tests.Api;

public abstract class FlowsApiTests(ServerFixture fixture)
{
    private RunningServer Server => fixture.Server;

    [Fact]
    public async Task Create_NewName_Returns201_SameNameAgain_Returns200WithTheSameFlow()
    {
        var name = Names.Unique("flow");

        var first = await Server.Http.PostJsonAsync("flows/", $$"""{"name": "{{name}}", "tags": ["a"]}""");
        var second = await Server.Http.PostJsonAsync("flows/", $$"""{"name": "{{name}}", "tags": ["b"]}""");

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.Equal(first.Body!["id"]!.GetValue<Guid>(), second.Body!["id"]!.GetValue<Guid>());
        Assert.Equal("a", second.Body!["tags"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Read_ByIdAndByName_AndUnknownIs404()
    {
        var flow = await Server.Client.FlowAsync();

        Assert.Equal(flow.Id, (await Server.Client.ReadFlowAsync(flow.Id)).Id);
        Assert.Equal(flow.Id, (await Server.Client.ReadFlowByNameAsync(flow.Name)).Id);
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.GetJsonAsync($"flows/{Guid.NewGuid()}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.GetJsonAsync("flows/name/no-such-flow")).Status);
    }

    [Fact]
    public async Task Filter_ByNameAndCount()
    {
        var a = await Server.Client.FlowAsync();
        var b = await Server.Client.FlowAsync();
        var filter = new FlowFilter { Name = new() { Any = [a.Name, b.Name] } };

        var flows = await Server.Client.FilterFlowsAsync(new FlowFilterRequest { Flows = filter, Sort = "NAME_DESC" });
        var like = a.Name[5..].ToUpperInvariant();
        var count = await Server.Http.PostJsonAsync("flows/count", "{\"flows\": {\"name\": {\"like_\": \"" + like + "\"}}}");

        Assert.Equal(new[] { a.Name, b.Name }.OrderDescending(), flows.Select(f => f.Name));
        Assert.Equal(1, count.Body!.GetValue<int>());
    }

    [Fact]
    public async Task Delete_RemovesTheFlowWithItsDeploymentsAndRuns()
    {
        var deployment = await Server.Client.DeploymentAsync();
        var run = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id);

        await Server.Client.DeleteFlowAsync(deployment.FlowId);

        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.GetJsonAsync($"deployments/{deployment.Id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.GetJsonAsync($"flow_runs/{run.Id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.DeleteJsonAsync($"flows/{deployment.FlowId}")).Status);
    }
}

public sealed class FlowsApiTests_Sqlite(SqliteServerFixture fixture) : FlowsApiTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class FlowsApiTests_Postgres(PostgresServerFixture fixture) : FlowsApiTests(fixture), IClassFixture<PostgresServerFixture>;
