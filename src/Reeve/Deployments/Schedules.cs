using System.Globalization;
using System.Text.Json.Nodes;
using Reeve.Core.Deployments;

namespace Reeve.Deployments;

/// <summary>
/// Schedules for <see cref="DeployOptions.Schedules"/> and <see cref="Serving.ServedFlow.Schedules"/>, when one
/// deployment needs several, or one needs its own parameters, a cap on its future runs or a slug:
/// <code>
/// Schedules = [
///     Schedules.Cron("0 9 * * 1-5", timezone: "Europe/London"),
///     Schedules.Interval(TimeSpan.FromHours(6)) with { Parameters = new() { ["full"] = true }, MaxScheduledRuns = 4 },
///     Schedules.RRule("FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=3"),
/// ]
/// </code>
/// The server checks each one and refuses an invalid expression, quoting it and saying what is wrong.
/// </summary>
public static class Schedules
{
    /// <summary>A five-field cron expression (<c>minute hour day-of-month month day-of-week</c>), read in <paramref name="timezone"/> (an IANA name; UTC by default).</summary>
    /// <param name="cron">The expression, such as <c>0 1 * * *</c> (01:00 every day).</param>
    /// <param name="timezone">The time zone its times are read in.</param>
    /// <param name="dayOr">With both day fields restricted, whether either matching is enough (cron's rule, the default) or both must.</param>
    public static DeploymentScheduleCreate Cron(string cron, string? timezone = null, bool dayOr = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(cron);
        return new DeploymentScheduleCreate { Schedule = new JsonObject { ["cron"] = cron, ["timezone"] = timezone ?? "UTC", ["day_or"] = dayOr } };
    }

    /// <summary>
    /// A run every <paramref name="every"/>, on the instants a whole number of intervals from <paramref name="anchor"/>
    /// (now when not given). Whole days keep their wall-clock time in <paramref name="timezone"/> across daylight-saving changes.
    /// </summary>
    public static DeploymentScheduleCreate Interval(TimeSpan every, DateTimeOffset? anchor = null, string? timezone = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(every, TimeSpan.Zero);
        var schedule = new JsonObject { ["interval"] = every.TotalSeconds, ["timezone"] = timezone ?? "UTC" };
        if (anchor is { } a)
        {
            schedule["anchor_date"] = a.ToString("O", CultureInfo.InvariantCulture);
        }

        return new DeploymentScheduleCreate { Schedule = schedule };
    }

    /// <summary>An iCalendar recurrence rule (RFC 5545), such as <c>FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0</c>, optionally after a <c>DTSTART</c> line.</summary>
    public static DeploymentScheduleCreate RRule(string rrule, string? timezone = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rrule);
        var schedule = new JsonObject { ["rrule"] = rrule };
        if (timezone is not null)
        {
            schedule["timezone"] = timezone;
        }

        return new DeploymentScheduleCreate { Schedule = schedule };
    }

    /// <summary>The schedules of a deployment: the single ones the options name, then the list.</summary>
    internal static List<DeploymentScheduleCreate> Of(string? cron, TimeSpan? interval, string? rrule, string? timezone, DateTimeOffset? anchor,
        IReadOnlyList<DeploymentScheduleCreate>? more)
    {
        var schedules = new List<DeploymentScheduleCreate>();
        if (cron is not null)
        {
            schedules.Add(Cron(cron, timezone));
        }

        if (interval is { } every)
        {
            schedules.Add(Interval(every, anchor, timezone));
        }

        if (rrule is not null)
        {
            schedules.Add(RRule(rrule, timezone));
        }

        schedules.AddRange(more ?? []);
        return schedules;
    }
}
