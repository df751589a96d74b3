using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Reeve.Core.Deployments;
using Reeve.Core.FlowRuns;
using Reeve.Server.Services;

namespace Reeve.Server.Tests.Services;

/// <summary>
/// The scheduler on a fake clock moved to the daylight-saving changes of 2027 — Europe/London forward on 28 March
/// and back on 31 October, America/New_York forward on 14 March and back on 7 November — through the whole server:
/// stored schedules, a pass, and the runs it stores. Every expectation is an instant in UTC.
/// </summary>
public sealed class SchedulerDaylightSavingTests
{
    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text + "Z", System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<List<DateTimeOffset>> PlanAsync(RunningServer server, string at, JsonObject schedule)
    {
        server.Clock.SetUtcNow(Utc(at));
        var pool = await server.Client.PoolAsync();
        var flow = await server.Client.FlowAsync();
        var deployment = await server.Client.CreateDeploymentAsync(new DeploymentCreate
        {
            Name = Names.Unique("dst"),
            FlowId = flow.Id,
            WorkPoolName = pool,
            Schedules = [new DeploymentScheduleCreate { Schedule = schedule }],
        });
        await server.Server.Services.GetServices<IHostedService>().OfType<Scheduler>().Single().PassAsync(CancellationToken.None);
        var runs = await server.Client.FilterFlowRunsAsync(new FlowRunFilterRequest
        {
            FlowRuns = new() { DeploymentId = new() { Any = [deployment.Id] } },
            Sort = FlowRunSort.ExpectedStartTimeAsc,
        });
        var instants = runs.Select(r => r.ExpectedStartTime!.Value.ToUniversalTime()).ToList();
        Assert.Equal(instants.Count, instants.Distinct().Count());
        return instants;
    }

    [Fact]
    public async Task London_DailyCronAndDailyInterval_AcrossSpringForwardAndFallBack()
    {
        await using var server = await RunningServer.StartAsync(TestStorage.Sqlite);
        var cron = new JsonObject { ["cron"] = "30 1 * * *", ["timezone"] = "Europe/London" };
        var interval = new JsonObject { ["interval"] = 86400, ["anchor_date"] = "2027-01-01T01:30:00", ["timezone"] = "Europe/London" };

        // Forward: 01:30 does not exist on the 28th. Cron runs when the gap ends (02:00 BST); the interval moves by the gap (02:30 BST).
        Assert.Equal([Utc("2027-03-27T01:30:00"), Utc("2027-03-28T01:00:00"), Utc("2027-03-29T00:30:00")], await PlanAsync(server, "2027-03-26T12:00:00", cron));
        Assert.Equal([Utc("2027-03-27T01:30:00"), Utc("2027-03-28T01:30:00"), Utc("2027-03-29T00:30:00")], await PlanAsync(server, "2027-03-26T12:00:01", interval));

        // Back: 01:30 happens twice on the 31st; both run once, the first time.
        Assert.Equal([Utc("2027-10-30T00:30:00"), Utc("2027-10-31T00:30:00"), Utc("2027-11-01T01:30:00")], await PlanAsync(server, "2027-10-29T12:00:00", cron));
        Assert.Equal([Utc("2027-10-30T00:30:00"), Utc("2027-10-31T00:30:00"), Utc("2027-11-01T01:30:00")], await PlanAsync(server, "2027-10-29T12:00:01", interval));
    }

    [Fact]
    public async Task NewYork_HourlyCronAndHourlyInterval_AcrossSpringForwardAndFallBack()
    {
        await using var server = await RunningServer.StartAsync(TestStorage.Sqlite);
        var cron = new JsonObject { ["cron"] = "0 * * * *", ["timezone"] = "America/New_York" };
        var interval = new JsonObject { ["interval"] = 3600, ["anchor_date"] = "2027-01-01T00:00:00", ["timezone"] = "America/New_York" };

        // Forward at 02:00 EST: 01:00 EST (06:00Z), then 03:00 EDT (07:00Z); no run for the hour that does not exist, none twice.
        Assert.Equal([Utc("2027-03-14T06:00:00"), Utc("2027-03-14T07:00:00"), Utc("2027-03-14T08:00:00")], await PlanAsync(server, "2027-03-14T05:30:00", cron));
        Assert.Equal([Utc("2027-03-14T06:00:00"), Utc("2027-03-14T07:00:00"), Utc("2027-03-14T08:00:00")], await PlanAsync(server, "2027-03-14T05:30:01", interval));

        // Back at 02:00 EDT: 01:00 EDT (05:00Z), 01:00 EST (06:00Z), 02:00 EST (07:00Z): every elapsed hour, none missing.
        Assert.Equal([Utc("2027-11-07T05:00:00"), Utc("2027-11-07T06:00:00"), Utc("2027-11-07T07:00:00")], await PlanAsync(server, "2027-11-07T04:30:00", cron));
        Assert.Equal([Utc("2027-11-07T05:00:00"), Utc("2027-11-07T06:00:00"), Utc("2027-11-07T07:00:00")], await PlanAsync(server, "2027-11-07T04:30:01", interval));
    }
}
