using Reeve.Core.States;

namespace Reeve.Core.FlowRuns;

/// <summary>The body of <c>POST /api/flow_runs/{id}/set_state</c> and <c>/api/task_runs/{id}/set_state</c>.</summary>
public sealed record SetStateRequest
{
    /// <summary>The proposed state.</summary>
    public required StateCreate State { get; init; }

    /// <summary>Skip the orchestration rules (bookkeeping still applies, and cancelling a run with no infrastructure still cancels it).</summary>
    public bool Force { get; init; }

    /// <summary>
    /// A Reeve addition, for flow runs: the engine proposing RUNNING sends heartbeats every this many seconds. When the
    /// run enters RUNNING the server counts the change as its first heartbeat (the run is lost if no beat follows within
    /// <see cref="FlowRunHeartbeat.MissedBeforeLost"/> intervals), so the engine's first beat comes one interval later
    /// and a run costs one write less. Ignored for other states and for task runs.
    /// </summary>
    public int? HeartbeatIntervalSeconds { get; init; }
}
