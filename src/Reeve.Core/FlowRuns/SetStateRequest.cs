using Reeve.Core.States;

namespace Reeve.Core.FlowRuns;

/// <summary>The body of <c>POST /api/flow_runs/{id}/set_state</c> and <c>/api/task_runs/{id}/set_state</c>.</summary>
public sealed record SetStateRequest
{
    /// <summary>The proposed state.</summary>
    public required StateCreate State { get; init; }

    /// <summary>Skip the orchestration rules (bookkeeping still applies, and cancelling a run with no infrastructure still cancels it).</summary>
    public bool Force { get; init; }
}
