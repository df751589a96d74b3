using System.Text.Json.Nodes;
using Reeve.Flows;

namespace Reeve.Serving;

/// <summary>A flow to serve under a deployment name, with its schedules and default parameters.</summary>
public sealed record ServedFlow
{
    /// <summary>The flow.</summary>
    public required FlowDefinition Flow { get; init; }

    /// <summary>The deployment's name (<c>my-first-deployment</c>).</summary>
    public required string Name { get; init; }

    /// <summary>A cron schedule (<c>0 1 * * *</c>).</summary>
    public string? Cron { get; init; }

    /// <summary>An interval schedule.</summary>
    public TimeSpan? Interval { get; init; }

    /// <summary>The time zone of the schedule (IANA name); UTC by default.</summary>
    public string? Timezone { get; init; }

    /// <summary>An iCalendar recurrence rule (such as <c>FREQ=WEEKLY;BYDAY=MO;BYHOUR=9</c>).</summary>
    public string? RRule { get; init; }

    /// <summary>The anchor of <see cref="Interval"/>; now when null.</summary>
    public DateTimeOffset? AnchorDate { get; init; }

    /// <summary>More schedules (see <see cref="Deployments.Schedules"/>).</summary>
    public IReadOnlyList<Core.Deployments.DeploymentScheduleCreate>? Schedules { get; init; }

    /// <summary>Default parameters of the runs.</summary>
    public JsonObject? Parameters { get; init; }

    /// <summary>Tags of the deployment and its runs.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>A description; the flow's by default.</summary>
    public string? Description { get; init; }

    /// <summary>A version label; the flow's by default.</summary>
    public string? Version { get; init; }
}
