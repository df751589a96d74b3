using System.Text.Json.Nodes;
using Reeve.Core.Deployments;

namespace Reeve.Ui;

/// <summary>A deployment's schedules in a few words: <c>cron 0 1 * * * (Europe/London)</c>, <c>every 3600 s</c>.</summary>
internal static class Schedules
{
    public static string Summary(Deployment deployment) => deployment.Schedules.Count == 0
        ? "—"
        : string.Join("; ", deployment.Schedules.Select(s => Describe(s.Schedule) + (s.Active ? "" : " (paused)")));

    public static string Describe(JsonObject schedule)
    {
        var zone = schedule["timezone"]?.GetValue<string>() is { Length: > 0 } tz && tz != "UTC" ? $" ({tz})" : "";
        return schedule switch
        {
            _ when schedule["cron"] is { } cron => $"cron {cron}{zone}",
            _ when schedule["interval"] is { } interval => $"every {interval} s{zone}",
            _ when schedule["rrule"] is { } rrule => $"rrule {rrule}{zone}",
            _ => schedule.ToJsonString(),
        };
    }
}
