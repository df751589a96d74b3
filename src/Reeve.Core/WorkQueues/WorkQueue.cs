namespace Reeve.Core.WorkQueues;

/// <summary>
/// A queue of a work pool. Runs are handed out by queue priority (1 is the highest), within the
/// queue's own concurrency limit. The wire shape is Prefect 3's <c>WorkQueueResponse</c>.
/// </summary>
public sealed record WorkQueue
{
    /// <summary>The queue's id.</summary>
    public required Guid Id { get; init; }

    /// <summary>When the queue was created.</summary>
    public required DateTimeOffset Created { get; init; }

    /// <summary>When the queue was last changed.</summary>
    public required DateTimeOffset Updated { get; init; }

    /// <summary>The queue's name, unique in its pool.</summary>
    public required string Name { get; init; }

    /// <summary>A description.</summary>
    public string? Description { get; init; } = "";

    /// <summary>A paused queue hands out no work.</summary>
    public bool IsPaused { get; init; }

    /// <summary>The most runs of this queue that may be PENDING or RUNNING at once; null for no limit.</summary>
    public int? ConcurrencyLimit { get; init; }

    /// <summary>The queue's priority: 1 is the highest; unique in the pool.</summary>
    public int Priority { get; init; } = 1;

    /// <summary>The pool the queue belongs to.</summary>
    public Guid? WorkPoolId { get; init; }

    /// <summary>The name of the pool the queue belongs to.</summary>
    public string? WorkPoolName { get; init; }

    /// <summary>When a worker last asked this queue for runs.</summary>
    public DateTimeOffset? LastPolled { get; init; }

    /// <summary>READY, NOT_READY or PAUSED, as of the moment the queue was read.</summary>
    public WorkQueueStatus? Status { get; init; }
}
