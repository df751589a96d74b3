using Reeve.Core.States;

namespace Reeve.Engine;

/// <summary>How a flow run ended, for whoever ran it (a direct call, a serving process, a worker's process).</summary>
/// <param name="State">The run's state at the end: COMPLETED, FAILED, CANCELLED, CRASHED, or whatever the server kept.</param>
/// <param name="Result">What the flow returned, when it completed.</param>
/// <param name="Exception">What it threw, when it failed.</param>
internal sealed record FlowRunOutcome(StateType? State, object? Result, Exception? Exception);
