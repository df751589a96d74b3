using Reeve.Core.States;

namespace Reeve.Core.Orchestration.Rules;

/// <summary>
/// What may leave a terminal state: not CANCELLING, PAUSED or CRASHED; not a COMPLETED run with a persisted
/// result; and a run may be rescheduled only if it has a deployment to run it again. A run that leaves a
/// terminal state starts its retry bookkeeping afresh.
/// </summary>
public sealed class HandleFlowTerminalStateTransitions : IOrchestrationRule
{
    /// <inheritdoc />
    public IReadOnlySet<StateType?> From => StateSets.TerminalFrom;

    /// <inheritdoc />
    public IReadOnlySet<StateType> To => StateSets.Any;

    /// <inheritdoc />
    public void Apply(Transition transition)
    {
        var initial = transition.Initial!;
        var proposed = transition.Proposed!;
        if (proposed.Type is StateType.Cancelling or StateType.Paused or StateType.Crashed)
        {
            transition.Abort($"Run is already in terminal state {initial.Type.WireName()}.");
            return;
        }

        if (initial.Type == StateType.Completed && !proposed.Type.IsTerminal() && HasPersistedResult(initial))
        {
            transition.Reject(null, "Run is already COMPLETED.");
            return;
        }

        if (proposed.Type == StateType.Scheduled && transition.Run.DeploymentId is null)
        {
            transition.Abort("Cannot reschedule a run without an associated deployment.");
            return;
        }

        if (!proposed.Type.IsTerminal() && transition.Run.FlowPolicy is { } policy)
        {
            transition.Run = transition.Run with
            {
                FlowPolicy = policy with
                {
                    Resuming = false,
                    PauseKeys = [],
                    RetryType = proposed.Type == StateType.Scheduled ? "reschedule" : null,
                },
            };
        }
    }

    internal static bool HasPersistedResult(State state) =>
        state.Data is System.Text.Json.Nodes.JsonObject data
        && data["type"]?.GetValue<string>() is { } type
        && type != "unpersisted";
}
