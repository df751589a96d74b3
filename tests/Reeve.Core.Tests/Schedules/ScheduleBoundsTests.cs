using System.Text.Json.Nodes;
using Reeve.Core.Errors;
using Reeve.Core.Schedules;

namespace Reeve.Core.Tests.Schedules;

/// <summary>
/// Schedules are user input: a rule that never matches, an interval of millennia or a rule that expands to millions of
/// instants is refused with the field and the reason, and no evaluation of a schedule runs unbounded.
/// </summary>
public class ScheduleBoundsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 9, 30, 0, TimeSpan.Zero);

    /// <summary>Generous enough for a loaded machine; without the bounds these took minutes or never ended.</summary>
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(60);

    private static Task<T> Bounded<T>(Func<T> work) => Task.Run(work).WaitAsync(Hang);

    private static string Numbers(int from, int to) => string.Join(',', Enumerable.Range(from, to - from + 1));

    public static TheoryData<string, string> NeverRunning => new()
    {
        // schedule, field the refusal names
        { """{"rrule": "FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30"}""", "schedule.rrule" },
        { """{"rrule": "DTSTART:19000101T000000Z\nFREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30"}""", "schedule.rrule" },
        { """{"rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"}""", "schedule.rrule" },
        { """{"rrule": "FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=4,6,9,11"}""", "schedule.rrule" },
        { """{"rrule": "DTSTART:20200101T000000Z\nRRULE:FREQ=DAILY;COUNT=3"}""", "schedule.rrule" },
        { """{"rrule": "FREQ=HOURLY;UNTIL=20200101T000000Z"}""", "schedule.rrule" },
        { """{"cron": "0 0 30 2 *"}""", "schedule.cron" },
        { """{"interval": 157680000000}""", "schedule.interval" },
        { """{"interval": "P5000Y"}""", "schedule.interval" },
        { $$"""{"rrule": "FREQ=YEARLY;BYHOUR={{Numbers(0, 23)}};BYMINUTE={{Numbers(0, 59)}};BYSECOND={{Numbers(0, 59)}};BYMONTHDAY={{Numbers(1, 31)}};BYSETPOS=-1"}""", "schedule.rrule" },
        { $$"""{"rrule": "FREQ=DAILY;BYHOUR={{Numbers(0, 23)}};BYMINUTE={{Numbers(0, 59)}};BYSECOND={{Numbers(0, 59)}}"}""", "schedule.rrule" },
    };

    [Theory]
    [MemberData(nameof(NeverRunning))]
    public async Task Validate_ScheduleThatWouldNeverRunOrCannotBeBounded_IsRefused_NamingItsField(string json, string field)
    {
        var error = await Assert.ThrowsAsync<ReeveValidationException>(() => Bounded(() => Schedule.Validate(JsonNode.Parse(json), Now)));

        Assert.Equal(field, error.Field);
        Assert.False(string.IsNullOrWhiteSpace(error.Reason));
    }

    [Theory]
    [InlineData("""{"rrule": "FREQ=SECONDLY"}""", "2026-12-05T09:30:00Z", "2026-12-05T09:30:01Z")]
    [InlineData("""{"rrule": "DTSTART:19000101T000000Z\nFREQ=SECONDLY;INTERVAL=7"}""", "2026-12-05T09:30:00Z", "2026-12-05T09:30:07Z")]
    [InlineData("""{"rrule": "DTSTART:19000101T000000Z\nFREQ=MINUTELY;INTERVAL=7"}""", "2026-12-05T09:30:00Z", "2026-12-05T09:37:00Z")]
    [InlineData("""{"rrule": "FREQ=MINUTELY;BYMONTH=2"}""", "2027-02-01T00:00:00Z", "2027-02-01T00:01:00Z")]
    [InlineData("""{"rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"}""", "2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z")]
    [InlineData("""{"rrule": "FREQ=DAILY;INTERVAL=3;BYHOUR=9;BYMINUTE=0;BYSECOND=0"}""", "2026-12-07T09:00:00Z", "2026-12-10T09:00:00Z")]
    [InlineData("""{"interval": 3155760000, "anchor_date": "2000-01-01T00:00:00Z"}""", "2100-01-01T00:00:00Z", "2200-01-02T00:00:00Z")]
    public async Task Validate_RareOrDenseButHonestSchedules_AreAccepted_AndFindTheirInstants(string json, string first, string second)
    {
        var instants = await Bounded(() => Schedule.Validate(JsonNode.Parse(json), Now).Occurrences(Now).Take(2).ToList());

        Assert.Equal([DateTimeOffset.Parse(first, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.Parse(second, System.Globalization.CultureInfo.InvariantCulture)], instants);
    }

    [Fact]
    public void RRule_StartMovedCloseToNow_FindsTheSameInstantsAsAWalkFromItsStart()
    {
        // A rule begun a day earlier is walked from its start (nothing to move); one begun years earlier from a start
        // moved forward by whole periods: both must land on the same 7-minute grid, in a zone with clock changes.
        var recent = Schedule.Parse(JsonNode.Parse("""{"rrule": "DTSTART;TZID=Europe/London:20261204T000300\nFREQ=MINUTELY;INTERVAL=7", "timezone": "Europe/London"}"""), Now);
        var old = Schedule.Parse(JsonNode.Parse("""{"rrule": "DTSTART;TZID=Europe/London:20191122T000300\nFREQ=MINUTELY;INTERVAL=7", "timezone": "Europe/London"}"""), Now);

        // 2019-11-22 is a whole number of weeks before 2026-12-04 (7-minute steps repeat every 7 days).
        Assert.Equal(0, (new DateTime(2026, 12, 4) - new DateTime(2019, 11, 22)).TotalDays % 7);
        Assert.Equal(recent.Occurrences(Now).Take(50), old.Occurrences(Now).Take(50));
    }

    [Fact]
    public async Task Interval_NearTheEndOfTheCalendar_EndsInsteadOfOverflowing()
    {
        var schedule = Schedule.Parse(JsonNode.Parse("""{"interval": 3155760000, "anchor_date": "9990-01-01T00:00:00Z"}"""), Now);

        var instants = await Bounded(() => schedule.Occurrences(new DateTimeOffset(9980, 1, 1, 0, 0, 0, TimeSpan.Zero)).ToList());

        Assert.Equal([new DateTimeOffset(9990, 1, 1, 0, 0, 0, TimeSpan.Zero)], instants);
    }

    [Fact]
    public async Task Planner_ScheduleWhoseNextInstantIsOutOfReach_ThrowsScheduleEvaluationException()
    {
        // Valid when it was made (in February it runs every second), out of reach in March: the next February is
        // eleven months of one-second steps away. Evaluation gives up instead of walking them.
        var february = new DateTimeOffset(2027, 2, 10, 0, 0, 0, TimeSpan.Zero);
        var schedule = Schedule.Validate(JsonNode.Parse("""{"rrule": "FREQ=SECONDLY;BYMONTH=2"}"""), february);

        await Assert.ThrowsAsync<ScheduleEvaluationException>(() =>
            Bounded(() => SchedulePlanner.Plan(schedule, february.AddMonths(1), null, null, new SchedulerLimits())));
    }
}
