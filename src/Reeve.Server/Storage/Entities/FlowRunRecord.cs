using Reeve.Core.States;

namespace Reeve.Server.Storage.Entities;

/// <summary>
/// A row of <c>flow_run</c>. The current state is kept whole (<see cref="State"/>, JSON) beside its history in
/// <c>flow_run_state</c>, and its type, name and time are columns for the queries that hand out work.
/// </summary>
internal sealed class FlowRunRecord
{
    public Guid Id { get; set; }
    public DateTime Created { get; set; }
    public DateTime Updated { get; set; }
    public required string Name { get; set; }
    public Guid FlowId { get; set; }
    public Guid? DeploymentId { get; set; }
    public string? DeploymentVersion { get; set; }
    public Guid? WorkQueueId { get; set; }
    public Guid? WorkPoolId { get; set; }
    public string? FlowVersion { get; set; }
    public string Parameters { get; set; } = "{}";
    public string? IdempotencyKey { get; set; }
    public string Context { get; set; } = "{}";
    public string EmpiricalPolicy { get; set; } = "{}";

    /// <summary>The empirical policy's <c>retry_type</c>, as a column: runs retried in process are never handed to workers.</summary>
    public string? RetryType { get; set; }
    public List<string> Tags { get; set; } = [];
    public string Labels { get; set; } = "{}";
    public Guid? ParentTaskRunId { get; set; }
    public Guid? StateId { get; set; }
    public StateType? StateType { get; set; }
    public string? StateName { get; set; }
    public DateTime? StateTimestamp { get; set; }
    public string? State { get; set; }
    public int RunCount { get; set; }
    public DateTime? ExpectedStartTime { get; set; }
    public DateTime? NextScheduledStartTime { get; set; }
    public DateTime? StartTime { get; set; }
    public DateTime? EndTime { get; set; }
    public double TotalRunTime { get; set; }
    public bool AutoScheduled { get; set; }
    public Guid? InfrastructureDocumentId { get; set; }
    public string? InfrastructurePid { get; set; }
    public string? CreatedBy { get; set; }
    public string JobVariables { get; set; } = "{}";

    /// <summary>
    /// When the run counts as lost unless a heartbeat comes first: three of its sender's intervals after the last
    /// one (the engine's while the flow runs, the claiming worker's before). Null: nothing heartbeats this run.
    /// </summary>
    public DateTime? HeartbeatExpires { get; set; }
}
