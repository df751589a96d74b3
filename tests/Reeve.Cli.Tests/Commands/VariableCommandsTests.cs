using System.Text.Json.Nodes;

namespace Reeve.Cli.Tests.Commands;

/// <summary><c>reeve variable set|get|ls|unset</c>: JSON values or plain strings, --overwrite, one-line mistakes.</summary>
public sealed class VariableCommandsTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    private CliProcess Cli() => new(fixture.Server.ApiUrl);

    private static string Name() => "cli_" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task Set_TakesJsonOrAString_GetPrintsIt_LsListsIt_AndUnsetRemovesIt()
    {
        var cli = Cli();
        var json = Name();
        var text = Name();

        CliAssert.Succeeds(await cli.RunAsync("variable", "set", json, """{"retries": 3}""", "--tag", "ops"));
        CliAssert.Succeeds(await cli.RunAsync("variable", "set", text, "hello world"));

        Assert.Equal("""{"retries":3}""", (await cli.RunAsync("variable", "get", json)).Out.Trim());
        Assert.Equal("hello world", (await cli.RunAsync("variable", "get", text)).Out.Trim());
        var listed = await cli.RunAsync("variable", "ls", "-o", "json");
        var entry = JsonNode.Parse(listed.Out)!.AsArray().Single(v => v!["name"]!.GetValue<string>() == json)!;
        Assert.Equal("ops", entry["tags"]![0]!.GetValue<string>());
        Assert.Contains(text, (await cli.RunAsync("variable", "ls")).Out, StringComparison.Ordinal);

        CliAssert.FailsWithOneLine(await cli.RunAsync("variable", "set", text, "again"), "already exists. Use --overwrite");
        CliAssert.Succeeds(await cli.RunAsync("variable", "set", text, "42", "--overwrite"));
        Assert.Equal("42", (await cli.RunAsync("variable", "get", text)).Out.Trim());

        CliAssert.Succeeds(await cli.RunAsync("variable", "unset", text));
        CliAssert.FailsWithOneLine(await cli.RunAsync("variable", "get", text), "not found");
        CliAssert.FailsWithOneLine(await cli.RunAsync("variable", "unset", text), "not found");
    }

    [Fact]
    public async Task BadNamesAndValues_FailWithOneLine()
    {
        var cli = Cli();

        CliAssert.FailsWithOneLine(await cli.RunAsync("variable", "set", "Not-Allowed", "1"), "lowercase letters, digits and underscores");
        CliAssert.FailsWithOneLine(await cli.RunAsync("variable", "set", Name(), new string('x', 6000)), "5000");
        CliAssert.FailsWithOneLine(await cli.RunAsync("variable", "ls", "--limit", "0"), "--limit");
    }
}
