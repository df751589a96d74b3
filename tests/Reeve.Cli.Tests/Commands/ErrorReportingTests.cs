using Reeve.Core.WorkPools;

namespace Reeve.Cli.Tests.Commands;

public sealed class ErrorReportingTests
{
    [Fact]
    public async Task NoServer_SaysSoAndHowToStartOne()
    {
        // Port 9 (discard) is closed on loopback: nothing listens there.
        var result = await new CliProcess("http://127.0.0.1:9/api").RunAsync("work-pool", "ls");

        CliAssert.FailsWithOneLine(result, "Cannot reach a Reeve server at http://127.0.0.1:9/api. Start one with 'reeve server start'");
    }

    [Theory]
    [InlineData("work-pool create")]
    [InlineData("work-pool create p --concurrency-limit many")]
    [InlineData("work-pool ls --output yaml")]
    [InlineData("work-pool")]
    public async Task ParseErrors_AreOneLineWithExit2(string commandLine)
    {
        var result = await new CliProcess("http://127.0.0.1:9/api").RunAsync(commandLine.Split(' '));
        CliAssert.FailsWithOneLine(result, "--help", exitCode: 2);
    }

    [Theory]
    [InlineData("work-pool lss", "Unknown command 'lss'. Did you mean 'ls'? The commands of 'reeve work-pool' are: create, ls,")]
    [InlineData("wrok-pool ls", "Unknown command 'wrok-pool'. Did you mean 'work-pool'? The commands of 'reeve' are: server, work-pool,")]
    [InlineData("work-pol ls", "Did you mean 'work-pool'?")]
    [InlineData("flow-run inspct x", "Did you mean 'inspect'?")]
    [InlineData("frobnicate", "Unknown command 'frobnicate'. The commands of 'reeve' are:")]
    public async Task AMistypedCommand_IsNamed_WithTheNearestOneAndTheList(string commandLine, string expected)
    {
        var result = await new CliProcess("http://127.0.0.1:9/api").RunAsync(commandLine.Split(' '));

        CliAssert.FailsWithOneLine(result, expected, exitCode: 2);
    }

    [Theory]
    [InlineData("flow-run inspect not-a-uuid", "'not-a-uuid' is not a UUID (such as ")]
    [InlineData("work-pool create p --concurrency-limit many", "'many' is not a whole number for --concurrency-limit.")]
    public async Task AValueOfTheWrongType_IsNamedInWords_NotAsADotNetType(string commandLine, string expected)
    {
        var result = await new CliProcess("http://127.0.0.1:9/api").RunAsync(commandLine.Split(' '));

        CliAssert.FailsWithOneLine(result, expected, exitCode: 2);
        Assert.DoesNotContain("System.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheEngine_WithNoRunNamed_SaysHowToNameOne()
    {
        // 'flow-run execute' skips the command tree (workers start it for every run): its failures read the same.
        var cli = new CliProcess("http://127.0.0.1:9/api");
        cli.Environment["REEVE_FLOW_RUN_ID"] = null;
        var result = await cli.RunAsync("flow-run", "execute");

        CliAssert.FailsWithOneLine(result, "Name the flow run to execute, or set REEVE_FLOW_RUN_ID.");
    }

    [Fact]
    public async Task TheEngine_WithNoServer_SaysSoInOneLine()
    {
        var result = await new CliProcess("http://127.0.0.1:9/api").RunAsync("flow-run", "execute", Guid.NewGuid().ToString());

        CliAssert.FailsWithOneLine(result, "Cannot reach a Reeve server at http://127.0.0.1:9/api.");
    }

    [Fact]
    public async Task AStandbyEngine_WhoseWorkerHandsItNothing_EndsQuietly()
    {
        // Its input closes at once, as when the worker that started it stops.
        var result = await new CliProcess("http://127.0.0.1:9/api").RunAsync("flow-run", "execute", "--standby");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("", result.Out + result.Error);
    }

    [Fact]
    public async Task ServerWithApiKey_RefusesTheCliWithoutOne_AndServesItWithOne()
    {
        await using var server = await RunningServer.StartAsync(TestStorage.Sqlite, apiKey: "k3y");
        var cli = new CliProcess(server.ApiUrl);

        var refused = await cli.RunAsync("work-pool", "ls");
        cli.Environment["REEVE_API_KEY"] = "k3y";
        var created = await cli.RunAsync("work-pool", "create", "keyed", "--type", "process");

        CliAssert.FailsWithOneLine(refused, "REEVE_API_KEY");
        CliAssert.Succeeds(created);
        Assert.Equal("keyed", (await server.Client.ReadWorkPoolAsync("keyed")).Name);
    }

    [Fact]
    public async Task ApiKeyFromTheProfile_IsSent()
    {
        await using var server = await RunningServer.StartAsync(TestStorage.Sqlite, apiKey: "k3y");
        var cli = new CliProcess(server.ApiUrl);
        CliAssert.Succeeds(await cli.RunAsync("config", "set", "REEVE_API_KEY=k3y"));

        CliAssert.Succeeds(await cli.RunAsync("work-pool", "ls"));
        Assert.Equal(0, await server.Client.CountWorkPoolsAsync(new WorkPoolFilter()));
    }
}
