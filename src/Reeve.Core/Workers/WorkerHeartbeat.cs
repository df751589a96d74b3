namespace Reeve.Core.Workers;

/// <summary>The body of <c>POST /api/work_pools/{pool}/workers/heartbeat</c>.</summary>
public sealed record WorkerHeartbeat
{
    /// <summary>The worker's name.</summary>
    public required string Name { get; init; }

    /// <summary>The seconds until the next heartbeat; the worker is OFFLINE after three of them pass.</summary>
    public int? HeartbeatIntervalSeconds { get; init; }
}
