using Reeve.Core.States;

namespace Reeve.Core.Orchestration.Rules;

/// <summary>A claimed run keeps the time it was scheduled for, so that it still waits for it.</summary>
public sealed class CopyScheduledTime : IOrchestrationRule
{
    /// <inheritdoc />
    public IReadOnlySet<StateType?> From { get; } = StateSets.From(StateType.Scheduled);

    /// <inheritdoc />
    public IReadOnlySet<StateType> To { get; } = StateSets.To(StateType.Pending);

    /// <inheritdoc />
    public void Apply(Transition transition)
    {
        var proposed = transition.Proposed!;
        if (proposed.StateDetails.ScheduledTime is null)
        {
            transition.Change(proposed with { StateDetails = proposed.StateDetails with { ScheduledTime = transition.Initial!.StateDetails.ScheduledTime } });
        }
    }
}
