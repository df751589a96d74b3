namespace Reeve.Server.Storage.Entities;

/// <summary>A row of <c>deployment</c>. JSON-valued fields are stored as JSON text.</summary>
internal sealed class DeploymentRecord
{
    public Guid Id { get; set; }
    public DateTime Created { get; set; }
    public DateTime Updated { get; set; }
    public required string Name { get; set; }
    public Guid FlowId { get; set; }
    public FlowRecord? Flow { get; set; }
    public string? Version { get; set; }
    public string? Description { get; set; }
    public bool Paused { get; set; }
    public int? ConcurrencyLimit { get; set; }
    public double? ExpireLateRunsAfter { get; set; }
    public string? CollisionStrategy { get; set; }
    public string JobVariables { get; set; } = "{}";
    public string Parameters { get; set; } = "{}";
    public List<string> Tags { get; set; } = [];
    public string Labels { get; set; } = "{}";
    public Guid? WorkQueueId { get; set; }
    public WorkQueueRecord? WorkQueue { get; set; }
    public DateTime? LastPolled { get; set; }
    public string ParameterOpenapiSchema { get; set; } = "{}";
    public string? Path { get; set; }
    public string? PullSteps { get; set; }
    public string? Entrypoint { get; set; }
    public Guid? StorageDocumentId { get; set; }
    public Guid? InfrastructureDocumentId { get; set; }
    public string? CreatedBy { get; set; }
    public string? UpdatedBy { get; set; }
    public bool EnforceParameterSchema { get; set; } = true;
    public List<DeploymentScheduleRecord> Schedules { get; set; } = [];
}
