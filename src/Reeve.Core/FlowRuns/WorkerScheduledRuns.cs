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

    /// <summary>The run: still SCHEDULED when offered (the worker claims it by proposing PENDING), PENDING when claimed.</summary>
    public required FlowRun FlowRun { get; init; }
}

/// <summary>
/// The body of <c>POST /api/work_pools/{name}/claim_flow_runs</c> (Reeve's own): the due runs a worker would be
/// offered by <c>get_scheduled_flow_runs</c>, claimed for it (PENDING) in one request, so that racing workers
/// are each handed different runs instead of all proposing the same ones.
/// </summary>
public sealed record WorkerClaimRequest
{
    /// <summary>Only these queues of the pool; all when absent.</summary>
    public List<string>? WorkQueueNames { get; init; }

    /// <summary>Runs due at or before this time (workers send now plus their prefetch).</summary>
    public DateTimeOffset? ScheduledBefore { get; init; }

    /// <summary>The most runs to claim (at most 200): the worker's free slots.</summary>
    public int? Limit { get; init; }

    /// <summary>
    /// The claiming worker's heartbeat interval, in seconds: a claimed run counts as lost (CRASHED) unless a
    /// heartbeat for it comes within three of them, as if the worker had sent one with the claim. When absent, 30.
    /// </summary>
    public int? HeartbeatIntervalSeconds { get; init; }

    /// <summary>The same request as <c>get_scheduled_flow_runs</c> takes, to pick the runs.</summary>
    public WorkerScheduledRunsRequest ToScheduledRequest() => new()
    {
        WorkQueueNames = WorkQueueNames,
        ScheduledBefore = ScheduledBefore,
        Limit = Limit,
    };
}
