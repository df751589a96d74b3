namespace Reeve.Server.Storage.Entities;

/// <summary>A row of <c>work_pool</c>.</summary>
internal sealed class WorkPoolRecord
{
    public Guid Id { get; set; }
    public DateTime Created { get; set; }
    public DateTime Updated { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public required string Type { get; set; }

    /// <summary>The base job template as JSON text.</summary>
    public required string BaseJobTemplate { get; set; }

    public bool IsPaused { get; set; }
    public int? ConcurrencyLimit { get; set; }
    public double? ExpireLateRunsAfter { get; set; }
    public Guid? DefaultQueueId { get; set; }

    /// <summary>The storage configuration as JSON text.</summary>
    public string StorageConfiguration { get; set; } = "{}";

    public List<WorkQueueRecord> Queues { get; set; } = [];
    public List<WorkerRecord> Workers { get; set; } = [];
}
