using System.Text.Json.Nodes;
using Reeve.Core.Errors;

namespace Reeve.Core.Schedules;

/// <summary>
/// When a deployment runs: a cron expression, a fixed interval from an anchor, or an iCalendar recurrence
/// rule, each read in a time zone. Read from the wire's <c>schedule</c> object with <see cref="Parse"/>, which
/// refuses what it cannot honour with the field and the reason; <see cref="ToJson"/> gives it back with every
/// default filled in, as stored and served.
/// </summary>
public abstract class Schedule
{
    private static readonly string[] KindKeys = ["cron", "interval", "rrule"];

    private protected Schedule(TimeZoneInfo zone) => Zone = zone;

    /// <summary>The IANA name of the time zone the schedule is read in (<c>UTC</c> unless given).</summary>
    public string Timezone => Zone.Id;

    /// <summary>The time zone the schedule is read in.</summary>
    public TimeZoneInfo Zone { get; }

    /// <summary>The kind, as Prefect names it in a run's <c>created_by.display_value</c>: <c>CronSchedule</c>, <c>IntervalSchedule</c>, <c>RRuleSchedule</c>.</summary>
    public abstract string Kind { get; }

    /// <summary>The schedule's instants at or after <paramref name="from"/>, earliest first, each once.</summary>
    public abstract IEnumerable<DateTimeOffset> Occurrences(DateTimeOffset from);

    /// <summary>The wire form, defaults filled in.</summary>
    public abstract JsonObject ToJson();

    /// <summary>
    /// Reads a <c>schedule</c> object: <c>{cron, timezone, day_or}</c>, <c>{interval, anchor_date, timezone}</c>
    /// or <c>{rrule, timezone}</c>. <paramref name="now"/> is the anchor of an interval schedule that names none.
    /// </summary>
    /// <exception cref="ReeveValidationException">The object is not a schedule; the field under <paramref name="field"/> and the reason are named.</exception>
    public static Schedule Parse(JsonNode? json, DateTimeOffset now, string field = "schedule")
    {
        if (json is not JsonObject schedule)
        {
            throw new ReeveValidationException(field, "a schedule is an object with one of cron, interval or rrule");
        }

        var kinds = KindKeys.Where(schedule.ContainsKey).ToList();
        if (kinds.Count != 1)
        {
            throw new ReeveValidationException(field, kinds.Count == 0
                ? "a schedule needs one of cron, interval or rrule"
                : $"a schedule has one of cron, interval or rrule, not {string.Join(" and ", kinds)}");
        }

        return kinds[0] switch
        {
            "cron" => CronSchedule.Read(schedule, field),
            "interval" => IntervalSchedule.Read(schedule, now, field),
            _ => RRuleSchedule.Read(schedule, field),
        };
    }

    /// <summary>
    /// Reads a new or changed <c>schedule</c> object as <see cref="Parse"/> does, and also refuses one with no instant
    /// at or after <paramref name="now"/> (a rule that never matches, a COUNT or UNTIL already past), or whose next
    /// instant cannot be found within the bounds of an evaluation.
    /// </summary>
    /// <exception cref="ReeveValidationException">The object is not a schedule, or it would never make a run.</exception>
    public static Schedule Validate(JsonNode? json, DateTimeOffset now, string field = "schedule")
    {
        var schedule = Parse(json, now, field);
        var key = $"{field}.{schedule.Key}";
        DateTimeOffset? next;
        try
        {
            next = schedule.Occurrences(now).Cast<DateTimeOffset?>().FirstOrDefault();
        }
        catch (ScheduleEvaluationException e)
        {
            throw new ReeveValidationException(key, $"the schedule cannot be planned: {e.Message}");
        }

        return next is null
            ? throw new ReeveValidationException(key, $"the schedule has no instant after {now.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}, so it would never make a run")
            : schedule;
    }

    /// <summary>The field that names the kind on the wire: <c>cron</c>, <c>interval</c> or <c>rrule</c>.</summary>
    private protected abstract string Key { get; }

    private protected static void RequireOnly(JsonObject schedule, string field, params string[] allowed)
    {
        foreach (var (key, _) in schedule)
        {
            if (!allowed.Contains(key, StringComparer.Ordinal))
            {
                throw new ReeveValidationException($"{field}.{key}", $"is not a field of this schedule (it takes {string.Join(", ", allowed)})");
            }
        }
    }

    private protected static string RequireString(JsonObject schedule, string key, string field) =>
        schedule[key] is JsonValue value && value.TryGetValue<string>(out var text) && !string.IsNullOrWhiteSpace(text)
            ? text.Trim()
            : throw new ReeveValidationException($"{field}.{key}", "must be a non-empty string");

    private protected static TimeZoneInfo ReadZone(JsonObject schedule, string field, TimeZoneInfo? fallback = null)
    {
        if (schedule["timezone"] is null)
        {
            return fallback ?? TimeZoneInfo.Utc;
        }

        var name = RequireString(schedule, "timezone", field);
        return ScheduleTime.FindZone(name) ?? throw new ReeveValidationException($"{field}.timezone",
            $"Invalid timezone: \"{name}\" (specify in IANA tzdata format, for example, America/New_York)");
    }
}
