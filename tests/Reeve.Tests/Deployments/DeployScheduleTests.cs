using Reeve.Core.WorkPools;
using Reeve.Deployments;
using Reeve.Flows;

namespace Reeve.Tests.Deployments;

/// <summary>Schedules given to <c>DeployAsync</c>, as the server stores them.</summary>
public sealed class DeployScheduleTests : IClassFixture<SdkServerFixture>
{
    private readonly SdkServerFixture _fixture;

    public DeployScheduleTests(SdkServerFixture fixture)
    {
        _fixture = fixture;
        fixture.Use();
    }

    private RunningServer Server => _fixture.Server;

    [Flow]
    private static void Nightly(bool full = false) => _ = full;

    [Fact]
    public async Task DeployAsync_WithACronInAZone_AndMoreSchedules_StoresThemAll_WithTheirOwnSettings()
    {
        var pool = Names.Unique("scheduled-pool");
        await Server.Client.CreateWorkPoolAsync(new WorkPoolCreate { Name = pool, Type = "process" });
        var anchor = new DateTimeOffset(2026, 1, 1, 6, 0, 0, TimeSpan.Zero);

        var deployment = await Flow.Define(Nightly).DeployAsync(Names.Unique("nightly"), pool, new DeployOptions
        {
            Cron = "0 1 * * *",
            Timezone = "Europe/London",
            Schedules =
            [
                Schedules.Interval(TimeSpan.FromHours(6), anchor) with { MaxScheduledRuns = 4, Parameters = new() { ["full"] = true } },
                Schedules.RRule("FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0", timezone: "America/New_York") with { Slug = "weekly" },
            ],
            ExpireLateRunsAfter = TimeSpan.FromHours(2),
            Output = TextWriter.Null,
        });

        var stored = await Server.Client.ReadDeploymentSchedulesAsync(deployment.Id);
        Assert.Equal(
            [
                """{"cron":"0 1 * * *","timezone":"Europe/London","day_or":true}""",
                """{"interval":21600,"anchor_date":"2026-01-01T06:00:00Z","timezone":"UTC"}""",
                """{"rrule":"FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0","timezone":"America/New_York"}""",
            ],
            stored.Select(s => s.Schedule.ToJsonString()));
        Assert.Equal(4, stored[1].MaxScheduledRuns);
        Assert.True(stored[1].Parameters["full"]!.GetValue<bool>());
        Assert.Equal("weekly", stored[2].Slug);
        Assert.Equal(7200, (await Server.Client.ReadDeploymentAsync(deployment.Id)).ExpireLateRunsAfter);
    }

    [Fact]
    public async Task DeployAsync_WithAnInvalidCron_FailsWithTheServersReason()
    {
        var pool = Names.Unique("scheduled-pool");
        await Server.Client.CreateWorkPoolAsync(new WorkPoolCreate { Name = pool, Type = "process" });

        var error = await Assert.ThrowsAsync<DeploymentException>(() => Flow.Define(Nightly).DeployAsync(Names.Unique("nightly"), pool,
            new DeployOptions { Cron = "0 1 * *", Output = TextWriter.Null }));

        Assert.Contains("Invalid cron string \"0 1 * *\"", error.Message, StringComparison.Ordinal);
    }
}
