namespace Reeve.Server.Storage.Entities;

/// <summary>A row of <c>log</c>. Runs are not foreign keys: lines may arrive before their run is known, as in Prefect.</summary>
internal sealed class LogRecord
{
    public Guid Id { get; set; }
    public DateTime Created { get; set; }
    public required string Name { get; set; }
    public int Level { get; set; }
    public required string Message { get; set; }
    public DateTime Timestamp { get; set; }
    public Guid? FlowRunId { get; set; }
    public Guid? TaskRunId { get; set; }
}
