namespace Reeve.Core.Workers;

/// <summary>
/// When a worker counts as online: until three heartbeat intervals have passed since its last heartbeat
/// (Prefect's <c>INACTIVITY_HEARTBEAT_MULTIPLE</c>), with 30 seconds assumed when it did not say.
/// </summary>
public static class WorkerLiveness
{
    /// <summary>The interval assumed for a worker that does not send one.</summary>
    public const int DefaultHeartbeatIntervalSeconds = 30;

    /// <summary>How many intervals may pass without a heartbeat.</summary>
    public const int InactivityMultiple = 3;

    /// <summary>The moment a worker that beat at <paramref name="lastHeartbeat"/> goes OFFLINE.</summary>
    public static DateTimeOffset OnlineUntil(DateTimeOffset lastHeartbeat, int? heartbeatIntervalSeconds) =>
        lastHeartbeat.AddSeconds((double)(heartbeatIntervalSeconds ?? DefaultHeartbeatIntervalSeconds) * InactivityMultiple);

    /// <summary>The worker's status at <paramref name="now"/>.</summary>
    public static WorkerStatus StatusAt(DateTimeOffset onlineUntil, DateTimeOffset now) =>
        now < onlineUntil ? WorkerStatus.Online : WorkerStatus.Offline;
}
