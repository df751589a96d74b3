using Reeve.Workers.Infrastructure;

namespace Reeve.Workers;

/// <summary>How a <see cref="Worker"/> runs: its pool, queues, limit and timings.</summary>
public sealed record WorkerOptions
{
    /// <summary>The work pool to take flow runs from; created with the type's default template when missing.</summary>
    public required string PoolName { get; init; }

    /// <summary>The worker type; inferred from the pool when null (and <c>process</c> for a pool that does not exist yet).</summary>
    public string? Type { get; init; }

    /// <summary>The worker's name, unique in its pool; "&lt;Type&gt;Worker &lt;id&gt;" when null.</summary>
    public string? Name { get; init; }

    /// <summary>Only these queues of the pool; all of them when empty.</summary>
    public IReadOnlyList<string> WorkQueues { get; init; } = [];

    /// <summary>The most flow runs this worker runs at once; a slot is held from the claim to the end of the run's infrastructure.</summary>
    public int? Limit { get; init; }

    /// <summary>Take the runs due now, run them to their end, and stop.</summary>
    public bool RunOnce { get; init; }

    /// <summary>How far ahead of their scheduled time runs are claimed and their infrastructure started.</summary>
    public TimeSpan Prefetch { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The time between heartbeats (the server counts the worker and the runs it holds as lost after three).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The time between reads of due runs when no event arrives (runs are normally pushed at once).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The infrastructure for a worker type; null when this worker cannot run that type.</summary>
    public required Func<string, IInfrastructure?> Infrastructure { get; init; }

    /// <summary>The clock.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Where the worker writes what it does.</summary>
    public TextWriter Output { get; init; } = Console.Out;

    /// <summary>
    /// A pause between a run's claim and the start of its infrastructure. Zero but in tests, which use it
    /// (through <c>REEVE_WORKER_START_DELAY_SECONDS</c>) to kill a worker at that moment.
    /// </summary>
    public TimeSpan StartDelay { get; init; }

    /// <summary>
    /// Whether this is one of the server's own workers (<see cref="ServerPools"/>), the only kind that takes runs of
    /// managed and push pools; any other worker is refused such a pool, saying that the server runs it.
    /// </summary>
    public bool OnServer { get; init; }

    /// <summary>
    /// A file where the worker keeps the ids of the runs it holds (locked while it runs), so that the next worker given
    /// the same file — the same server after a restart — takes them back: it follows again the runs whose job its
    /// infrastructure still has (and reports how they end), submits the runs it had claimed and never submitted, and
    /// ends CRASHED, saying why, the runs whose job is gone. Only infrastructures that can find a run's job again
    /// (<see cref="Infrastructure.IResumableInfrastructure"/>) take runs back. Null (the default) keeps no journal.
    /// </summary>
    public string? JournalPath { get; init; }
}
