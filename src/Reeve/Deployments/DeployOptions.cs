using Reeve.Core.Deployments;

namespace Reeve.Deployments;

/// <summary>What a deployment carries besides its name and work pool.</summary>
public sealed record DeployOptions
{
    /// <summary>The pool's queue for its runs; the pool's default queue when null.</summary>
    public string? WorkQueue { get; init; }

    /// <summary>A cron schedule (such as <c>0 1 * * *</c>).</summary>
    public string? Cron { get; init; }

    /// <summary>An interval schedule.</summary>
    public TimeSpan? Interval { get; init; }

    /// <summary>An iCalendar recurrence rule (such as <c>FREQ=WEEKLY;BYDAY=MO;BYHOUR=9</c>).</summary>
    public string? RRule { get; init; }

    /// <summary>The time zone of <see cref="Cron"/>, <see cref="Interval"/> and <see cref="RRule"/> (IANA name, such as <c>Europe/London</c>); UTC when null.</summary>
    public string? Timezone { get; init; }

    /// <summary>The anchor of <see cref="Interval"/>: runs fall a whole number of intervals from it; now when null.</summary>
    public DateTimeOffset? AnchorDate { get; init; }

    /// <summary>More schedules (see <see cref="Deployments.Schedules"/>), beside or instead of the single ones above.</summary>
    public IReadOnlyList<DeploymentScheduleCreate>? Schedules { get; init; }

    /// <summary>Reeve only: give up a scheduled run not started within this long of its time (CANCELLED, named Expired).</summary>
    public TimeSpan? ExpireLateRunsAfter { get; init; }

    /// <summary>Default parameters of its runs: a JSON object, a dictionary or an anonymous object (<c>new { repoName = "dotnet/runtime" }</c>).</summary>
    public object? Parameters { get; init; }

    /// <summary>Job variables over the pool's defaults (such as <c>new { env = new { LOG_LEVEL = "debug" } }</c>); env merges key by key.</summary>
    public object? JobVariables { get; init; }

    /// <summary>
    /// The container image its runs use on a <c>docker</c> pool, stored as the <c>image</c> job variable: a name
    /// (<c>"my-image:latest"</c>) for an image built beforehand, or a <see cref="DeploymentImage"/> to build (and
    /// push) one from the flow's project now. Runs of an image start in <c>/app</c>, where the flow was published.
    /// </summary>
    public DeploymentImage? Image { get; init; }

    /// <summary>Tags.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>A description; the flow's when null.</summary>
    public string? Description { get; init; }

    /// <summary>A version; the flow's when null.</summary>
    public string? Version { get; init; }

    /// <summary>Where the summary is written; the console when null.</summary>
    public TextWriter? Output { get; init; }

    /// <summary>
    /// Whether the deployment is paused once deployed. False by default, as in Prefect: deploying resumes a deployment
    /// that was paused (by a serving process that stopped, say); the summary says when it did.
    /// </summary>
    public bool Paused { get; init; }
}
