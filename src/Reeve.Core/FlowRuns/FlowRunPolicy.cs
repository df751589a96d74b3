
namespace Reeve.Core.FlowRuns;

/// <summary>A flow run's retry and pause bookkeeping (Prefect's <c>empirical_policy</c>).</summary>
public sealed record FlowRunPolicy
{
    /// <summary>How many times a failed run is retried.</summary>
    public int? Retries { get; init; }

    /// <summary>Seconds between retries.</summary>
    public int? RetryDelay { get; init; }

    /// <summary>Keys of pauses already taken.</summary>
    public List<string> PauseKeys { get; init; } = [];

    /// <summary>Whether the run is resuming from a pause (then entering RUNNING does not count a new run).</summary>
    public bool Resuming { get; init; }

    /// <summary><c>in_process</c> while the engine retries the run itself; <c>reschedule</c> when rescheduled.</summary>
    public string? RetryType { get; init; }

    /// <summary>Deprecated alias of <see cref="Retries"/>, kept for Prefect clients.</summary>
    public int MaxRetries { get; init; }

    /// <summary>Deprecated alias of <see cref="RetryDelay"/>, kept for Prefect clients.</summary>
    public double RetryDelaySeconds { get; init; }
}
