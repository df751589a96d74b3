using System.Text.Json.Nodes;
using Reeve.Core.Credentials;

namespace Reeve.Cli.Tests.Commands;

public sealed class CredentialsCommandsTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    private RunningServer Server => fixture.Server;

    [Fact]
    public async Task CreateFromEnvironmentAndFile_ThenLsInspectDelete_NeverPrintTheSecret()
    {
        var cli = new CliProcess(Server.ApiUrl);
        var name = Names.Unique("ci");
        var password = "pw-" + Guid.NewGuid().ToString("N");
        cli.Environment["REGISTRY_PASSWORD"] = password;
        var user = Path.Combine(cli.Home, "user.txt");
        Directory.CreateDirectory(cli.Home);
        await File.WriteAllTextAsync(user, "robot\n");

        var created = await cli.RunAsync("credentials", "create", name, "--type", "docker-registry-credentials",
            "--field", "registry_url=127.0.0.1:5000", "--field-from-env", "password=REGISTRY_PASSWORD", "--field-from-file", $"username={user}");
        var table = await cli.RunAsync("credentials", "ls", "--type", "docker-registry-credentials");
        var inspect = await cli.RunAsync("credentials", "inspect", $"docker-registry-credentials/{name}");
        var json = await cli.RunAsync("credentials", "inspect", $"docker-registry-credentials/{name}", "-o", "json");

        CliAssert.Succeeds(created);
        Assert.Contains($"{{{{ prefect.blocks.docker-registry-credentials.{name} }}}}", created.Out, StringComparison.Ordinal);
        CliAssert.Succeeds(table);
        Assert.Contains(name, table.Out, StringComparison.Ordinal);
        CliAssert.Succeeds(inspect);
        Assert.Matches(@"username\s+robot", inspect.Out);
        Assert.Contains(CredentialsData.Masked, inspect.Out, StringComparison.Ordinal);
        Assert.Equal(CredentialsData.Masked, JsonNode.Parse(json.Out)!["data"]!["password"]!.GetValue<string>());
        foreach (var result in new[] { created, table, inspect, json })
        {
            Assert.DoesNotContain(password, result.Out + result.Error, StringComparison.Ordinal);
        }

        var id = JsonNode.Parse(json.Out)!["id"]!.GetValue<string>();
        CliAssert.Succeeds(await cli.RunAsync("credentials", "delete", id));
        CliAssert.FailsWithOneLine(await cli.RunAsync("credentials", "inspect", $"docker-registry-credentials/{name}"), "not found");
    }

    [Fact]
    public async Task Mistakes_FailWithOneLine()
    {
        var cli = new CliProcess(Server.ApiUrl);

        CliAssert.FailsWithOneLine(await cli.RunAsync("credentials", "create", "x", "--type", "nope"), "Unknown credentials type 'nope'");
        CliAssert.FailsWithOneLine(await cli.RunAsync("credentials", "create", "x", "--type", "secret", "--field", "colour=red"), "no field 'colour'");
        CliAssert.FailsWithOneLine(await cli.RunAsync("credentials", "create", "x", "--type", "secret", "--field", "novalue"), "expected KEY=VALUE");
        CliAssert.FailsWithOneLine(await cli.RunAsync("credentials", "create", "x", "--type", "secret"), "give it with --field-from-env");
        CliAssert.FailsWithOneLine(await cli.RunAsync("credentials", "create", "x", "--type", "secret", "--field-from-env", "value=REEVE_NO_SUCH_VARIABLE"), "is not set");
        CliAssert.FailsWithOneLine(await cli.RunAsync("credentials", "create", "x", "--type", "kubernetes-cluster-config", "--field", "config=[1]", "--field", "context_name=c"),
            "must be a JSON object");
        CliAssert.FailsWithOneLine(await cli.RunAsync("credentials", "inspect", "just-a-name"), "neither TYPE/NAME");
    }
}
