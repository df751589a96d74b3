using Reeve.Core.States;

namespace Reeve.Core.Orchestration.Rules;

/// <summary>Only a RUNNING flow can pause, and each pause (by its key) happens once.</summary>
public sealed class HandlePausingFlows : IOrchestrationRule
{
    /// <inheritdoc />
    public IReadOnlySet<StateType?> From => StateSets.AnyFrom;

    /// <inheritdoc />
    public IReadOnlySet<StateType> To { get; } = StateSets.To(StateType.Paused);

    /// <inheritdoc />
    public void Apply(Transition transition)
    {
        var proposed = transition.Proposed!;
        var verb = proposed.Name == "Suspended" ? "suspend" : "pause";
        if (transition.Initial is null)
        {
            transition.Abort($"Cannot {verb} flows with no state.");
            return;
        }

        if (transition.Initial.Type != StateType.Running)
        {
            transition.Reject(null, $"Cannot {verb} flows that are not currently running.");
            return;
        }

        var key = proposed.StateDetails.PauseKey ?? Guid.NewGuid().ToString();
        var policy = transition.Run.FlowPolicy ?? new FlowRuns.FlowRunPolicy();
        if (policy.PauseKeys.Contains(key))
        {
            transition.Reject(null, $"This {verb} has already fired.");
            return;
        }

        if (proposed.StateDetails.PauseReschedule && transition.Run.DeploymentId is null)
        {
            transition.Abort($"Cannot {verb} flows without a deployment.");
            return;
        }

        transition.Change(proposed with { StateDetails = proposed.StateDetails with { PauseKey = key } });
        transition.Run = transition.Run with { FlowPolicy = policy with { PauseKeys = [.. policy.PauseKeys, key] } };
    }
}
