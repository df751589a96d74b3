using Reeve.Core.Schedules;

namespace Reeve.Core.Tests.Schedules;

public class SchedulePlannerTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly SchedulerLimits Limits = new();

    [Fact]
    public void Hourly_GetsThreeRuns_TheLastAtLeastAnHourAhead()
    {
        var plan = SchedulePlanner.Plan(CronSchedule.Create("0 * * * *"), Now, null, null, Limits);

        Assert.Equal([Now, Now.AddHours(1), Now.AddHours(2)], plan.Dates);
        Assert.Equal(Now.AddHours(2), plan.PlannedUntil);
    }

    [Fact]
    public void EveryMinute_GetsRunsUntilOneIsAtLeastAnHourAhead()
    {
        var plan = SchedulePlanner.Plan(CronSchedule.Create("* * * * *"), Now.AddSeconds(1), null, null, Limits);

        Assert.Equal(61, plan.Dates.Count);
        Assert.Equal(Now.AddMinutes(1), plan.Dates[0]);
        Assert.Equal(Now.AddHours(1).AddMinutes(1), plan.Dates[^1]);
    }

    [Fact]
    public void EverySecond_StopsAtTheMostRuns() =>
        Assert.Equal(100, SchedulePlanner.Plan(IntervalSchedule.Create(TimeSpan.FromSeconds(1), Now), Now, null, null, Limits).Dates.Count);

    [Fact]
    public void MaxScheduledRuns_IsNeverExceeded_EvenWhenTheMinimumsAreNotMet()
    {
        var schedule = CronSchedule.Create("* * * * *");
        var plan = SchedulePlanner.Plan(schedule, Now.AddSeconds(-30), null, maxScheduledRuns: 2, Limits);
        Assert.Equal([Now, Now.AddMinutes(1)], plan.Dates);

        // Next pass, twenty seconds later: both runs are still ahead, so nothing more.
        Assert.Empty(SchedulePlanner.Plan(schedule, Now.AddSeconds(-10), plan.PlannedUntil, 2, Limits).Dates);

        // Once the first is due, one more.
        var later = SchedulePlanner.Plan(schedule, Now.AddSeconds(1), plan.PlannedUntil, 2, Limits);
        Assert.Equal([Now.AddMinutes(2)], later.Dates);
    }

    [Fact]
    public void APlannedSchedule_IsSettled_ThenTopsUpWithoutRepeatingARun()
    {
        var schedule = CronSchedule.Create("0 * * * *");
        var first = SchedulePlanner.Plan(schedule, Now, null, null, Limits);

        Assert.Empty(SchedulePlanner.Plan(schedule, Now, first.PlannedUntil, null, Limits).Dates);

        // Half an hour on, the first run is past: two are left, so one more.
        var later = SchedulePlanner.Plan(schedule, Now.AddMinutes(30), first.PlannedUntil, null, Limits);
        Assert.Equal([Now.AddHours(3)], later.Dates);
        Assert.DoesNotContain(later.Dates, first.Dates.Contains);
    }

    [Fact]
    public void AScheduleLeftBehind_StartsAgainFromNow()
    {
        var plan = SchedulePlanner.Plan(CronSchedule.Create("0 * * * *"), Now, Now.AddDays(-2), null, Limits);

        Assert.Equal(Now, plan.Dates[0]);
    }

    [Fact]
    public void NothingBeyondTheMostTimeAhead() =>
        Assert.Empty(SchedulePlanner.Plan(CronSchedule.Create("0 0 1 1 *"), Now, null, null, Limits).Dates);

    [Fact]
    public void Daily_GetsThreeDays() =>
        Assert.Equal(3, SchedulePlanner.Plan(CronSchedule.Create("0 1 * * *"), Now, null, null, Limits).Dates.Count);
}
