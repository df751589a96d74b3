using Reeve.Core.WorkPools;

namespace Reeve.Cli.Tests.Commands;

/// <summary><c>reeve worker start</c>: bad input ends in one line, and a worker warns about paused pools and queues.</summary>
public sealed class WorkerCommandsTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    private RunningServer Server => fixture.Server;

    [Theory]
    [InlineData(new[] { "--limit", "0" }, "--limit must be at least 1", 1)]
    [InlineData(new[] { "--prefetch-seconds", "-1" }, "--prefetch-seconds must not be negative", 1)]
    [InlineData(new[] { "--type", "managed" }, "run by the Reeve server itself", 1)]
    [InlineData(new[] { "--type", "no-such-type" }, "Unknown worker type 'no-such-type'", 1)]
    [InlineData(new[] { "--limit", "many" }, "many", 2)]
    public async Task BadInput_FailsWithOneLine(string[] args, string expected, int exitCode)
    {
        var result = await new CliProcess(Server.ApiUrl).RunAsync(["worker", "start", "--pool", Names.Unique("wpool"), .. args]);

        CliAssert.FailsWithOneLine(result, expected, exitCode);
    }

    [Fact]
    public async Task MissingPool_FailsWithOneLine() =>
        CliAssert.FailsWithOneLine(await new CliProcess(Server.ApiUrl).RunAsync("worker", "start"), "--pool", exitCode: 2);

    [Fact]
    public async Task AWorkerOfAnotherType_IsRefused()
    {
        var pool = Names.Unique("wpool");
        await Server.Client.CreateWorkPoolAsync(new WorkPoolCreate { Name = pool, Type = "docker" });

        var result = await new CliProcess(Server.ApiUrl).RunAsync("worker", "start", "--pool", pool, "--type", "process");

        CliAssert.FailsWithOneLine(result, $"Work pool '{pool}' is of type 'docker'; a 'process' worker cannot run its flow runs.");
    }

    [Theory]
    [InlineData("docker:push", "is a push pool (docker:push): the Reeve server submits its flow runs itself")]
    [InlineData("kubernetes:push", "is a push pool (kubernetes:push)")]
    [InlineData("managed", "is a managed pool: the Reeve server runs its flow runs itself")]
    public async Task AWorkerForAPoolTheServerRuns_IsRefused_AndCreatingOneSaysNoWorkerIsNeeded(string type, string expected)
    {
        var pool = Names.Unique("server-pool");
        var cli = new CliProcess(Server.ApiUrl);
        var created = await cli.RunAsync("work-pool", "create", pool, "--type", type);
        CliAssert.Succeeds(created);
        Assert.Contains("no worker is needed", created.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("reeve worker start", created.Out, StringComparison.Ordinal);

        CliAssert.FailsWithOneLine(await cli.RunAsync("worker", "start", "--pool", pool), expected);
    }

    [Fact]
    public async Task RunOnce_OnAPausedPool_WarnsAndEnds()
    {
        var pool = Names.Unique("wpool");
        await Server.Client.CreateWorkPoolAsync(new WorkPoolCreate { Name = pool, Type = "process", IsPaused = true });

        var result = await new CliProcess(Server.ApiUrl).RunAsync("worker", "start", "--pool", pool, "--run-once");

        CliAssert.Succeeds(result);
        Assert.Contains("started!", result.Out, StringComparison.Ordinal);
        Assert.Contains($"Work pool '{pool}' is paused", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_StopsTheWorker_SayingSoAndWhatItLeft()
    {
        var pool = Names.Unique("wpool");
        await Server.Client.CreateWorkPoolAsync(new WorkPoolCreate { Name = pool, Type = "process" });
        using var worker = new CliProcess(Server.ApiUrl).Start(["worker", "start", "--pool", pool]);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await worker.StandardOutput.ReadLineAsync(timeout.Token) is { } line && !line.Contains("started!", StringComparison.Ordinal))
        {
        }

        Signals.Send(worker.Id, Signals.SigTerm);
        var rest = await worker.StandardOutput.ReadToEndAsync(timeout.Token);
        await worker.WaitForExitAsync(timeout.Token);

        Assert.Equal(0, worker.ExitCode);
        Assert.Contains("stopped; no flow run was left running.", rest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServerThatIsNotThere_FailsWithOneLine() =>
        CliAssert.FailsWithOneLine(await new CliProcess("http://127.0.0.1:1/api").RunAsync("worker", "start", "--pool", "p"), "Cannot reach a Reeve server");
}
