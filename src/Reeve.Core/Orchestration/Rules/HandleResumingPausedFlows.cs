using Reeve.Core.States;

namespace Reeve.Core.Orchestration.Rules;

/// <summary>A PAUSED flow resumes to RUNNING or SCHEDULED, or ends; a pause past its timeout fails the run.</summary>
public sealed class HandleResumingPausedFlows : IOrchestrationRule
{
    /// <inheritdoc />
    public IReadOnlySet<StateType?> From { get; } = StateSets.From(StateType.Paused);

    /// <inheritdoc />
    public IReadOnlySet<StateType> To => StateSets.Any;

    /// <inheritdoc />
    public void Apply(Transition transition)
    {
        var initial = transition.Initial!;
        var proposed = transition.Proposed!;
        if (proposed.Type is not (StateType.Running or StateType.Scheduled) && !proposed.Type.IsTerminal())
        {
            transition.Reject(null, $"This run cannot transition to the {proposed.Type.WireName()} state from the {initial.Type.WireName()} state.");
            return;
        }

        var name = initial.Name.ToLowerInvariant();
        if (initial.StateDetails.PauseReschedule && transition.Run.DeploymentId is null)
        {
            transition.Reject(null, $"Cannot reschedule a {name} flow run without a deployment.");
            return;
        }

        if (initial.StateDetails.PauseTimeout is { } timeout && timeout < transition.Now && !proposed.Type.IsTerminal())
        {
            transition.Reject(StateFactory.Of(StateType.Failed, transition.Now, $"The flow was {name} and never resumed."),
                $"The flow run {(name == "suspended" ? "suspension" : "pause")} has timed out and can no longer resume.");
            return;
        }

        if (transition.Run.FlowPolicy is { } policy)
        {
            transition.Run = transition.Run with { FlowPolicy = policy with { Resuming = true } };
        }
    }
}
