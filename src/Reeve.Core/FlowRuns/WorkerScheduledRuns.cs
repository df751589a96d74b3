namespace Reeve.Core.FlowRuns;

/// <summary>The body of <c>POST /api/work_pools/{name}/get_scheduled_flow_runs</c>.</summary>
public sealed record WorkerScheduledRunsRequest
{
    /// <summary>Only these queues of the pool; all when absent.</summary>
    public List<string>? WorkQueueNames { get; init; }

    /// <summary>Runs due at or before this time (workers send now plus their prefetch).</summary>
    public DateTimeOffset? ScheduledBefore { get; init; }

    /// <summary>Runs due at or after this time.</summary>
    public DateTimeOffset? ScheduledAfter { get; init; }

    /// <summary>The most runs to return (at most 200).</summary>
    public int? Limit { get; init; }
}

/// <summary>One run handed to a worker: <c>{work_pool_id, work_queue_id, flow_run}</c>.</summary>
public sealed record WorkerFlowRun
{
    /// <summary>The pool.</summary>
    public required Guid WorkPoolId { get; init; }

    /// <summary>The queue.</summary>
    public required Guid WorkQueueId { get; init; }

    /// <summary>The run, still SCHEDULED: the worker claims it by proposing PENDING.</summary>
    public required FlowRun FlowRun { get; init; }
}
