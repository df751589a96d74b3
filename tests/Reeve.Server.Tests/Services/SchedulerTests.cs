using Microsoft.EntityFrameworkCore;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Reeve.Core.Deployments;
using Reeve.Core.FlowRuns;
using Reeve.Core.Json;
using Reeve.Core.States;
using Reeve.Core.WorkPools;
using Reeve.Server.Services;

namespace Reeve.Server.Tests.Services;

/// <summary>
/// The scheduler and the late-runs loop on the server's fake clock, one pass at a time: how many runs each schedule
/// gets, what they carry, what changes to a deployment do to them, and when runs become Late or Expired.
/// </summary>
public abstract class SchedulerTests(ServerFixture fixture)
{
    private RunningServer Server => fixture.Server;

    private T Loop<T>() => Server.Server.Services.GetServices<IHostedService>().OfType<T>().Single();

    private Task<PassOutcome> ScheduleAsync() => Loop<Scheduler>().PassAsync(CancellationToken.None);

    private Task<PassOutcome> LateRunsAsync() => Loop<LateRunWatch>().PassAsync(CancellationToken.None);

    private static DeploymentScheduleCreate Cron(string cron, int? max = null, JsonObject? parameters = null, bool active = true, string? slug = null) => new()
    {
        Schedule = new JsonObject { ["cron"] = cron },
        MaxScheduledRuns = max,
        Parameters = parameters,
        Active = active,
        Slug = slug,
    };

    private async Task<Deployment> ScheduledAsync(params DeploymentScheduleCreate[] schedules)
    {
        var pool = await Server.Client.PoolAsync();
        var flow = await Server.Client.FlowAsync();
        return await Server.Client.CreateDeploymentAsync(new DeploymentCreate
        {
            Name = Names.Unique("deployment"),
            FlowId = flow.Id,
            WorkPoolName = pool,
            Parameters = Seed.Json("""{"who": "world", "loud": false}"""),
            Tags = ["nightly"],
            Schedules = [.. schedules],
        });
    }

    private async Task<List<FlowRun>> RunsAsync(Guid deployment) =>
        (await Server.Client.FilterFlowRunsAsync(new FlowRunFilterRequest
        {
            FlowRuns = new() { DeploymentId = new() { Any = [deployment] } },
            Sort = "EXPECTED_START_TIME_ASC",
        })).ToList();

    private DateTimeOffset NextHour()
    {
        var now = Server.Clock.GetUtcNow();
        var hour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
        return hour == now ? hour : hour.AddHours(1);
    }

    [Fact]
    public async Task AnHourlyCron_GetsThreeScheduledRuns_OnTheHour_AndASecondPassAddsNone()
    {
        var deployment = await ScheduledAsync(Cron("0 * * * *"));

        await ScheduleAsync();
        var runs = await RunsAsync(deployment.Id);

        var first = NextHour();
        Assert.Equal([first, first.AddHours(1), first.AddHours(2)], runs.Select(r => r.ExpectedStartTime!.Value));
        Assert.All(runs, r =>
        {
            Assert.Equal(StateType.Scheduled, r.StateType);
            Assert.Equal("Scheduled", r.State!.Name);
            Assert.Equal("Flow run scheduled", r.State.Message);
            Assert.True(r.AutoScheduled);
            Assert.Equal(["auto-scheduled", "nightly"], r.Tags);
            Assert.Equal(deployment.WorkPoolName, r.WorkPoolName);
            Assert.StartsWith($"scheduled {deployment.Id} {deployment.Schedules[0].Id} ", r.IdempotencyKey, StringComparison.Ordinal);
            Assert.Equal("SCHEDULE", r.CreatedBy!["type"]!.GetValue<string>());
        });

        await ScheduleAsync();
        Assert.Equal(runs.Select(r => r.Id), (await RunsAsync(deployment.Id)).Select(r => r.Id));
    }

    [Fact]
    public async Task MaxScheduledRuns_IsNeverExceeded_AsTimeGoesBy()
    {
        var deployment = await ScheduledAsync(Cron("* * * * *", max: 5));

        for (var minute = 0; minute < 4; minute++)
        {
            await ScheduleAsync();
            var now = Server.Clock.GetUtcNow();
            var ahead = (await RunsAsync(deployment.Id)).Count(r => r.ExpectedStartTime >= now);
            Assert.Equal(5, ahead);
            Server.Clock.Advance(TimeSpan.FromSeconds(61));
        }
    }

    [Fact]
    public async Task PerScheduleParameters_MergeOverTheDeployments()
    {
        var deployment = await ScheduledAsync(Cron("0 9 * * *", parameters: Seed.Json("""{"loud": true}""")), Cron("0 21 * * *"));

        await ScheduleAsync();
        var runs = await RunsAsync(deployment.Id);

        Assert.Equal(6, runs.Count);
        Assert.Equal(3, runs.Count(r => r.Parameters.ToJsonString() == """{"who":"world","loud":true}"""));
        Assert.Equal(3, runs.Count(r => r.Parameters.ToJsonString() == """{"who":"world","loud":false}"""));
    }

    [Fact]
    public async Task PausingRemovesTheRunsNotStarted_AndResumingMakesThemAgain()
    {
        var deployment = await ScheduledAsync(Cron("0 * * * *"));
        await ScheduleAsync();
        var before = await RunsAsync(deployment.Id);

        await Server.Client.PauseDeploymentAsync(deployment.Id);
        Assert.Empty(await RunsAsync(deployment.Id));
        await ScheduleAsync();
        Assert.Empty(await RunsAsync(deployment.Id));

        await Server.Client.ResumeDeploymentAsync(deployment.Id);
        await ScheduleAsync();
        Assert.Equal(before.Select(r => r.ExpectedStartTime), (await RunsAsync(deployment.Id)).Select(r => r.ExpectedStartTime));
    }

    [Fact]
    public async Task ChangingWhatRunsCarry_ReplacesTheFutureRuns_WhileDeployingTheSameAgainKeepsThem()
    {
        var deployment = await ScheduledAsync(Cron("0 * * * *"));
        await ScheduleAsync();
        var first = await RunsAsync(deployment.Id);

        // The same deployment sent again (a redeploy of unchanged code): nothing moves.
        await Server.Client.CreateDeploymentAsync(new DeploymentCreate
        {
            Name = deployment.Name,
            FlowId = deployment.FlowId,
            WorkPoolName = deployment.WorkPoolName,
            Parameters = deployment.Parameters,
            Tags = deployment.Tags,
            Schedules = [Cron("0 * * * *")],
        });
        await ScheduleAsync();
        Assert.Equal(first.Select(r => r.Id), (await RunsAsync(deployment.Id)).Select(r => r.Id));

        await Server.Client.UpdateDeploymentAsync(deployment.Id, new DeploymentUpdate { Parameters = Seed.Json("""{"who": "Reeve"}""") });
        Assert.Empty(await RunsAsync(deployment.Id));
        await ScheduleAsync();
        var replaced = await RunsAsync(deployment.Id);
        Assert.Equal(first.Select(r => r.ExpectedStartTime), replaced.Select(r => r.ExpectedStartTime));
        Assert.All(replaced, r => Assert.Equal("Reeve", r.Parameters["who"]!.GetValue<string>()));
    }

    [Fact]
    public async Task ARunAlreadyClaimed_IsNotMadeTwice_WhenItsScheduleIsPlannedAgain()
    {
        var deployment = await ScheduledAsync(Cron("0 * * * *"));
        await ScheduleAsync();
        var claimed = (await RunsAsync(deployment.Id))[0];
        await Server.Client.SetFlowRunStateAsync(claimed.Id, new StateCreate { Type = StateType.Pending });

        await Server.Client.UpdateDeploymentAsync(deployment.Id, new DeploymentUpdate { Description = "changed", Tags = new List<string> { "other" } });
        await ScheduleAsync();

        var runs = await RunsAsync(deployment.Id);
        Assert.Single(runs, r => r.ExpectedStartTime == claimed.ExpectedStartTime);
        Assert.Equal(3, runs.Count);
    }

    [Fact]
    public async Task ScheduleEndpoints_AddList_DeactivateRemovesItsRuns_AndDelete()
    {
        var deployment = await ScheduledAsync();
        var added = await Server.Client.CreateDeploymentSchedulesAsync(deployment.Id, [Cron("0 * * * *", slug: "hourly"), Cron("30 * * * *")]);
        Assert.Equal(2, added.Count);
        Assert.Equal("""{"cron":"0 * * * *","timezone":"UTC","day_or":true}""", added[0].Schedule.ToJsonString());
        await ScheduleAsync();
        Assert.Equal(6, (await RunsAsync(deployment.Id)).Count);

        await Server.Client.UpdateDeploymentScheduleAsync(deployment.Id, added[0].Id, new DeploymentScheduleUpdate { Active = false });
        await ScheduleAsync();
        var runs = await RunsAsync(deployment.Id);
        Assert.Equal(3, runs.Count);
        Assert.All(runs, r => Assert.Equal(30, r.ExpectedStartTime!.Value.Minute));

        await Server.Client.DeleteDeploymentScheduleAsync(deployment.Id, added[1].Id);
        Assert.Empty(await RunsAsync(deployment.Id));
        var left = await Server.Client.ReadDeploymentSchedulesAsync(deployment.Id);
        Assert.Equal([added[0].Id], left.Select(s => s.Id));
        Assert.False(left[0].Active);

        var missing = await Server.Http.DeleteJsonAsync($"deployments/{deployment.Id}/schedules/{added[1].Id}");
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        var duplicate = await Server.Http.PostJsonAsync($"deployments/{deployment.Id}/schedules", """[{"schedule": {"cron": "0 0 * * *"}, "slug": "hourly"}]""");
        Assert.Equal(HttpStatusCode.Conflict, duplicate.Status);
    }

    [Theory]
    [InlineData("""{"cron": "0 25 * * *"}""", "schedules[0].schedule.cron", "Invalid cron string \"0 25 * * *\": Hours")]
    [InlineData("""{"cron": "0 1 * * *", "timezone": "Europe/Lndon"}""", "schedules[0].schedule.timezone", "Invalid timezone: \"Europe/Lndon\"")]
    [InlineData("""{"interval": -5}""", "schedules[0].schedule.interval", "The interval must be positive")]
    [InlineData("""{"rrule": "FREQ=DAILY;BYHOUR=99"}""", "schedules[0].schedule.rrule", "Invalid RRule string")]
    public async Task AnInvalidSchedule_IsRefusedWith422_NamingTheFieldAndQuotingTheExpression(string schedule, string field, string reason)
    {
        var flow = await Server.Client.FlowAsync();
        var response = await Server.Http.PostJsonAsync("deployments/",
            $$"""{"name": "{{Names.Unique("bad")}}", "flow_id": "{{flow.Id}}", "schedules": [{"schedule": {{schedule}}}]}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Equal(field, response.Field);
        Assert.Contains(reason, response.Body!["errors"]![field]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, await Server.Client.CountDeploymentsAsync(new DeploymentFilterRequest { Flows = new() { Id = new() { Any = [flow.Id] } } }));
    }

    [Fact]
    public async Task ARunPastItsTime_IsMarkedLate_AndStaysDueForWorkers()
    {
        var pool = await Server.Client.PoolAsync();
        var deployment = await Server.Client.DeploymentAsync(pool: pool);
        var run = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id);

        Server.Clock.Advance(TimeSpan.FromSeconds(14));
        await LateRunsAsync();
        Assert.Equal("Scheduled", (await Server.Client.ReadFlowRunAsync(run.Id)).State!.Name);

        Server.Clock.Advance(TimeSpan.FromSeconds(2));
        await LateRunsAsync();
        var late = await Server.Client.ReadFlowRunAsync(run.Id);
        Assert.Equal(StateType.Scheduled, late.StateType);
        Assert.Equal("Late", late.State!.Name);
        Assert.Equal(run.State!.StateDetails.ScheduledTime, late.State.StateDetails.ScheduledTime);
        Assert.Contains(await Server.Client.ReadScheduledRunsOfPoolAsync(pool), r => r.FlowRun.Id == run.Id);
    }

    [Fact]
    public async Task LateRunsExpire_AfterTheDeploymentsSetting_ElseThePools()
    {
        var pool = await Server.Client.PoolAsync();
        await Server.Client.UpdateWorkPoolAsync(pool, new WorkPoolUpdate { ExpireLateRunsAfter = 600 });
        var ownSetting = await Server.Client.DeploymentAsync(pool: pool);
        await Server.Client.UpdateDeploymentAsync(ownSetting.Id, new DeploymentUpdate { ExpireLateRunsAfter = 60 });
        var poolSetting = await Server.Client.DeploymentAsync(pool: pool);
        var quick = await Server.Client.CreateFlowRunFromDeploymentAsync(ownSetting.Id);
        var slow = await Server.Client.CreateFlowRunFromDeploymentAsync(poolSetting.Id);

        Server.Clock.Advance(TimeSpan.FromSeconds(61));
        await LateRunsAsync();
        var expired = await Server.Client.ReadFlowRunAsync(quick.Id);
        Assert.Equal(StateType.Cancelled, expired.StateType);
        Assert.Equal("Expired", expired.State!.Name);
        Assert.Contains("1 minute(s)", expired.State.Message, StringComparison.Ordinal);
        Assert.Equal("Late", (await Server.Client.ReadFlowRunAsync(slow.Id)).State!.Name);

        Server.Clock.Advance(TimeSpan.FromSeconds(540));
        await LateRunsAsync();
        Assert.Equal("Expired", (await Server.Client.ReadFlowRunAsync(slow.Id)).State!.Name);
    }

    [Theory]
    [InlineData("work_pools/", """{"name": "p-expiry", "type": "process", "expire_late_runs_after": 0}""")]
    [InlineData("work_pools/", """{"name": "p-expiry", "type": "process", "expire_late_runs_after": -3}""")]
    public async Task AnExpiryThatIsNotPositive_IsRefused(string path, string body)
    {
        var response = await Server.Http.PostJsonAsync(path, body);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Equal("expire_late_runs_after", response.Field);
    }

    [Theory]
    [InlineData("""{"interval": 157680000000, "anchor_date": "2026-01-01T00:00:00Z", "timezone": "UTC"}""")]
    [InlineData("""{"rrule": "FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30", "timezone": "UTC"}""")]
    [InlineData("""{"rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "timezone": "UTC"}""")]
    public async Task AScheduleThatCannotBePlanned_IsSkipped_AndEveryOtherDeploymentStillGetsItsRuns(string stored)
    {
        // Refused by the API today, but a stored one (from an older version, or written by hand) must not stop the pass.
        var broken = await ScheduledAsync(Cron("0 * * * *"));
        using (var scope = Server.Server.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Reeve.Server.Storage.ReeveDbContext>();
            var record = await db.DeploymentSchedules.AsTracking().SingleAsync(s => s.DeploymentId == broken.Id);
            record.Schedule = stored;
            record.Updated = record.Updated.AddSeconds(1);
            await db.SaveChangesAsync();
        }

        var healthy = await ScheduledAsync(Cron("0 * * * *"));

        var pass = await ScheduleAsync().WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(pass.Changed > 0, pass.Summary);
        Assert.Equal(3, (await RunsAsync(healthy.Id)).Count);
        Assert.Empty(await RunsAsync(broken.Id));
    }
}

public sealed class SchedulerTests_Sqlite(SqliteServerFixture fixture) : SchedulerTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class SchedulerTests_Postgres(PostgresServerFixture fixture) : SchedulerTests(fixture), IClassFixture<PostgresServerFixture>;