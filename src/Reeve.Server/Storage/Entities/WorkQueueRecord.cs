namespace Reeve.Server.Storage.Entities;

/// <summary>A row of <c>work_queue</c>: a queue of one work pool.</summary>
internal sealed class WorkQueueRecord
{
    public Guid Id { get; set; }
    public DateTime Created { get; set; }
    public DateTime Updated { get; set; }
    public Guid WorkPoolId { get; set; }
    public WorkPoolRecord? WorkPool { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public bool IsPaused { get; set; }
    public int? ConcurrencyLimit { get; set; }
    public int Priority { get; set; }
    public DateTime? LastPolled { get; set; }
}
