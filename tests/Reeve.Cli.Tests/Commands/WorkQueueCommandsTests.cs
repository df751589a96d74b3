using System.Text.Json.Nodes;
using Reeve.Core.WorkPools;

namespace Reeve.Cli.Tests.Commands;

public sealed class WorkQueueCommandsTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    private RunningServer Server => fixture.Server;

    private async Task<(CliProcess Cli, string Pool)> PoolAsync()
    {
        var pool = Names.Unique("qpool");
        await Server.Client.CreateWorkPoolAsync(new WorkPoolCreate { Name = pool, Type = "process" });
        return (new CliProcess(Server.ApiUrl), pool);
    }

    [Fact]
    public async Task Create_PrintsTheQueuesProperties()
    {
        var (cli, pool) = await PoolAsync();

        var result = await cli.RunAsync("work-queue", "create", "critical", "--pool", pool, "--priority", "1", "--limit", "4");

        CliAssert.Succeeds(result);
        Assert.Contains("Created work queue with properties:", result.Out, StringComparison.Ordinal);
        Assert.Contains("name - 'critical'", result.Out, StringComparison.Ordinal);
        Assert.Contains("priority - 1", result.Out, StringComparison.Ordinal);
        Assert.Contains("concurrency limit - 4", result.Out, StringComparison.Ordinal);
        Assert.Equal(2, (await Server.Client.ReadWorkQueueAsync(pool, "default")).Priority);
    }

    [Fact]
    public async Task Create_Duplicate_OrInUnknownPool_FailsWithOneLine()
    {
        var (cli, pool) = await PoolAsync();

        CliAssert.FailsWithOneLine(await cli.RunAsync("work-queue", "create", "default", "--pool", pool), "already exists");
        CliAssert.FailsWithOneLine(await cli.RunAsync("work-queue", "create", "q", "--pool", "no-such-pool"), "Work pool with name: 'no-such-pool' not found.");
        CliAssert.FailsWithOneLine(await cli.RunAsync("work-queue", "create", "q"), "--pool", exitCode: 2);
    }

    [Fact]
    public async Task Ls_ListsByPriorityWithStatus()
    {
        var (cli, pool) = await PoolAsync();
        CliAssert.Succeeds(await cli.RunAsync("work-queue", "create", "low", "--pool", pool));
        CliAssert.Succeeds(await cli.RunAsync("work-queue", "pause", "low", "--pool", pool));

        var table = await cli.RunAsync("work-queue", "ls", "--pool", pool);
        var json = await cli.RunAsync("work-queue", "ls", "--pool", pool, "--output", "json");

        CliAssert.Succeeds(table);
        Assert.Contains($"Work Queues in Work Pool '{pool}'", table.Out, StringComparison.Ordinal);
        Assert.Matches(@"default\s+│ 1\s+│ None\s+│ NOT_READY", table.Out);
        Assert.Matches(@"low \(\*\*\)\s+│ 2\s+│ None\s+│ PAUSED", table.Out);
        Assert.Equal(["default", "low"], JsonNode.Parse(json.Out)!.AsArray().Select(q => q!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task PauseResumeLimitsInspectAndDelete()
    {
        var (cli, pool) = await PoolAsync();
        CliAssert.Succeeds(await cli.RunAsync("work-queue", "create", "q", "--pool", pool));

        Assert.Equal($"Work queue 'q' in work pool '{pool}' paused", (await cli.RunAsync("work-queue", "pause", "q", "--pool", pool)).Out.Trim());
        Assert.True((await Server.Client.ReadWorkQueueAsync(pool, "q")).IsPaused);
        Assert.Equal($"Work queue 'q' in work pool '{pool}' resumed", (await cli.RunAsync("work-queue", "resume", "q", "--pool", pool)).Out.Trim());
        Assert.Equal($"Concurrency limit of 3 set on work queue 'q' in work pool '{pool}'",
            (await cli.RunAsync("work-queue", "set-concurrency-limit", "q", "3", "--pool", pool)).Out.Trim());
        Assert.Equal(3, (await Server.Client.ReadWorkQueueAsync(pool, "q")).ConcurrencyLimit);

        var inspected = await cli.RunAsync("work-queue", "inspect", "q", "--pool", pool, "-o", "json");
        Assert.Equal(3, JsonNode.Parse(inspected.Out)!["concurrency_limit"]!.GetValue<int>());

        Assert.Equal($"Concurrency limits removed on work queue 'q' in work pool '{pool}'",
            (await cli.RunAsync("work-queue", "clear-concurrency-limit", "q", "--pool", pool)).Out.Trim());
        Assert.Null((await Server.Client.ReadWorkQueueAsync(pool, "q")).ConcurrencyLimit);

        Assert.Equal($"Successfully deleted work queue 'q' in work pool '{pool}'", (await cli.RunAsync("work-queue", "delete", "q", "--pool", pool)).Out.Trim());
        CliAssert.FailsWithOneLine(await cli.RunAsync("work-queue", "inspect", "q", "--pool", pool), $"No work queue named 'q' found in work pool '{pool}'.");
    }

    [Fact]
    public async Task Delete_DefaultQueue_FailsWithOneLine()
    {
        var (cli, pool) = await PoolAsync();
        CliAssert.FailsWithOneLine(await cli.RunAsync("work-queue", "delete", "default", "--pool", pool), "default queue");
    }
}
