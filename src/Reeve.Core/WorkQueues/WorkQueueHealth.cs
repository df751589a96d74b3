namespace Reeve.Core.WorkQueues;

/// <summary>Whether a work queue is served, as Prefect's <c>GET /work_queues/{id}/status</c> answers (WorkQueueStatusDetail).</summary>
public sealed record WorkQueueHealth
{
    /// <summary>Whether the queue meets its policy.</summary>
    public required bool Healthy { get; init; }

    /// <summary>How many of its runs are Late.</summary>
    public int LateRunsCount { get; init; }

    /// <summary>When a worker last asked it for runs.</summary>
    public DateTimeOffset? LastPolled { get; init; }

    /// <summary>The policy it is held to.</summary>
    public required WorkQueueHealthPolicy HealthCheckPolicy { get; init; }
}

/// <summary>What a healthy queue is: Prefect's defaults, no Late run and a poll in the last 60 s.</summary>
public sealed record WorkQueueHealthPolicy
{
    /// <summary>The most Late runs a healthy queue has.</summary>
    public int MaximumLateRuns { get; init; }

    /// <summary>The longest a healthy queue goes unpolled, in seconds.</summary>
    public int MaximumSecondsSinceLastPolled { get; init; } = 60;
}
