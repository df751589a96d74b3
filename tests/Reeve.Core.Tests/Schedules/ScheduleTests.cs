using System.Text.Json.Nodes;
using Reeve.Core.Errors;
using Reeve.Core.Schedules;

namespace Reeve.Core.Tests.Schedules;

/// <summary>
/// Schedules across the daylight-saving changes of 2026: Europe/London goes forward on 29 March (01:00 GMT → 02:00
/// BST) and back on 25 October (02:00 BST → 01:00 GMT); America/New_York forward on 8 March (02:00 EST → 03:00 EDT)
/// and back on 1 November (02:00 EDT → 01:00 EST). Every expectation is an instant in UTC.
/// </summary>
public class ScheduleTests
{
    private static readonly DateTimeOffset Now = Utc("2026-01-01T00:00:00");

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text + "Z", System.Globalization.CultureInfo.InvariantCulture);

    private static Schedule Parse(string json) => Schedule.Parse(JsonNode.Parse(json), Now);

    private static List<DateTimeOffset> Between(Schedule schedule, string from, string to) =>
        schedule.Occurrences(Utc(from)).TakeWhile(t => t < Utc(to)).ToList();

    private static void AssertInstants(IEnumerable<DateTimeOffset> actual, params string[] expected) =>
        Assert.Equal(expected.Select(Utc), actual.Select(t => t.ToUniversalTime()));

    [Fact]
    public void DailyCron_London_SpringForward_RunsAtTheEndOfTheGap_WhenItsTimeDoesNotExist() =>
        AssertInstants(Between(Parse("""{"cron": "30 1 * * *", "timezone": "Europe/London"}"""), "2026-03-27T00:00:00", "2026-03-31T00:00:00"),
            "2026-03-27T01:30:00", "2026-03-28T01:30:00", "2026-03-29T01:00:00", "2026-03-30T00:30:00");

    [Fact]
    public void DailyCron_London_FallBack_RunsOnce_TheFirstTimeItsHourComes() =>
        AssertInstants(Between(Parse("""{"cron": "30 1 * * *", "timezone": "Europe/London"}"""), "2026-10-24T00:00:00", "2026-10-27T00:00:00"),
            "2026-10-24T00:30:00", "2026-10-25T00:30:00", "2026-10-26T01:30:00");

    [Fact]
    public void HalfHourlyCron_London_FallBack_RunsThroughBothRepeatedHours_WithoutGapOrDuplicate()
    {
        var runs = Between(Parse("""{"cron": "*/30 * * * *", "timezone": "Europe/London"}"""), "2026-10-24T23:00:00", "2026-10-25T03:00:00");

        Assert.Equal(8, runs.Count);
        Assert.All(runs.Zip(runs.Skip(1)), pair => Assert.Equal(TimeSpan.FromMinutes(30), pair.Second - pair.First));
    }

    [Fact]
    public void HourlyCron_NewYork_SpringForward_HasNoRunForTheHourThatDoesNotExist() =>
        AssertInstants(Between(Parse("""{"cron": "0 * * * *", "timezone": "America/New_York"}"""), "2026-03-08T05:00:00", "2026-03-08T09:00:00"),
            "2026-03-08T05:00:00", "2026-03-08T06:00:00", "2026-03-08T07:00:00", "2026-03-08T08:00:00");

    [Fact]
    public void HourlyCron_NewYork_FallBack_RunsInBothRepeatedHours_AnHourApart() =>
        AssertInstants(Between(Parse("""{"cron": "0 * * * *", "timezone": "America/New_York"}"""), "2026-11-01T04:00:00", "2026-11-01T08:00:00"),
            "2026-11-01T04:00:00", "2026-11-01T05:00:00", "2026-11-01T06:00:00", "2026-11-01T07:00:00");

    [Fact]
    public void DailyCron_NewYork_KeepsNineOClockLocal_AcrossBothChanges()
    {
        var schedule = Parse("""{"cron": "0 9 * * *", "timezone": "America/New_York"}""");

        AssertInstants(Between(schedule, "2026-03-07T00:00:00", "2026-03-10T00:00:00"), "2026-03-07T14:00:00", "2026-03-08T13:00:00", "2026-03-09T13:00:00");
        AssertInstants(Between(schedule, "2026-10-31T00:00:00", "2026-11-03T00:00:00"), "2026-10-31T13:00:00", "2026-11-01T14:00:00", "2026-11-02T14:00:00");
    }

    [Fact]
    public void DailyInterval_NewYork_KeepsItsWallClockHour_AcrossBothChanges()
    {
        var schedule = Parse("""{"interval": 86400, "anchor_date": "2026-01-01T09:00:00", "timezone": "America/New_York"}""");

        AssertInstants(Between(schedule, "2026-03-07T00:00:00", "2026-03-10T00:00:00"), "2026-03-07T14:00:00", "2026-03-08T13:00:00", "2026-03-09T13:00:00");
        AssertInstants(Between(schedule, "2026-10-31T00:00:00", "2026-11-03T00:00:00"), "2026-10-31T13:00:00", "2026-11-01T14:00:00", "2026-11-02T14:00:00");
    }

    [Fact]
    public void DailyInterval_London_SpringForward_MovesASkippedTimeForwardByTheGap() =>
        AssertInstants(Between(Parse("""{"interval": 86400, "anchor_date": "2026-03-01T01:30:00", "timezone": "Europe/London"}"""), "2026-03-28T00:00:00", "2026-03-31T00:00:00"),
            "2026-03-28T01:30:00", "2026-03-29T01:30:00", "2026-03-30T00:30:00");

    [Fact]
    public void DailyInterval_London_FallBack_RunsOnceAtTheFirstOfTheRepeatedTimes() =>
        AssertInstants(Between(Parse("""{"interval": 86400, "anchor_date": "2026-10-01T01:30:00", "timezone": "Europe/London"}"""), "2026-10-24T00:00:00", "2026-10-27T00:00:00"),
            "2026-10-24T00:30:00", "2026-10-25T00:30:00", "2026-10-26T01:30:00");

    [Fact]
    public void HourlyInterval_London_FallBack_FiresEveryElapsedHour()
    {
        var runs = Between(Parse("""{"interval": 3600, "anchor_date": "2026-10-01T00:00:00Z", "timezone": "Europe/London"}"""), "2026-10-24T23:00:00", "2026-10-25T03:00:00");

        AssertInstants(runs, "2026-10-24T23:00:00", "2026-10-25T00:00:00", "2026-10-25T01:00:00", "2026-10-25T02:00:00");
        var london = ScheduleTime.FindZone("Europe/London")!;
        Assert.Equal(2, runs.Count(r => TimeZoneInfo.ConvertTime(r, london).Hour == 1));
    }

    [Fact]
    public void HourlyInterval_NewYork_SpringForward_FiresEveryElapsedHour() =>
        AssertInstants(Between(Parse("""{"interval": 3600, "anchor_date": "2026-03-01T00:00:00", "timezone": "America/New_York"}"""), "2026-03-08T05:00:00", "2026-03-08T09:00:00"),
            "2026-03-08T05:00:00", "2026-03-08T06:00:00", "2026-03-08T07:00:00", "2026-03-08T08:00:00");

    [Fact]
    public void WeeklyRRule_NewYork_KeepsNineOClockLocal() =>
        AssertInstants(Between(Parse("""{"rrule": "FREQ=WEEKLY;BYDAY=MO,WE;BYHOUR=9;BYMINUTE=0;BYSECOND=0", "timezone": "America/New_York"}"""), "2026-03-01T00:00:00", "2026-03-12T00:00:00"),
            "2026-03-02T14:00:00", "2026-03-04T14:00:00", "2026-03-09T13:00:00", "2026-03-11T13:00:00");

    [Fact]
    public void RRule_WithDtStartAndCount_Ends() =>
        AssertInstants(Parse("""{"rrule": "DTSTART:20260105T120000Z\nRRULE:FREQ=DAILY;COUNT=3"}""").Occurrences(Utc("2026-01-01T00:00:00")).Take(10),
            "2026-01-05T12:00:00", "2026-01-06T12:00:00", "2026-01-07T12:00:00");

    [Theory]
    [InlineData(true, "2026-02-06T00:00:00", "2026-02-13T00:00:00", "2026-02-20T00:00:00", "2026-02-27T00:00:00", "2026-03-06T00:00:00", "2026-03-13T00:00:00")]
    [InlineData(false, "2026-02-13T00:00:00", "2026-03-13T00:00:00")]
    public void CronDayOr_ChoosesEitherOrBothDayFields(bool dayOr, params string[] expected) =>
        AssertInstants(Between(CronSchedule.Create("0 0 13 * 5", dayOr: dayOr), "2026-02-01T00:00:00", "2026-03-14T00:00:00"), expected);

    [Theory]
    [InlineData("""{"cron": "61 * * * *"}""", "schedule.cron", "Invalid cron string \"61 * * * *\": Minutes")]
    [InlineData("""{"cron": "0 0 * * * *"}""", "schedule.cron", "it has 6 field(s)")]
    [InlineData("""{"cron": "0 0 * * *", "timezone": "Mars/Olympus"}""", "schedule.timezone", "Invalid timezone: \"Mars/Olympus\"")]
    [InlineData("""{"interval": 0}""", "schedule.interval", "The interval must be positive")]
    [InlineData("""{"interval": "soon"}""", "schedule.interval", "is not an interval")]
    [InlineData("""{"interval": 60, "anchor_date": "yesterday"}""", "schedule.anchor_date", "\"yesterday\" is not a date")]
    [InlineData("""{"rrule": "FREQ=SOMETIMES"}""", "schedule.rrule", "Invalid RRule string \"FREQ=SOMETIMES\"")]
    [InlineData("""{"cron": "* * * * *", "every": 5}""", "schedule.every", "is not a field of this schedule")]
    [InlineData("""{"cron": "* * * * *", "interval": 5}""", "schedule", "not cron and interval")]
    [InlineData("""{}""", "schedule", "needs one of cron, interval or rrule")]
    public void Parse_RefusesWhatItCannotHonour_NamingTheFieldAndQuotingTheValue(string json, string field, string reason)
    {
        var error = Assert.Throws<ReeveValidationException>(() => Parse(json));

        Assert.Equal(field, error.Field);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ToJson_FillsInTheDefaults()
    {
        Assert.Equal("""{"cron":"0 1 * * *","timezone":"UTC","day_or":true}""", Parse("""{"cron": "0 1 * * *"}""").ToJson().ToJsonString());
        Assert.Equal("""{"interval":600,"anchor_date":"2026-01-01T00:00:00Z","timezone":"UTC"}""", Parse("""{"interval": "PT10M"}""").ToJson().ToJsonString());
        Assert.Equal("""{"rrule":"FREQ=DAILY","timezone":"Europe/London"}""", Parse("""{"rrule": "FREQ=DAILY", "timezone": "Europe/London"}""").ToJson().ToJsonString());
    }

    [Fact]
    public void Parse_RoundTripsItsOwnJson()
    {
        var schedule = Parse("""{"interval": 5400, "anchor_date": "2026-03-01T01:30:00", "timezone": "Europe/London"}""");
        var again = Schedule.Parse(schedule.ToJson(), Utc("2027-01-01T00:00:00"));

        Assert.Equal(schedule.Occurrences(Now).Take(500), again.Occurrences(Now).Take(500));
    }
}
