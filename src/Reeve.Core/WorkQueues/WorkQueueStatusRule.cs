namespace Reeve.Core.WorkQueues;

/// <summary>Decides a queue's status at the moment it is read.</summary>
public static class WorkQueueStatusRule
{
    /// <summary>A queue polled within this long is READY (Prefect's <c>WORK_QUEUE_LAST_POLLED_TIMEOUT</c>).</summary>
    public static TimeSpan LastPolledTimeout { get; } = TimeSpan.FromSeconds(60);

    /// <summary>PAUSED when paused, READY when polled within <see cref="LastPolledTimeout"/>, NOT_READY otherwise.</summary>
    public static WorkQueueStatus Decide(bool isPaused, DateTimeOffset? lastPolled, DateTimeOffset now) =>
        isPaused ? WorkQueueStatus.Paused
        : lastPolled is { } polled && now - polled <= LastPolledTimeout ? WorkQueueStatus.Ready
        : WorkQueueStatus.NotReady;
}
