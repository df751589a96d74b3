using System.Text.Json.Nodes;

namespace Reeve.Cli.Tests.Commands;

/// <summary><c>reeve concurrency-limit create|ls|inspect|delete</c>.</summary>
public sealed class ConcurrencyLimitCommandsTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task Create_Ls_Inspect_Delete_AndMistakesInOneLine()
    {
        var cli = new CliProcess(fixture.Server.ApiUrl);
        var name = Names.Unique("gcl");

        CliAssert.Succeeds(await cli.RunAsync("concurrency-limit", "create", name, "--limit", "3", "--slot-decay-per-second", "0.5"));
        CliAssert.FailsWithOneLine(await cli.RunAsync("concurrency-limit", "create", name, "--limit", "3"), "already exists");
        CliAssert.FailsWithOneLine(await cli.RunAsync("concurrency-limit", "create", Names.Unique("gcl"), "--limit", "-1"), "limit");

        var listed = JsonNode.Parse((await cli.RunAsync("concurrency-limit", "ls", "-o", "json")).Out)!.AsArray();
        var entry = listed.Single(l => l!["name"]!.GetValue<string>() == name)!;
        Assert.Equal(3, entry["limit"]!.GetValue<int>());
        Assert.Equal(0.5, entry["slot_decay_per_second"]!.GetValue<double>());
        Assert.Contains(name, (await cli.RunAsync("concurrency-limit", "ls")).Out, StringComparison.Ordinal);
        Assert.True(JsonNode.Parse((await cli.RunAsync("concurrency-limit", "inspect", name)).Out)!["active"]!.GetValue<bool>());

        CliAssert.Succeeds(await cli.RunAsync("concurrency-limit", "delete", name));
        CliAssert.FailsWithOneLine(await cli.RunAsync("concurrency-limit", "delete", name), "not found");
        CliAssert.FailsWithOneLine(await cli.RunAsync("concurrency-limit", "inspect", name), "not found");
    }
}
