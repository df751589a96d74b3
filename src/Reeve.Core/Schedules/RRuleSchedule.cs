using System.Globalization;
using System.Text.Json.Nodes;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Reeve.Core.Errors;

namespace Reeve.Core.Schedules;

/// <summary>
/// An iCalendar recurrence rule (RFC 5545), such as <c>FREQ=WEEKLY;BYDAY=MO,WE;BYHOUR=9;BYMINUTE=0</c>, optionally
/// after a <c>DTSTART</c> line, read in a time zone. A rule is calendar-minded: a 9:00 rule stays at 9:00 local time
/// through daylight-saving changes. Without a <c>DTSTART</c> the rule starts on 2020-01-01 at midnight in the
/// schedule's zone (Prefect's default), which also sets the time of day of a rule that names no hour.
/// </summary>
public sealed class RRuleSchedule : Schedule
{
    /// <summary>The longest rule accepted (Prefect's limit: about a year of dates).</summary>
    public const int MaxLength = 6500;

    private static readonly DateTime DefaultStart = new(2020, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);

    private readonly RecurrencePattern _pattern;
    private readonly DateTime _start;

    private RRuleSchedule(string rrule, TimeZoneInfo zone, RecurrencePattern pattern, DateTime start)
        : base(zone)
    {
        RRule = rrule;
        _pattern = pattern;
        _start = start;
    }

    /// <summary>The rule as given.</summary>
    public string RRule { get; }

    /// <inheritdoc/>
    public override string Kind => "RRuleSchedule";

    /// <summary>Parses a rule, or says in one line what is wrong with it.</summary>
    /// <exception cref="ReeveValidationException">The text is not a recurrence rule Reeve can evaluate.</exception>
    public static RRuleSchedule Create(string rrule, TimeZoneInfo? zone = null, string field = "rrule")
    {
        rrule = rrule.Trim();
        if (rrule.Length > MaxLength)
        {
            throw new ReeveValidationException(field, $"Max RRule string length is {MaxLength} characters (got {rrule.Length})");
        }

        string? rule = null;
        DateTime? start = null;
        string? startZone = null;
        foreach (var raw in rrule.Split(['\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (raw.StartsWith("DTSTART", StringComparison.OrdinalIgnoreCase))
            {
                (start, startZone) = ReadStart(raw, rrule, field);
            }
            else if (raw.StartsWith("RRULE:", StringComparison.OrdinalIgnoreCase))
            {
                rule = raw["RRULE:".Length..];
            }
            else if (raw.Contains('=', StringComparison.Ordinal) && !raw.Contains(':', StringComparison.Ordinal))
            {
                rule = raw;
            }
            else
            {
                throw Invalid(rrule, field, $"the line \"{raw}\" is not supported (give an RRULE, optionally after a DTSTART line)");
            }
        }

        if (rule is null)
        {
            throw Invalid(rrule, field, "it has no RRULE");
        }

        if (zone is null && startZone is not null)
        {
            zone = ScheduleTime.FindZone(startZone) ?? throw Invalid(rrule, field, $"the DTSTART time zone \"{startZone}\" is not an IANA time zone");
        }

        zone ??= TimeZoneInfo.Utc;
        if (startZone == "UTC" && start is { } utc && zone != TimeZoneInfo.Utc)
        {
            // A UTC start (…Z) in another zone starts at that instant, read on that zone's clock.
            start = TimeZoneInfo.ConvertTimeFromUtc(utc, zone);
        }

        RecurrencePattern pattern;
        try
        {
            pattern = new RecurrencePattern(rule);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            throw Invalid(rrule, field, e.Message.Replace(" (Parameter 'key')", string.Empty, StringComparison.Ordinal).TrimEnd('.'));
        }

        var schedule = new RRuleSchedule(rrule, zone, pattern, start ?? DefaultStart);
        try
        {
            // Evaluate once, so that a rule the library cannot expand is refused now, not in the scheduler.
            _ = schedule.Occurrences(new DateTimeOffset(schedule._start, TimeSpan.Zero).AddDays(-1)).FirstOrDefault();
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or NotSupportedException)
        {
            throw Invalid(rrule, field, e.Message.TrimEnd('.'));
        }

        return schedule;
    }

    internal static RRuleSchedule Read(JsonObject schedule, string field)
    {
        RequireOnly(schedule, field, "rrule", "timezone");
        var rrule = RequireString(schedule, "rrule", field);
        TimeZoneInfo? zone = schedule["timezone"] is null ? null : ReadZone(schedule, field);
        return Create(rrule, zone, $"{field}.rrule");
    }

    /// <inheritdoc/>
    public override IEnumerable<DateTimeOffset> Occurrences(DateTimeOffset from)
    {
        var calendarEvent = new CalendarEvent { DtStart = new CalDateTime(_start, Zone.Id), RecurrenceRule = _pattern };
        var wallFrom = TimeZoneInfo.ConvertTime(from, Zone).DateTime;
        var last = DateTimeOffset.MinValue;
        foreach (var occurrence in calendarEvent.GetOccurrences(new CalDateTime(wallFrom.AddSeconds(-1), Zone.Id)))
        {
            var at = new DateTimeOffset(DateTime.SpecifyKind(occurrence.Period.StartTime.AsUtc, DateTimeKind.Utc));
            if (at >= from && at > last)
            {
                last = at;
                yield return at;
            }
        }
    }

    /// <inheritdoc/>
    public override JsonObject ToJson() => new() { ["rrule"] = RRule, ["timezone"] = Timezone };

    private static (DateTime Start, string? Zone) ReadStart(string line, string rrule, string field)
    {
        // DTSTART:20260101T090000, DTSTART:20260101T090000Z or DTSTART;TZID=Europe/London:20260101T090000
        var colon = line.LastIndexOf(':');
        var head = line[..Math.Max(colon, 0)];
        var value = colon < 0 ? string.Empty : line[(colon + 1)..];
        string? zone = null;
        var tzid = head.IndexOf("TZID=", StringComparison.OrdinalIgnoreCase);
        if (tzid >= 0)
        {
            zone = head[(tzid + 5)..].Split(';')[0];
        }

        if (value.EndsWith('Z'))
        {
            zone = "UTC";
            value = value[..^1];
        }

        return DateTime.TryParseExact(value, ["yyyyMMdd'T'HHmmss", "yyyyMMdd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var start)
            ? (start, zone)
            : throw Invalid(rrule, field, $"the DTSTART \"{value}\" is not a date (20260101T090000)");
    }

    private static ReeveValidationException Invalid(string rrule, string field, string reason) =>
        new(field, $"Invalid RRule string \"{rrule}\": {reason}");
}
