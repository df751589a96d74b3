using Reeve.Core.States;

namespace Reeve.Core.Orchestration.Rules;

/// <summary>
/// The claim rule: a run already PENDING, RUNNING, CANCELLING or CANCELLED cannot be moved to PENDING again,
/// so of several workers racing for a run exactly one gets it (the others get ABORT). A PENDING run may be
/// renamed to a more precise PENDING sub-state.
/// </summary>
public sealed class PreventPendingTransitions : IOrchestrationRule
{
    /// <inheritdoc />
    public IReadOnlySet<StateType?> From { get; } = StateSets.From(StateType.Pending, StateType.Cancelling, StateType.Running, StateType.Cancelled);

    /// <inheritdoc />
    public IReadOnlySet<StateType> To { get; } = StateSets.To(StateType.Pending);

    /// <inheritdoc />
    public void Apply(Transition transition)
    {
        var initial = transition.Initial!;
        var proposed = transition.Proposed!;
        if (initial.Type == StateType.Pending && proposed.Name != initial.Name && proposed.Name != StateType.Pending.DefaultName())
        {
            transition.Change(proposed with
            {
                StateDetails = proposed.StateDetails with { ScheduledTime = proposed.StateDetails.ScheduledTime ?? initial.StateDetails.ScheduledTime },
            });
            return;
        }

        transition.Abort($"This run is in a {initial.Type.WireName()} state and cannot transition to a PENDING state.");
    }
}
