using Reeve.Core.States;

namespace Reeve.Core.Orchestration.Rules;

/// <summary>
/// The claim rule: only a SCHEDULED run (or a new one) can be moved to PENDING, so of several workers racing
/// for a run exactly one gets it (the others get ABORT), and a worker holding a stale list cannot claim a run
/// that has already run (Prefect lets a COMPLETED or FAILED run be claimed again). A PENDING run may be
/// renamed to a more precise PENDING sub-state.
/// </summary>
public sealed class PreventPendingTransitions : IOrchestrationRule
{
    /// <inheritdoc />
    public IReadOnlySet<StateType?> From { get; } = StateSets.AnyFrom.Where(t => t is not (null or StateType.Scheduled)).ToHashSet();

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
