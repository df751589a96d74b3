using Reeve.Core.States;

namespace Reeve.Core.Orchestration.Rules;

/// <summary>A CANCELLING run may only become CANCELLED: its infrastructure is being torn down.</summary>
public sealed class EnforceCancellingToCancelledTransition : IOrchestrationRule
{
    /// <inheritdoc />
    public IReadOnlySet<StateType?> From { get; } = StateSets.From(StateType.Cancelling);

    /// <inheritdoc />
    public IReadOnlySet<StateType> To { get; } = StateSets.Any.Where(t => t != StateType.Cancelled).ToHashSet();

    /// <inheritdoc />
    public void Apply(Transition transition) =>
        transition.Reject(null, "Cannot transition flows that are cancelling to a state other than Cancelled.");
}
