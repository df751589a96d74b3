namespace Reeve.Core.Workers;

/// <summary>A worker of a pool, as known from its heartbeats (Prefect's <c>WorkerResponse</c>).</summary>
public sealed record Worker
{
    /// <summary>The worker's id.</summary>
    public required Guid Id { get; init; }

    /// <summary>When the worker first sent a heartbeat.</summary>
    public required DateTimeOffset Created { get; init; }

    /// <summary>When the record last changed.</summary>
    public required DateTimeOffset Updated { get; init; }

    /// <summary>The worker's name, unique in its pool.</summary>
    public required string Name { get; init; }

    /// <summary>The pool the worker serves.</summary>
    public required Guid WorkPoolId { get; init; }

    /// <summary>When the last heartbeat arrived.</summary>
    public DateTimeOffset? LastHeartbeatTime { get; init; }

    /// <summary>The interval the worker promised between heartbeats.</summary>
    public int? HeartbeatIntervalSeconds { get; init; }

    /// <summary>ONLINE or OFFLINE, as of the moment the worker was read.</summary>
    public WorkerStatus Status { get; init; } = WorkerStatus.Offline;
}
