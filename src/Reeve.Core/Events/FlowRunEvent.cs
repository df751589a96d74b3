using Reeve.Core.States;

namespace Reeve.Core.Events;

/// <summary>
/// A flow run was created or changed state: what the server pushes to serving processes, workers and
/// engines on <c>GET /api/events/flow_runs</c> (a Reeve addition; Prefect clients poll instead).
/// </summary>
public sealed record FlowRunEvent
{
    /// <summary>The run.</summary>
    public required Guid FlowRunId { get; init; }

    /// <summary>Its deployment, if any.</summary>
    public Guid? DeploymentId { get; init; }

    /// <summary>Its pool, if any.</summary>
    public Guid? WorkPoolId { get; init; }

    /// <summary>Its queue, if any.</summary>
    public Guid? WorkQueueId { get; init; }

    /// <summary>Its new state's type.</summary>
    public required StateType StateType { get; init; }

    /// <summary>Its new state's name.</summary>
    public required string StateName { get; init; }

    /// <summary>When it is due, while SCHEDULED.</summary>
    public DateTimeOffset? NextScheduledStartTime { get; init; }

    /// <summary>When the change was committed.</summary>
    public required DateTimeOffset Occurred { get; init; }
}
