using System.Text.Json.Nodes;

namespace Reeve.Cli.Tests.Commands;

/// <summary><c>reeve audit ls</c>: who changed what, for an admin; one line for anyone else and for bad options.</summary>
public sealed class AuditCommandsTests : IAsyncLifetime
{
    private const string Admin = "bootstrap-admin-key-for-audit-cli-tests";
    private RunningServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await RunningServer.StartAsync(TestStorage.Sqlite, apiKey: Admin, realClock: true);

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private CliProcess Cli(string key)
    {
        var cli = new CliProcess(_server.ApiUrl);
        cli.Environment["REEVE_API_KEY"] = key;
        return cli;
    }

    [Fact]
    public async Task Ls_ShowsWhoChangedWhat_FiltersByActorAndAction_AndIsRefusedToAPlatformKey()
    {
        var name = Names.Unique("platform");
        var platformKey = (await _server.Client.CreateApiKeyAsync(new Core.Access.ApiKeyCreate { Name = name, Role = "platform" })).Key;
        var platform = Cli(platformKey);
        var pool = Names.Unique("audited");
        CliAssert.Succeeds(await platform.RunAsync("work-pool", "create", pool, "--type", "process"));
        CliAssert.Succeeds(await platform.RunAsync("work-pool", "pause", pool));

        var admin = Cli(Admin);
        var table = await admin.RunAsync("audit", "ls", "--actor", name);
        var json = await admin.RunAsync("audit", "ls", "--actor", name, "--action", "work_pool.create", "--since", "1h", "-o", "json");

        CliAssert.Succeeds(table);
        Assert.Contains("work_pool.update", table.Out, StringComparison.Ordinal);
        Assert.Contains("work_pool.create", table.Out, StringComparison.Ordinal);
        Assert.Contains(pool, table.Out, StringComparison.Ordinal);
        var entry = Assert.Single(JsonNode.Parse(json.Out)!.AsArray());
        Assert.Equal(name, entry!["actor"]!.GetValue<string>());
        Assert.Equal("platform", entry["role"]!.GetValue<string>());

        CliAssert.FailsWithOneLine(await platform.RunAsync("audit", "ls"), "may not GET /api/audit");
        CliAssert.FailsWithOneLine(await admin.RunAsync("audit", "ls", "--since", "soon"), "--since");
        CliAssert.FailsWithOneLine(await admin.RunAsync("audit", "ls", "--limit", "500"), "--limit");
    }
}
