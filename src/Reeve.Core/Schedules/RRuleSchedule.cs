using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Evaluation;
using Reeve.Core.Errors;

namespace Reeve.Core.Schedules;

/// <summary>
/// An iCalendar recurrence rule (RFC 5545), such as <c>FREQ=WEEKLY;BYDAY=MO,WE;BYHOUR=9;BYMINUTE=0</c>, optionally
/// after a <c>DTSTART</c> line, read in a time zone. A rule is calendar-minded: a 9:00 rule stays at 9:00 local time
/// through daylight-saving changes. Without a <c>DTSTART</c> the rule starts on 2020-01-01 at midnight in the
/// schedule's zone (Prefect's default), which also sets the time of day of a rule that names no hour.
/// <para>
/// Evaluation is bounded, since a rule is user input: a rule may expand to at most <see cref="MaxInstantsPerPeriod"/>
/// instants per period of its frequency, the search for the next instant gives up after a number of empty steps
/// (fewer the larger each step's set), and one enumeration gives up after <see cref="MaxEvaluationTime"/>; each
/// gives a <see cref="ScheduleEvaluationException"/>. Rules without COUNT are evaluated from a start moved close to
/// the instant asked for (by whole periods, so every instant stays where it was): the library walks from the start
/// one step at a time, which for a secondly rule begun in 2020 would otherwise be hundreds of millions of steps.
/// </para>
/// </summary>
public sealed class RRuleSchedule : Schedule
{
    /// <summary>The longest rule accepted (Prefect's limit: about a year of dates).</summary>
    public const int MaxLength = 6500;

    /// <summary>The most instants a rule may expand to within one period of its frequency (a year for YEARLY).</summary>
    public const int MaxInstantsPerPeriod = 10_000;

    /// <summary>The longest one enumeration of a rule's instants may take before it is given up.</summary>
    public static readonly TimeSpan MaxEvaluationTime = TimeSpan.FromSeconds(2);

    /// <summary>Steps of the library's search, times the instants of a step, allowed between two instants found.</summary>
    private const long SearchBudget = 2_000_000;

    /// <summary>The most instants one enumeration looks at, those before the instant asked for included.</summary>
    private const int MaxInstantsSeen = 200_000;

    private static readonly DateTime DefaultStart = new(2020, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);

    private readonly EvaluationOptions _options;

    private readonly RecurrencePattern _pattern;
    private readonly DateTime _start;

    private RRuleSchedule(string rrule, TimeZoneInfo zone, RecurrencePattern pattern, DateTime start)
        : base(zone)
    {
        RRule = rrule;
        _pattern = pattern;
        _start = start;
        _options = new EvaluationOptions { MaxUnmatchedIncrementsLimit = (int)Math.Clamp(SearchBudget / InstantsPerPeriod(pattern), 100, 1_000_000) };
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

        if (InstantsPerPeriod(pattern) is var size and > MaxInstantsPerPeriod)
        {
            throw Invalid(rrule, field, $"it expands to about {size.ToString("N0", CultureInfo.InvariantCulture)} instants per {Period(pattern.Frequency)} " +
                $"(at most {MaxInstantsPerPeriod.ToString("N0", CultureInfo.InvariantCulture)}): use a shorter FREQ");
        }

        // Whether the rule has instants, and can be evaluated at all, is found when it is evaluated (Schedule.Validate).
        return new RRuleSchedule(rrule, zone, pattern, start ?? DefaultStart);
    }

    internal static RRuleSchedule Read(JsonObject schedule, string field)
    {
        RequireOnly(schedule, field, "rrule", "timezone");
        var rrule = RequireString(schedule, "rrule", field);
        TimeZoneInfo? zone = schedule["timezone"] is null ? null : ReadZone(schedule, field);
        return Create(rrule, zone, $"{field}.rrule");
    }

    /// <inheritdoc/>
    /// <exception cref="ScheduleEvaluationException">The next instant cannot be found within the bounds of an evaluation.</exception>
    public override IEnumerable<DateTimeOffset> Occurrences(DateTimeOffset from)
    {
        var started = Stopwatch.GetTimestamp();
        var wallFrom = TimeZoneInfo.ConvertTime(from, Zone).DateTime;

        // With COUNT the instants are counted from the start, so the walk begins there, and every instant it finds
        // passes through here, where the bounds are checked; without, it begins a period or two before `from`.
        var counted = _pattern.Count is not null;
        var start = counted ? _start : Rebase(_start, wallFrom);
        var searchFrom = counted || wallFrom <= start ? start : wallFrom.AddSeconds(-1);
        var calendarEvent = new CalendarEvent { DtStart = new CalDateTime(start, Zone.Id), RecurrenceRule = _pattern };
        using var instants = calendarEvent.GetOccurrences(new CalDateTime(searchFrom, Zone.Id), _options).GetEnumerator();
        var last = DateTimeOffset.MinValue;
        for (var seen = 1; ; seen++)
        {
            if (!MoveNext(instants))
            {
                yield break;
            }

            if (seen > MaxInstantsSeen || Stopwatch.GetElapsedTime(started) > MaxEvaluationTime)
            {
                throw new ScheduleEvaluationException(
                    $"finding its instants took more than {MaxInstantsSeen.ToString("N0", CultureInfo.InvariantCulture)} steps or {MaxEvaluationTime.TotalSeconds:0} s");
            }

            var at = new DateTimeOffset(DateTime.SpecifyKind(instants.Current.Period.StartTime.AsUtc, DateTimeKind.Utc));
            if (at >= from && at > last)
            {
                last = at;
                yield return at;
            }
        }
    }

    private bool MoveNext(IEnumerator<Occurrence> instants)
    {
        try
        {
            return instants.MoveNext();
        }
        catch (EvaluationOutOfRangeException)
        {
            // The search ran past the last representable date: there is no further instant.
            return false;
        }
        catch (EvaluationLimitExceededException e)
        {
            throw new ScheduleEvaluationException(
                $"no next instant was found within {_options.MaxUnmatchedIncrementsLimit?.ToString("N0", CultureInfo.InvariantCulture)} steps of its FREQ " +
                "(a rule that never or almost never matches; use a longer FREQ with BYHOUR, BYMINUTE or BYSECOND)", e);
        }
        catch (Exception e) when (e is EvaluationException or ArgumentException or FormatException or InvalidOperationException or NotSupportedException)
        {
            // Combinations the library parses but cannot expand (BYDAY offsets in a DAILY rule, say).
            throw new ScheduleEvaluationException(e.Message.TrimEnd('.'), e);
        }
    }

    /// <summary>
    /// The start moved forward by whole periods to a period or two before <paramref name="wallFrom"/>, so that the
    /// walk from it is short and finds the same instants. Sub-daily rules move by whole days that are also whole
    /// intervals (so the time of day and the interval's phase both stay); daily and weekly ones by whole intervals.
    /// Monthly and yearly rules are not moved: walking from any start to now is a few thousand steps at most.
    /// </summary>
    private DateTime Rebase(DateTime start, DateTime wallFrom)
    {
        var interval = Math.Max(1, _pattern.Interval);
        double stepSeconds = _pattern.Frequency switch
        {
            FrequencyType.Secondly => Lcm(interval, 86_400),
            FrequencyType.Minutely => Lcm(interval * 60L, 86_400),
            FrequencyType.Hourly => Lcm(interval * 3_600L, 86_400),
            FrequencyType.Daily => interval * 86_400d,
            FrequencyType.Weekly => interval * 7 * 86_400d,
            _ => 0,
        };
        if (stepSeconds <= 0 || wallFrom <= start)
        {
            return start;
        }

        var steps = Math.Floor((wallFrom - start).TotalSeconds / stepSeconds) - 1;
        if (steps < 1)
        {
            return start;
        }

        // Whole days on the wall clock, so that a rebased start keeps its time of day in every zone.
        var days = steps * stepSeconds / 86_400;
        return days < (DateTime.MaxValue - start).TotalDays ? start.AddDays(days) : start;
    }

    private static double Lcm(long a, long b)
    {
        var (x, y) = (a, b);
        while (y != 0)
        {
            (x, y) = (y, x % y);
        }

        return a / (double)x * b;
    }

    /// <summary>
    /// An upper estimate of the instants a rule's BY parts expand one period of its frequency into (RFC 5545's table
    /// of which parts expand and which limit at each frequency).
    /// </summary>
    private static long InstantsPerPeriod(RecurrencePattern pattern)
    {
        var frequency = pattern.Frequency;
        long time = 1;
        if (frequency > FrequencyType.Secondly && pattern.BySecond.Count > 0)
        {
            time *= pattern.BySecond.Count;
        }

        if (frequency > FrequencyType.Minutely && pattern.ByMinute.Count > 0)
        {
            time *= pattern.ByMinute.Count;
        }

        if (frequency > FrequencyType.Hourly && pattern.ByHour.Count > 0)
        {
            time *= pattern.ByHour.Count;
        }

        long months = Math.Max(1, pattern.ByMonth.Count);
        long days = frequency switch
        {
            FrequencyType.Weekly => Math.Max(1, pattern.ByDay.Count),
            FrequencyType.Monthly => pattern.ByMonthDay.Count > 0 ? pattern.ByMonthDay.Count : Math.Max(1, pattern.ByDay.Count * 5L),
            FrequencyType.Yearly when pattern.ByYearDay.Count > 0 => pattern.ByYearDay.Count,
            FrequencyType.Yearly when pattern.ByWeekNo.Count > 0 => pattern.ByWeekNo.Count * 7L,
            FrequencyType.Yearly when pattern.ByMonthDay.Count > 0 => months * pattern.ByMonthDay.Count,
            FrequencyType.Yearly when pattern.ByDay.Count > 0 => pattern.ByDay.Count * (pattern.ByMonth.Count > 0 ? months * 5 : 53),
            FrequencyType.Yearly => months,
            _ => 1,
        };
        return time * Math.Min(days, 366);
    }

    private static string Period(FrequencyType frequency) => frequency switch
    {
        FrequencyType.Secondly => "second",
        FrequencyType.Minutely => "minute",
        FrequencyType.Hourly => "hour",
        FrequencyType.Daily => "day",
        FrequencyType.Weekly => "week",
        FrequencyType.Monthly => "month",
        _ => "year",
    };

    /// <inheritdoc/>
    private protected override string Key => "rrule";

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
