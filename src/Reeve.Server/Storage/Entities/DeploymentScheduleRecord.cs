namespace Reeve.Server.Storage.Entities;

/// <summary>A row of <c>deployment_schedule</c>.</summary>
internal sealed class DeploymentScheduleRecord
{
    public Guid Id { get; set; }
    public DateTime Created { get; set; }
    public DateTime Updated { get; set; }
    public Guid DeploymentId { get; set; }
    public required string Schedule { get; set; }
    public bool Active { get; set; } = true;
    public int? MaxScheduledRuns { get; set; }
    public string Parameters { get; set; } = "{}";
    public string? Slug { get; set; }

    /// <summary>The instant of the latest run the scheduler made for this schedule; null when none is ahead.</summary>
    public DateTime? PlannedUntil { get; set; }
}
