namespace Reeve.Core.States;

/// <summary>Details a state carries, as Prefect's <c>StateDetails</c>.</summary>
public sealed record StateDetails
{
    /// <summary>The flow run the state belongs to.</summary>
    public Guid? FlowRunId { get; init; }

    /// <summary>The task run the state belongs to.</summary>
    public Guid? TaskRunId { get; init; }

    /// <summary>A subflow run started by this task run.</summary>
    public Guid? ChildFlowRunId { get; init; }

    /// <summary>When a SCHEDULED state is due.</summary>
    public DateTimeOffset? ScheduledTime { get; init; }

    /// <summary>The cache key of a task's result.</summary>
    public string? CacheKey { get; init; }

    /// <summary>When a cached result expires.</summary>
    public DateTimeOffset? CacheExpiration { get; init; }

    /// <summary>Whether the run was deferred.</summary>
    public bool? Deferred { get; init; }

    /// <summary>Whether the result cannot be tracked.</summary>
    public bool UntrackableResult { get; init; }

    /// <summary>When a pause times out.</summary>
    public DateTimeOffset? PauseTimeout { get; init; }

    /// <summary>Whether a paused run is rescheduled when resumed.</summary>
    public bool PauseReschedule { get; init; }

    /// <summary>The key of the pause.</summary>
    public string? PauseKey { get; init; }

    /// <summary>Keys of the input a paused run waits for.</summary>
    public Dictionary<string, string>? RunInputKeyset { get; init; }

    /// <summary>Whether to refresh a task's cache.</summary>
    public bool? RefreshCache { get; init; }

    /// <summary>Whether a failure may be retried.</summary>
    public bool? Retriable { get; init; }

    /// <summary>
    /// The id of the transition that proposed this state: proposing the same transition twice changes
    /// nothing the second time.
    /// </summary>
    public Guid? TransitionId { get; init; }

    /// <summary>The id of a task's stored parameters.</summary>
    public Guid? TaskParametersId { get; init; }

    /// <summary>A W3C trace parent, for tracing.</summary>
    public string? Traceparent { get; init; }
}
