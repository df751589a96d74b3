namespace Reeve.Core.Workers;

/// <summary>The body of <c>POST /api/work_pools/{pool}/workers/heartbeat</c>.</summary>
public sealed record WorkerHeartbeat
{
    /// <summary>The worker's name.</summary>
    public required string Name { get; init; }

    /// <summary>The seconds until the next heartbeat; the worker is OFFLINE after three of them pass.</summary>
    public int? HeartbeatIntervalSeconds { get; init; }

    /// <summary>
    /// The runs this worker holds and has not seen end (a Reeve addition): each heartbeat keeps them alive on the
    /// server, which marks a run CRASHED when neither its worker nor its own engine heartbeats any more.
    /// </summary>
    public List<Guid>? FlowRunIds { get; init; }
}
