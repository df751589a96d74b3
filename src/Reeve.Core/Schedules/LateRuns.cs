using System.Globalization;
using Reeve.Core.Errors;

namespace Reeve.Core.Schedules;

/// <summary>
/// When a SCHEDULED run counts as late (renamed Late, still handed out) and, beyond Prefect, when a late run is
/// given up instead: CANCELLED, named Expired, once it is later than its deployment's (else its pool's)
/// <c>expire_late_runs_after</c>.
/// </summary>
public static class LateRuns
{
    /// <summary>How long past its time a run waits before it is marked Late (Prefect's default).</summary>
    public static readonly TimeSpan MarkLateAfter = TimeSpan.FromSeconds(15);

    /// <summary>The name of a late run's SCHEDULED state.</summary>
    public const string LateName = "Late";

    /// <summary>The name of the CANCELLED state of a run given up for lateness.</summary>
    public const string ExpiredName = "Expired";

    /// <summary>Refuses an expiry that is not a positive number of seconds.</summary>
    /// <exception cref="ReeveValidationException">It is zero, negative or not finite.</exception>
    public static void RequireExpiry(double? seconds, string field = "expire_late_runs_after")
    {
        if (seconds is { } s && (!double.IsFinite(s) || s <= 0 || s > TimeSpan.MaxValue.TotalSeconds))
        {
            throw new ReeveValidationException(field, $"must be a positive number of seconds, or null for never (got {s.ToString(CultureInfo.InvariantCulture)})");
        }
    }

    /// <summary>The expiry that applies to a run: its deployment's, else its pool's; null: late runs never expire.</summary>
    public static TimeSpan? ExpiryOf(double? deploymentSeconds, double? poolSeconds) =>
        (deploymentSeconds ?? poolSeconds) is { } seconds ? TimeSpan.FromSeconds(seconds) : null;

    /// <summary>The message of an expired run's state.</summary>
    public static string ExpiredMessage(DateTimeOffset scheduled, TimeSpan expiry) =>
        $"Expired: not started within {Describe(expiry)} of its scheduled time {scheduled.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC (expire_late_runs_after).";

    private static string Describe(TimeSpan span) => span.TotalHours >= 1 && span.TotalHours == Math.Floor(span.TotalHours)
        ? $"{span.TotalHours:0} hour(s)"
        : span.TotalMinutes >= 1 && span.TotalMinutes == Math.Floor(span.TotalMinutes)
            ? $"{span.TotalMinutes:0} minute(s)"
            : $"{span.TotalSeconds:0.###} second(s)";
}
