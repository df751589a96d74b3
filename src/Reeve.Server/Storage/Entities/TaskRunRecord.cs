using Reeve.Core.States;

namespace Reeve.Server.Storage.Entities;

/// <summary>A row of <c>task_run</c>, with its current state kept whole as for flow runs.</summary>
internal sealed class TaskRunRecord
{
    public Guid Id { get; set; }
    public DateTime Created { get; set; }
    public DateTime Updated { get; set; }
    public required string Name { get; set; }
    public Guid? FlowRunId { get; set; }
    public required string TaskKey { get; set; }
    public required string DynamicKey { get; set; }
    public string? CacheKey { get; set; }
    public DateTime? CacheExpiration { get; set; }
    public string? TaskVersion { get; set; }
    public string EmpiricalPolicy { get; set; } = "{}";
    public List<string> Tags { get; set; } = [];
    public string Labels { get; set; } = "{}";
    public string TaskInputs { get; set; } = "{}";
    public Guid? StateId { get; set; }
    public StateType? StateType { get; set; }
    public string? StateName { get; set; }
    public DateTime? StateTimestamp { get; set; }
    public string? State { get; set; }
    public int RunCount { get; set; }
    public int FlowRunRunCount { get; set; }
    public DateTime? ExpectedStartTime { get; set; }
    public DateTime? NextScheduledStartTime { get; set; }
    public DateTime? StartTime { get; set; }
    public DateTime? EndTime { get; set; }
    public double TotalRunTime { get; set; }
}
