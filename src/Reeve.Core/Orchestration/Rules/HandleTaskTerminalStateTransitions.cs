using Reeve.Core.States;

namespace Reeve.Core.Orchestration.Rules;

/// <summary>
/// What may leave a terminal task state: not CANCELLING, PAUSED or CRASHED, nothing out of a COMPLETED run
/// with a persisted result; a task that leaves a terminal state (its flow is retried) starts its run count afresh.
/// </summary>
public sealed class HandleTaskTerminalStateTransitions : IOrchestrationRule
{
    /// <inheritdoc />
    public IReadOnlySet<StateType?> From => StateSets.TerminalFrom;

    /// <inheritdoc />
    public IReadOnlySet<StateType> To => StateSets.Any;

    /// <inheritdoc />
    public void Apply(Transition transition)
    {
        var proposed = transition.Proposed!;
        if (proposed.Type is StateType.Cancelling or StateType.Paused or StateType.Crashed)
        {
            transition.Abort($"Run is already {transition.Initial!.Type.WireName()}.");
            return;
        }

        if (transition.Initial!.Type == StateType.Completed && HandleFlowTerminalStateTransitions.HasPersistedResult(transition.Initial))
        {
            transition.Reject(null, "This run is already completed.");
            return;
        }

        if (!proposed.Type.IsTerminal())
        {
            transition.Run = transition.Run with { RunCount = 0 };
            if (proposed.Type == StateType.Running && transition.Run.FlowRunRunCount > 0)
            {
                transition.Change(proposed with { Name = "Retrying" });
            }
        }
    }
}
