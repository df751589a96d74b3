using Reeve.Core.States;

namespace Reeve.Core.Orchestration.Rules;

/// <summary>A proposal that carries the transition id of the current state was already made: nothing changes (so clients may retry set_state safely).</summary>
public sealed class PreventDuplicateTransitions : IOrchestrationRule
{
    /// <inheritdoc />
    public IReadOnlySet<StateType?> From => StateSets.AnyFrom;

    /// <inheritdoc />
    public IReadOnlySet<StateType> To => StateSets.Any;

    /// <inheritdoc />
    public void Apply(Transition transition)
    {
        var proposedId = transition.Proposed?.StateDetails.TransitionId;
        if (proposedId is not null && proposedId == transition.Initial?.StateDetails.TransitionId)
        {
            transition.Reject(null, "This run has already made this state transition.");
        }
    }
}
