namespace Reeve.Core.FlowRuns;

/// <summary>
/// The body of <c>POST /api/flow_runs/{id}/heartbeat</c> (a Reeve addition): the run's engine is alive. The
/// server marks an active run CRASHED when three intervals pass without a heartbeat for it.
/// </summary>
public sealed record FlowRunHeartbeat
{
    /// <summary>The default seconds between heartbeats.</summary>
    public const int DefaultIntervalSeconds = 30;

    /// <summary>How many intervals may pass without a heartbeat before the run counts as lost.</summary>
    public const int MissedBeforeLost = 3;

    /// <summary>The seconds until the next heartbeat.</summary>
    public int? IntervalSeconds { get; init; }
}
