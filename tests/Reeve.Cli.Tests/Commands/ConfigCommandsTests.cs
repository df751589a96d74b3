using System.Text.Json.Nodes;

namespace Reeve.Cli.Tests.Commands;

public sealed class ConfigCommandsTests
{
    private static CliProcess Cli()
    {
        var cli = new CliProcess("unused");
        cli.Environment["REEVE_API_URL"] = null;
        return cli;
    }

    [Fact]
    public async Task SetViewUnset_RoundTripThroughTheProfile()
    {
        var cli = Cli();

        var set = await cli.RunAsync("config", "set", "REEVE_API_URL=http://127.0.0.1:4999/api", "REEVE_API_KEY=topsecret");
        var view = await cli.RunAsync("config", "view");
        var shown = await cli.RunAsync("config", "view", "--show-secrets", "-o", "json");
        var unset = await cli.RunAsync("config", "unset", "REEVE_API_KEY");
        var after = await cli.RunAsync("config", "view");

        CliAssert.Succeeds(set);
        Assert.Contains("Set 'REEVE_API_URL' to 'http://127.0.0.1:4999/api'.", set.Out, StringComparison.Ordinal);
        Assert.Contains("Set 'REEVE_API_KEY' to '********'.", set.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("topsecret", set.Out + view.Out, StringComparison.Ordinal);
        Assert.Contains("REEVE_API_URL='http://127.0.0.1:4999/api' (from profile)", view.Out, StringComparison.Ordinal);
        Assert.Equal("topsecret", JsonNode.Parse(shown.Out)!["REEVE_API_KEY"]!["value"]!.GetValue<string>());
        CliAssert.Succeeds(unset);
        Assert.DoesNotContain("REEVE_API_KEY", after.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Environment_WinsOverTheProfile()
    {
        var cli = Cli();
        CliAssert.Succeeds(await cli.RunAsync("config", "set", "REEVE_API_URL=http://127.0.0.1:4999/api"));
        cli.Environment["REEVE_API_URL"] = "http://127.0.0.1:5000/api";

        var view = await cli.RunAsync("config", "view");
        var set = await cli.RunAsync("config", "set", "REEVE_API_URL=http://127.0.0.1:4998/api");

        Assert.Contains("REEVE_API_URL='http://127.0.0.1:5000/api' (from environment)", view.Out, StringComparison.Ordinal);
        Assert.Contains("also set by an environment variable", set.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Default_IsTheLocalServer()
    {
        var view = await Cli().RunAsync("config", "view");
        Assert.Contains("REEVE_API_URL='http://127.0.0.1:4200/api' (from default)", view.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("set", "PREFECT_API_URL=x", "Unknown setting name 'PREFECT_API_URL'")]
    [InlineData("set", "REEVE_API_URL", "is not KEY=VALUE")]
    [InlineData("set", "REEVE_API_URL=localhost:4200", "must be an http:// or https:// address")]
    [InlineData("unset", "REEVE_API_KEY", "is not set in the profile")]
    public async Task BadSettings_FailWithOneLine(string verb, string argument, string expected) =>
        CliAssert.FailsWithOneLine(await Cli().RunAsync("config", verb, argument), expected);

    [Fact]
    public async Task CorruptProfile_FailsWithOneLine()
    {
        var cli = Cli();
        await File.WriteAllTextAsync(Path.Combine(cli.Home, "profile.json"), "{ nope");

        CliAssert.FailsWithOneLine(await cli.RunAsync("work-pool", "ls"), "cannot be read");
    }
}
