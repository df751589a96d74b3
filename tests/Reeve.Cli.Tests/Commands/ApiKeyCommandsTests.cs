using System.Text.Json.Nodes;

namespace Reeve.Cli.Tests.Commands;

/// <summary><c>reeve api-key</c> against a server with a bootstrap key: a key printed once, listed without it, revoked.</summary>
public sealed class ApiKeyCommandsTests : IAsyncLifetime
{
    private const string Admin = "bootstrap-admin-key-for-cli-tests";
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
    public async Task Create_PrintsTheKeyOnce_WhichThenWorksWithItsRole_LsNeverShowsIt_AndRevokeEndsIt()
    {
        var admin = Cli(Admin);
        var name = Names.Unique("viewer");

        var created = await admin.RunAsync("api-key", "create", name, "--role", "viewer", "--expires-in", "90d");
        CliAssert.Succeeds(created);
        var key = created.Out.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("reeve_", StringComparison.Ordinal));
        Assert.Contains("expires", created.Out, StringComparison.Ordinal);

        var viewer = Cli(key);
        CliAssert.Succeeds(await viewer.RunAsync("work-pool", "ls"));
        CliAssert.FailsWithOneLine(await viewer.RunAsync("work-pool", "create", Names.Unique("p"), "--type", "process"), "may not POST /api/work_pools");

        var listed = await admin.RunAsync("api-key", "ls");
        var json = await admin.RunAsync("api-key", "ls", "-o", "json");
        CliAssert.Succeeds(listed);
        Assert.Contains(name, listed.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(key, listed.Out + json.Out, StringComparison.Ordinal);
        Assert.Contains(JsonNode.Parse(json.Out)!.AsArray(), k => k!["name"]!.GetValue<string>() == name && k["role"]!.GetValue<string>() == "viewer");

        CliAssert.Succeeds(await admin.RunAsync("api-key", "revoke", name));
        CliAssert.FailsWithOneLine(await viewer.RunAsync("work-pool", "ls"), "not valid");
        CliAssert.FailsWithOneLine(await admin.RunAsync("api-key", "revoke", name), "not found");
    }

    [Fact]
    public async Task ADeveloper_CannotRunADeploymentWithAVariableThePoolLocks()
    {
        var pool = await _server.Client.PoolAsync(template: Seed.Json("""
            {
              "job_configuration": {"command": "{{ command }}", "working_dir": "{{ working_dir }}"},
              "variables": {"type": "object", "properties": {
                "command": {"type": "string", "x-reeve-overridable": false},
                "working_dir": {"type": "string"}
              }}
            }
            """));
        var flow = await _server.Client.FlowAsync();
        var deployment = await _server.Client.DeploymentAsync(pool, flowId: flow.Id);
        var developer = Cli((await _server.Client.CreateApiKeyAsync(new Core.Access.ApiKeyCreate { Name = Names.Unique("dev"), Role = "developer" })).Key);

        var refused = await developer.RunAsync("deployment", "run", $"{flow.Name}/{deployment.Name}", "--job-variable", "command=/bin/sh -c id");
        var allowed = await developer.RunAsync("deployment", "run", $"{flow.Name}/{deployment.Name}", "--job-variable", "working_dir=/srv");

        CliAssert.FailsWithOneLine(refused, "job_variables.command");
        CliAssert.Succeeds(allowed);
    }

    [Fact]
    public async Task Mistakes_FailWithOneLine()
    {
        var admin = Cli(Admin);

        CliAssert.FailsWithOneLine(await admin.RunAsync("api-key", "create", "k", "--role", "root"), "role");
        CliAssert.FailsWithOneLine(await admin.RunAsync("api-key", "create", "k", "--role", "viewer", "--pool", "p"), "only worker keys");
        CliAssert.FailsWithOneLine(await admin.RunAsync("api-key", "create", "k", "--role", "viewer", "--expires-in", "soon"), "--expires-in");
        CliAssert.FailsWithOneLine(await admin.RunAsync("api-key", "create", "k", "--role", "viewer", "--expires-in", "999999999d"), "--expires-in");
    }
}
