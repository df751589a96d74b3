namespace Reeve.Server.Storage.Entities;

/// <summary>A row of <c>worker</c>: the last heartbeat of a named worker in a pool.</summary>
internal sealed class WorkerRecord
{
    public Guid Id { get; set; }
    public DateTime Created { get; set; }
    public DateTime Updated { get; set; }
    public Guid WorkPoolId { get; set; }
    public required string Name { get; set; }
    public DateTime LastHeartbeatTime { get; set; }
    public int? HeartbeatIntervalSeconds { get; set; }

    /// <summary>
    /// When the worker counts as OFFLINE: the last heartbeat plus three intervals, stored so that
    /// "is any worker online" is one indexed comparison.
    /// </summary>
    public DateTime OnlineUntil { get; set; }
}
