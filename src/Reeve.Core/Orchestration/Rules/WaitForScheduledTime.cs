using Reeve.Core.States;

namespace Reeve.Core.Orchestration.Rules;

/// <summary>A run may not start before its scheduled time: the client is told how many seconds to wait.</summary>
public sealed class WaitForScheduledTime : IOrchestrationRule
{
    /// <inheritdoc />
    public IReadOnlySet<StateType?> From { get; } = StateSets.From(StateType.Scheduled, StateType.Pending);

    /// <inheritdoc />
    public IReadOnlySet<StateType> To { get; } = StateSets.To(StateType.Running);

    /// <inheritdoc />
    public void Apply(Transition transition)
    {
        if (transition.Initial!.StateDetails.ScheduledTime is not { } scheduled)
        {
            return;
        }

        var seconds = (int)Math.Round((scheduled - transition.Now).TotalSeconds, MidpointRounding.AwayFromZero);
        if (seconds > 0)
        {
            transition.Wait(seconds, "Scheduled time is in the future");
        }
    }
}
