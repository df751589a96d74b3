using System.Globalization;
using System.Text.Json.Nodes;
using System.Xml;
using Reeve.Core.Errors;

namespace Reeve.Core.Schedules;

/// <summary>
/// Runs every <see cref="Interval"/> from <see cref="AnchorDate"/>, read in a time zone. As in Prefect, the whole
/// days of the interval are counted on the wall clock and the rest in elapsed time: a daily schedule keeps its
/// hour through daylight-saving changes (9:00 stays 9:00), an hourly one fires every elapsed hour (so when clocks
/// go back two runs read 1:00 an hour apart). A daily time skipped by the clocks going forward moves forward by
/// the gap; one that happens twice is its first instant.
/// </summary>
public sealed class IntervalSchedule : Schedule
{
    /// <summary>The longest interval accepted: a hundred years (longer ones could only ever make a run or two).</summary>
    public static readonly TimeSpan MaxInterval = TimeSpan.FromDays(36_525);

    private readonly int _days;
    private readonly TimeSpan _rest;
    private readonly DateTime _anchorWall;

    private IntervalSchedule(TimeSpan interval, DateTimeOffset anchor, TimeZoneInfo zone)
        : base(zone)
    {
        Interval = interval;
        AnchorDate = anchor;
        _days = interval.Days;
        _rest = interval - TimeSpan.FromDays(_days);
        _anchorWall = TimeZoneInfo.ConvertTime(anchor, zone).DateTime;
    }

    /// <summary>The time between runs.</summary>
    public TimeSpan Interval { get; }

    /// <summary>An instant the schedule passes through; runs fall a whole number of intervals from it.</summary>
    public DateTimeOffset AnchorDate { get; }

    /// <inheritdoc/>
    public override string Kind => "IntervalSchedule";

    /// <summary>A schedule every <paramref name="interval"/> from <paramref name="anchor"/>.</summary>
    /// <exception cref="ReeveValidationException">The interval is not positive, or longer than <see cref="MaxInterval"/>.</exception>
    public static IntervalSchedule Create(TimeSpan interval, DateTimeOffset anchor, TimeZoneInfo? zone = null, string field = "interval")
    {
        if (interval <= TimeSpan.Zero)
        {
            throw new ReeveValidationException(field, $"The interval must be positive (got {interval.TotalSeconds.ToString(CultureInfo.InvariantCulture)} seconds)");
        }

        if (interval > MaxInterval)
        {
            throw new ReeveValidationException(field, $"The interval must be at most {MaxInterval.TotalSeconds.ToString(CultureInfo.InvariantCulture)} seconds, a hundred years " +
                $"(got {interval.TotalSeconds.ToString(CultureInfo.InvariantCulture)} seconds)");
        }

        return new IntervalSchedule(interval, anchor, zone ?? TimeZoneInfo.Utc);
    }

    internal static IntervalSchedule Read(JsonObject schedule, DateTimeOffset now, string field)
    {
        RequireOnly(schedule, field, "interval", "anchor_date", "timezone");
        var interval = schedule["interval"] switch
        {
            JsonValue v when v.TryGetValue<double>(out var seconds) && double.IsFinite(seconds) && Math.Abs(seconds) < TimeSpan.MaxValue.TotalSeconds =>
                TimeSpan.FromSeconds(seconds),
            JsonValue v when v.TryGetValue<string>(out var text) && TryDuration(text, out var parsed) => parsed,
            var other => throw new ReeveValidationException($"{field}.interval",
                $"\"{other?.ToJsonString()}\" is not an interval: give seconds (3600) or an ISO 8601 duration (PT1H)"),
        };

        TimeZoneInfo zone;
        DateTimeOffset anchor;
        if (schedule["anchor_date"] is null)
        {
            zone = ReadZone(schedule, field);
            anchor = new DateTimeOffset(now.UtcDateTime.Ticks - (now.UtcDateTime.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        }
        else
        {
            var text = RequireString(schedule, "anchor_date", field);
            if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.RoundtripKind, out var parsed))
            {
                throw new ReeveValidationException($"{field}.anchor_date", $"\"{text}\" is not a date and time (ISO 8601, such as 2026-01-01T09:00:00-05:00)");
            }

            zone = ReadZone(schedule, field);
            // A time without an offset is read in the schedule's zone.
            anchor = parsed.Kind == DateTimeKind.Unspecified
                ? ScheduleTime.ToInstant(parsed, zone)
                : new DateTimeOffset(parsed.ToUniversalTime(), TimeSpan.Zero);
        }

        return Create(interval, anchor, zone, $"{field}.interval");
    }

    /// <inheritdoc/>
    public override IEnumerable<DateTimeOffset> Occurrences(DateTimeOffset from)
    {
        // Jump near the first run at or after `from`, a step early to be safe around clock changes.
        var steps = (long)Math.Floor((from - AnchorDate).Ticks / (double)Interval.Ticks) - 1;
        var at = At(steps);
        while (at is { } early && early < from)
        {
            at = At(++steps);
        }

        var last = DateTimeOffset.MinValue;
        for (var guard = 0; guard < 1_000_000 && at is { } next; guard++, at = At(++steps))
        {
            if (next > last)
            {
                yield return next;
                last = next;
            }
        }
    }

    /// <inheritdoc/>
    private protected override string Key => "interval";

    /// <inheritdoc/>
    public override JsonObject ToJson() => new()
    {
        ["interval"] = Interval.TotalSeconds,
        ["anchor_date"] = AnchorDate.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
        ["timezone"] = Timezone,
    };

    /// <summary>The instant <paramref name="steps"/> intervals from the anchor, or null past the calendar's ends (year 1 to 9999).</summary>
    private DateTimeOffset? At(long steps)
    {
        try
        {
            if (_days == 0)
            {
                return AnchorDate + (Interval * steps);
            }

            // Whole days on the wall clock, the rest in elapsed time.
            var wall = _anchorWall.AddDays(_days * (double)steps);
            return ScheduleTime.ToInstant(wall, Zone) + (_rest * steps);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or OverflowException)
        {
            return null;
        }
    }

    private static bool TryDuration(string text, out TimeSpan duration)
    {
        duration = default;
        try
        {
            duration = text.StartsWith('P') || text.StartsWith("-P", StringComparison.Ordinal)
                ? XmlConvert.ToTimeSpan(text)
                : TimeSpan.Parse(text, CultureInfo.InvariantCulture);
            return true;
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            return false;
        }
    }
}
