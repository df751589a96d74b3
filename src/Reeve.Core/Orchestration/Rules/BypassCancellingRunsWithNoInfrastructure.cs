using Reeve.Core.States;

namespace Reeve.Core.Orchestration.Rules;

/// <summary>
/// Cancelling a SCHEDULED run that no worker has started infrastructure for (no infrastructure id), or a
/// suspended one, has nothing to tear down: it becomes CANCELLED at once.
/// </summary>
public sealed class BypassCancellingRunsWithNoInfrastructure : IOrchestrationRule
{
    /// <inheritdoc />
    public IReadOnlySet<StateType?> From { get; } = StateSets.From(StateType.Scheduled, StateType.Paused);

    /// <inheritdoc />
    public IReadOnlySet<StateType> To { get; } = StateSets.To(StateType.Cancelling);

    /// <inheritdoc />
    public void Apply(Transition transition)
    {
        var initial = transition.Initial!;
        if ((initial.Type == StateType.Scheduled && string.IsNullOrEmpty(transition.Run.InfrastructurePid)) || initial.Name == "Resuming")
        {
            transition.Reject(StateFactory.Of(StateType.Cancelled, transition.Now, transition.Proposed?.Message),
                "Scheduled flow run has no infrastructure to terminate.");
        }
        else if (initial.Type == StateType.Paused && initial.StateDetails.PauseReschedule)
        {
            transition.Reject(StateFactory.Of(StateType.Cancelled, transition.Now, transition.Proposed?.Message),
                "Suspended flow run has no infrastructure to terminate.");
        }
    }
}
