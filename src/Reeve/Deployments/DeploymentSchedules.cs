using Reeve.Core.Deployments;

namespace Reeve.Deployments;

/// <summary>The schedules a served or deployed flow asks for, in the wire shape (<c>{cron, timezone, day_or}</c>, <c>{interval, timezone}</c>).</summary>
internal static class DeploymentSchedules
{
    public static List<DeploymentScheduleCreate> From(string? cron, TimeSpan? interval, string? timezone)
    {
        var schedules = new List<DeploymentScheduleCreate>();
        if (cron is not null)
        {
            schedules.Add(new DeploymentScheduleCreate { Schedule = new() { ["cron"] = cron, ["timezone"] = timezone ?? "UTC", ["day_or"] = true } });
        }

        if (interval is { } every)
        {
            schedules.Add(new DeploymentScheduleCreate { Schedule = new() { ["interval"] = every.TotalSeconds, ["timezone"] = timezone ?? "UTC" } });
        }

        return schedules;
    }
}
