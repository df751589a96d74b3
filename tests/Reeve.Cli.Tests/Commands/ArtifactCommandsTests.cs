using System.Text.Json.Nodes;
using Reeve.Core.Artifacts;

namespace Reeve.Cli.Tests.Commands;

/// <summary><c>reeve artifact ls|inspect|delete</c>.</summary>
public sealed class ArtifactCommandsTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task Ls_Inspect_AndDelete_AndMistakesInOneLine()
    {
        var client = fixture.Server.Client;
        var key = "cli-" + Guid.NewGuid().ToString("N")[..8];
        await client.CreateArtifactAsync(new ArtifactCreate { Key = key, Type = "markdown", Data = JsonValue.Create("# v1") });
        var latest = await client.CreateArtifactAsync(new ArtifactCreate { Key = key, Type = "markdown", Data = JsonValue.Create("# v2"), Description = "second" });
        var cli = new CliProcess(fixture.Server.ApiUrl);

        Assert.Contains(key, (await cli.RunAsync("artifact", "ls")).Out, StringComparison.Ordinal);
        var listed = JsonNode.Parse((await cli.RunAsync("artifact", "ls", "-o", "json")).Out)!.AsArray();
        Assert.Equal(2, listed.Count(a => a!["key"]?.GetValue<string>() == key));
        Assert.Equal("# v2", JsonNode.Parse((await cli.RunAsync("artifact", "inspect", key)).Out)!["data"]!.GetValue<string>());

        CliAssert.Succeeds(await cli.RunAsync("artifact", "delete", latest.Id.ToString()));
        Assert.Equal("# v1", JsonNode.Parse((await cli.RunAsync("artifact", "inspect", key)).Out)!["data"]!.GetValue<string>());
        CliAssert.FailsWithOneLine(await cli.RunAsync("artifact", "delete", latest.Id.ToString()), "not found");
        CliAssert.FailsWithOneLine(await cli.RunAsync("artifact", "inspect", "no-such-key"), "not found");
        CliAssert.FailsWithOneLine(await cli.RunAsync("artifact", "ls", "--limit", "0"), "--limit");
    }
}
