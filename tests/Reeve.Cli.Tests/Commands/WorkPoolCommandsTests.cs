using System.Text.Json;
using System.Text.Json.Nodes;
using Reeve.Core.PoolTypes;
using Reeve.Core.WorkPools;
using Reeve.Core.Workers;

namespace Reeve.Cli.Tests.Commands;

public sealed class WorkPoolCommandsTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    private RunningServer Server => fixture.Server;

    private CliProcess Cli() => new(Server.ApiUrl);

    [Fact]
    public async Task Create_PrintsTheCreatedLineAndHowToStartAWorker()
    {
        var name = Names.Unique("my-pool");

        var result = await Cli().RunAsync("work-pool", "create", name, "--type", "process");

        CliAssert.Succeeds(result);
        Assert.StartsWith($"Created work pool '{name}'!", result.Out, StringComparison.Ordinal);
        Assert.Contains($"reeve worker start --pool {name}", result.Out, StringComparison.Ordinal);
        Assert.Contains("Status: NOT_READY", result.Out, StringComparison.Ordinal);
        Assert.Equal("process", (await Server.Client.ReadWorkPoolAsync(name)).Type);
    }

    [Fact]
    public async Task Create_Twice_FailsWithAnAlreadyExistsLine()
    {
        var name = Names.Unique("my-pool");
        var cli = Cli();
        CliAssert.Succeeds(await cli.RunAsync("work-pool", "create", name, "--type", "process"));

        var again = await cli.RunAsync("work-pool", "create", name, "--type", "process");

        CliAssert.FailsWithOneLine(again, $"Work pool named '{name}' already exists. Use --overwrite to update it.");
    }

    [Fact]
    public async Task Create_WithOverwrite_UpdatesTheExistingPool()
    {
        var name = Names.Unique("my-pool");
        var cli = Cli();
        CliAssert.Succeeds(await cli.RunAsync("work-pool", "create", name, "--type", "process"));

        var result = await cli.RunAsync("work-pool", "create", name, "--type", "process", "--overwrite", "--concurrency-limit", "3", "--description", "again");

        CliAssert.Succeeds(result);
        Assert.StartsWith($"Updated work pool '{name}'!", result.Out, StringComparison.Ordinal);
        var pool = await Server.Client.ReadWorkPoolAsync(name);
        Assert.Equal((3, "again"), (pool.ConcurrencyLimit, pool.Description));
    }

    [Fact]
    public async Task Create_Managed_SaysNoWorkerIsNeeded()
    {
        var result = await Cli().RunAsync("work-pool", "create", Names.Unique("managed"), "--type", "managed");

        CliAssert.Succeeds(result);
        Assert.Contains("no worker is needed", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("reeve worker start", result.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ecs", "Unknown work pool type 'ecs'")]
    [InlineData(null, "A --type is required")]
    public async Task Create_WithoutAKnownType_FailsWithOneLine(string? type, string expected)
    {
        string[] args = type is null ? ["work-pool", "create", Names.Unique("p")] : ["work-pool", "create", Names.Unique("p"), "--type", type];
        CliAssert.FailsWithOneLine(await Cli().RunAsync(args), expected);
    }

    [Fact]
    public async Task Create_BadName_FailsWithOneLineNamingTheRule() =>
        CliAssert.FailsWithOneLine(await Cli().RunAsync("work-pool", "create", "a/b", "--type", "process"), "name: must not contain '/'");

    [Fact]
    public async Task Create_FromADefaultTemplateFileEditedByTheUser_KeepsTheEdit()
    {
        var cli = Cli();
        var file = Path.Combine(cli.Home, "template.json");
        CliAssert.Succeeds(await cli.RunAsync("work-pool", "get-default-base-job-template", "--type", "process", "--file", file));
        var template = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
        template["variables"]!["properties"]!["env"]!["default"] = new JsonObject { ["STAGE"] = "prod" };
        await File.WriteAllTextAsync(file, template.ToJsonString());
        var name = Names.Unique("custom");

        CliAssert.Succeeds(await cli.RunAsync("work-pool", "create", name, "--type", "process", "--base-job-template", file));

        var pool = await Server.Client.ReadWorkPoolAsync(name);
        Assert.Equal("prod", pool.BaseJobTemplate["variables"]!["properties"]!["env"]!["default"]!["STAGE"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_TemplateWithAnUndeclaredPlaceholder_FailsNamingIt()
    {
        var cli = Cli();
        var file = Path.Combine(cli.Home, "bad.json");
        await File.WriteAllTextAsync(file, """{"job_configuration": {"x": "{{ missing }}"}, "variables": {"type": "object", "properties": {}}}""");

        CliAssert.FailsWithOneLine(await cli.RunAsync("work-pool", "create", Names.Unique("p"), "--type", "process", "--base-job-template", file), "missing");
    }

    [Theory]
    [InlineData(null, "does not exist")]
    [InlineData("{ not json", "is not valid JSON")]
    [InlineData("[1, 2]", "must hold a JSON object")]
    public async Task Create_UnreadableTemplateFile_FailsWithOneLine(string? content, string expected)
    {
        var cli = Cli();
        var file = Path.Combine(cli.Home, "t.json");
        if (content is not null)
        {
            await File.WriteAllTextAsync(file, content);
        }

        CliAssert.FailsWithOneLine(await cli.RunAsync("work-pool", "create", Names.Unique("p"), "--type", "process", "--base-job-template", file), expected);
    }

    [Fact]
    public async Task Ls_ShowsStatusAsItChanges()
    {
        var name = Names.Unique("ls-pool");
        var cli = Cli();
        CliAssert.Succeeds(await cli.RunAsync("work-pool", "create", name, "--type", "process"));

        var listed = await cli.RunAsync("work-pool", "ls");
        CliAssert.Succeeds(listed);
        Assert.Matches($@"{name}\s+│ process\s+│ [0-9a-f-]{{36}} │ None\s+│ NOT_READY", listed.Out);

        await Server.Client.HeartbeatAsync(name, new WorkerHeartbeat { Name = "w", HeartbeatIntervalSeconds = 30 });
        Assert.Matches($@"{name}\s+│.*│ READY", (await cli.RunAsync("work-pool", "ls")).Out);

        CliAssert.Succeeds(await cli.RunAsync("work-pool", "pause", name));
        var paused = await cli.RunAsync("work-pool", "ls");
        Assert.Matches($@"{name} \(\*\*\)\s+│.*│ PAUSED", paused.Out);
        Assert.Contains("(**) denotes a paused pool", paused.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ls_Json_IsTheWireFormat()
    {
        var name = Names.Unique("json-pool");
        var cli = Cli();
        CliAssert.Succeeds(await cli.RunAsync("work-pool", "create", name, "--type", "docker"));

        var result = await cli.RunAsync("work-pool", "ls", "--output", "json");

        CliAssert.Succeeds(result);
        var pools = JsonNode.Parse(result.Out)!.AsArray();
        var pool = pools.Single(p => p!["name"]!.GetValue<string>() == name)!;
        Assert.Equal("docker", pool["type"]!.GetValue<string>());
        Assert.Equal("NOT_READY", pool["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Inspect_ShowsTheTemplate_AndUnknownPoolsFail()
    {
        var name = Names.Unique("inspect");
        var cli = Cli();
        CliAssert.Succeeds(await cli.RunAsync("work-pool", "create", name, "--type", "process", "--description", "described"));

        var shown = await cli.RunAsync("work-pool", "inspect", name);
        var json = await cli.RunAsync("work-pool", "inspect", name, "-o", "json");
        var missing = await cli.RunAsync("work-pool", "inspect", "no-such-pool");

        CliAssert.Succeeds(shown);
        Assert.Contains("described", shown.Out, StringComparison.Ordinal);
        Assert.Contains("\"stream_output\"", shown.Out, StringComparison.Ordinal);
        Assert.Equal(name, JsonNode.Parse(json.Out)!["name"]!.GetValue<string>());
        CliAssert.FailsWithOneLine(missing, "Work pool 'no-such-pool' not found!");

        // JSON for people too: an apostrophe is an apostrophe, not \u0027.
        Assert.Contains("worker's machine", json.Out, StringComparison.Ordinal);
        Assert.Contains("worker's machine", shown.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u0027", json.Out + shown.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PauseResumeAndConcurrencyLimits_ChangeThePool()
    {
        var name = Names.Unique("limits");
        var cli = Cli();
        CliAssert.Succeeds(await cli.RunAsync("work-pool", "create", name, "--type", "process"));

        var paused = await cli.RunAsync("work-pool", "pause", name);
        Assert.True((await Server.Client.ReadWorkPoolAsync(name)).IsPaused);
        var resumed = await cli.RunAsync("work-pool", "resume", name);
        Assert.False((await Server.Client.ReadWorkPoolAsync(name)).IsPaused);
        var set = await cli.RunAsync("work-pool", "set-concurrency-limit", name, "5");
        Assert.Equal(5, (await Server.Client.ReadWorkPoolAsync(name)).ConcurrencyLimit);
        var cleared = await cli.RunAsync("work-pool", "clear-concurrency-limit", name);
        Assert.Null((await Server.Client.ReadWorkPoolAsync(name)).ConcurrencyLimit);
        var updated = await cli.RunAsync("work-pool", "update", name, "--concurrency-limit", "0", "--description", "zero");

        Assert.Equal($"Paused work pool '{name}'", paused.Out.Trim());
        Assert.Equal($"Resumed work pool '{name}'", resumed.Out.Trim());
        Assert.Equal($"Set concurrency limit for work pool '{name}' to 5", set.Out.Trim());
        Assert.Equal($"Cleared concurrency limit for work pool '{name}'", cleared.Out.Trim());
        Assert.Equal($"Updated work pool '{name}'", updated.Out.Trim());
        var pool = await Server.Client.ReadWorkPoolAsync(name);
        Assert.Equal((0, "zero"), (pool.ConcurrencyLimit, pool.Description));
    }

    [Fact]
    public async Task LimitAndPause_OnUnknownPool_FailWithOneLine()
    {
        var cli = Cli();
        CliAssert.FailsWithOneLine(await cli.RunAsync("work-pool", "pause", "nope-pool"), "Work pool named 'nope-pool' does not exist.");
        CliAssert.FailsWithOneLine(await cli.RunAsync("work-pool", "set-concurrency-limit", "nope-pool", "2"), "does not exist");
        CliAssert.FailsWithOneLine(await cli.RunAsync("work-pool", "set-concurrency-limit", "nope-pool", "-2"), "concurrency_limit");
        CliAssert.FailsWithOneLine(await cli.RunAsync("work-pool", "update", "nope-pool"), "Nothing to update");
    }

    [Fact]
    public async Task Delete_RemovesThePool()
    {
        var name = Names.Unique("delete-me");
        var cli = Cli();
        CliAssert.Succeeds(await cli.RunAsync("work-pool", "create", name, "--type", "process"));

        var deleted = await cli.RunAsync("work-pool", "delete", name);
        var again = await cli.RunAsync("work-pool", "delete", name);

        Assert.Equal($"Deleted work pool '{name}'", deleted.Out.Trim());
        CliAssert.FailsWithOneLine(again, $"Work pool '{name}' does not exist.");
        Assert.Equal(0, await Server.Client.CountWorkPoolsAsync(new WorkPoolFilter { Name = new() { Any = [name] } }));
    }

    [Fact]
    public async Task GetDefaultBaseJobTemplate_PrintsTheTypesTemplate()
    {
        var cli = Cli();
        var printed = await cli.RunAsync("work-pool", "get-default-base-job-template", "--type", "kubernetes");
        var unknown = await cli.RunAsync("work-pool", "get-default-base-job-template", "--type", "lambda");

        CliAssert.Succeeds(printed);
        Assert.True(JsonNode.DeepEquals(PoolTypeCatalog.Find("kubernetes")!.DefaultBaseJobTemplate, JsonNode.Parse(printed.Out)));
        CliAssert.FailsWithOneLine(unknown, "Unknown work pool type 'lambda'. Please choose from process, managed, docker, kubernetes, docker:push, kubernetes:push, cloud-run:push, ecs:push, aci:push.");
    }

    [Fact]
    public async Task GetDefaultBaseJobTemplate_NeedsNoServer()
    {
        var result = await new CliProcess("http://127.0.0.1:9/api").RunAsync("work-pool", "get-default-base-job-template", "-t", "process");
        CliAssert.Succeeds(result);
        Assert.NotNull(JsonSerializer.Deserialize<JsonObject>(result.Out));
    }
}
