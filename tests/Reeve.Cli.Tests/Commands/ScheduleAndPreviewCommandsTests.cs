using Reeve.Core.Deployments;
using Reeve.Core.States;

namespace Reeve.Cli.Tests.Commands;

public sealed class ScheduleAndPreviewCommandsTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    private RunningServer Server => fixture.Server;

    private async Task<(CliProcess Cli, Deployment Deployment, string Name, string Pool)> DeploymentAsync()
    {
        var pool = await Server.Client.PoolAsync();
        var deployment = await Server.Client.DeploymentAsync(pool);
        var flow = await Server.Client.ReadFlowAsync(deployment.FlowId);
        return (new CliProcess(Server.ApiUrl), deployment, $"{flow.Name}/{deployment.Name}", pool);
    }

    [Fact]
    public async Task ScheduleCreate_Ls_Pause_Delete()
    {
        var (cli, deployment, name, _) = await DeploymentAsync();

        var created = await cli.RunAsync("deployment", "schedule", "create", name, "--cron", "0 1 * * *", "--timezone", "Europe/London", "--slug", "nightly");
        CliAssert.Succeeds(created);
        Assert.Contains("(cron '0 1 * * *' (Europe/London))", created.Out, StringComparison.Ordinal);
        var schedule = Assert.Single(await Server.Client.ReadDeploymentSchedulesAsync(deployment.Id));
        Assert.Equal("nightly", schedule.Slug);

        var listed = await cli.RunAsync("deployment", "schedule", "ls", name);
        CliAssert.Succeeds(listed);
        Assert.Matches($@"{schedule.Id}\s+│ cron '0 1 \* \* \*' \(Europe/London\)\s+│ True", listed.Out);

        CliAssert.Succeeds(await cli.RunAsync("deployment", "schedule", "pause", name, schedule.Id.ToString()));
        Assert.False(Assert.Single(await Server.Client.ReadDeploymentSchedulesAsync(deployment.Id)).Active);

        CliAssert.Succeeds(await cli.RunAsync("deployment", "schedule", "delete", name, schedule.Id.ToString(), "--yes"));
        Assert.Empty(await Server.Client.ReadDeploymentSchedulesAsync(deployment.Id));
        CliAssert.FailsWithOneLine(await cli.RunAsync("deployment", "schedule", "delete", name, schedule.Id.ToString(), "--yes"),
            $"Schedule '{schedule.Id}' not found on this deployment!");
    }

    [Theory]
    [InlineData("--cron", "0 1 * *", "Invalid cron string \"0 1 * *\": it has 4 field(s)")]
    [InlineData("--rrule", "FREQ=NEVER", "Invalid RRule string \"FREQ=NEVER\"")]
    [InlineData("--interval", "0", "The interval must be positive")]
    public async Task ScheduleCreate_AnInvalidSchedule_FailsInOneLineQuotingIt(string option, string value, string expected)
    {
        var (cli, deployment, name, _) = await DeploymentAsync();

        var result = await cli.RunAsync("deployment", "schedule", "create", name, option, value);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.StartsWith($"{option}: ", result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Trim().Split('\n'));
        Assert.Empty(await Server.Client.ReadDeploymentSchedulesAsync(deployment.Id));
    }

    [Fact]
    public async Task ScheduleCreate_NeedsExactlyOneKind() =>
        CliAssert.FailsWithOneLine(await (await DeploymentAsync()).Cli.RunAsync("deployment", "schedule", "create", "f/d", "--cron", "* * * * *", "--interval", "60"),
            "Give only one of --cron, --interval or --rrule.");

    [Fact]
    public async Task WorkPoolPreview_ListsTheRunsWithinTheHours_LateOnesMarked()
    {
        var (cli, deployment, name, pool) = await DeploymentAsync();
        var now = Server.Clock.GetUtcNow();
        async Task<Guid> AtAsync(TimeSpan from) => (await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id, new DeploymentFlowRunCreate
        {
            State = new StateCreate { Type = StateType.Scheduled, StateDetails = new StateDetails { ScheduledTime = now + from } },
        })).Id;
        var late = await AtAsync(TimeSpan.FromMinutes(-5));
        var soon = await AtAsync(TimeSpan.FromMinutes(30));
        var later = await AtAsync(TimeSpan.FromHours(3));

        var hour = await cli.RunAsync("work-pool", "preview", pool, "--hours", "1");
        CliAssert.Succeeds(hour);
        Assert.Contains($"Preview of scheduled work for work pool '{pool}'", hour.Out, StringComparison.Ordinal);
        Assert.Matches($@"UTC \(\*\*\)\s+│ {late}", hour.Out);
        Assert.Contains(soon.ToString(), hour.Out, StringComparison.Ordinal);
        Assert.Contains(name, hour.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(later.ToString(), hour.Out, StringComparison.Ordinal);
        Assert.Contains("(**) denotes a late run", hour.Out, StringComparison.Ordinal);
        Assert.True(hour.Out.IndexOf(late.ToString(), StringComparison.Ordinal) < hour.Out.IndexOf(soon.ToString(), StringComparison.Ordinal));

        var four = await cli.RunAsync("work-pool", "preview", pool, "--hours", "4");
        Assert.Contains(later.ToString(), four.Out, StringComparison.Ordinal);

        var queue = await cli.RunAsync("work-queue", "preview", "default", "--pool", pool, "--hours", "4", "--output", "json");
        CliAssert.Succeeds(queue);
        Assert.Equal(3, System.Text.Json.Nodes.JsonNode.Parse(queue.Out)!.AsArray().Count);
    }

    [Fact]
    public async Task WorkPoolUpdate_ExpireLateRunsAfter_SetsAndClearsIt()
    {
        var (cli, _, _, pool) = await DeploymentAsync();

        CliAssert.Succeeds(await cli.RunAsync("work-pool", "update", pool, "--expire-late-runs-after", "2h"));
        Assert.Equal(7200, (await Server.Client.ReadWorkPoolAsync(pool)).ExpireLateRunsAfter);

        CliAssert.Succeeds(await cli.RunAsync("work-pool", "update", pool, "--expire-late-runs-after", "never"));
        Assert.Null((await Server.Client.ReadWorkPoolAsync(pool)).ExpireLateRunsAfter);

        CliAssert.FailsWithOneLine(await cli.RunAsync("work-pool", "update", pool, "--expire-late-runs-after", "soon"), "--expire-late-runs-after: cannot read 'soon'");
    }

    [Fact]
    public async Task WorkPoolPreview_UnknownPool_FailsInOneLine() =>
        CliAssert.FailsWithOneLine(await new CliProcess(Server.ApiUrl).RunAsync("work-pool", "preview", "no-such-pool"), "No work pool found: 'no-such-pool'");
}
