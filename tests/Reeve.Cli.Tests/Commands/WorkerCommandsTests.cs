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
