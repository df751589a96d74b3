namespace Reeve.Core.WorkPools;

/// <summary>
/// Decides a pool's status from its facts at the moment it is read, so the answer is never stale
/// (Prefect stores the status and relies on a loop to correct it).
/// </summary>
public static class WorkPoolStatusRule
{
    /// <summary>PAUSED when paused, READY when a worker is online, NOT_READY otherwise.</summary>
    public static WorkPoolStatus Decide(bool isPaused, bool hasOnlineWorker) =>
        isPaused ? WorkPoolStatus.Paused
        : hasOnlineWorker ? WorkPoolStatus.Ready
        : WorkPoolStatus.NotReady;
}
