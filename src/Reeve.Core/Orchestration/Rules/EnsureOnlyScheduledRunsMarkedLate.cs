using Reeve.Core.States;

namespace Reeve.Core.Orchestration.Rules;

/// <summary>Only a SCHEDULED run can become Late.</summary>
public sealed class EnsureOnlyScheduledRunsMarkedLate : IOrchestrationRule
{
    /// <inheritdoc />
    public IReadOnlySet<StateType?> From => StateSets.AnyFrom;

    /// <inheritdoc />
    public IReadOnlySet<StateType> To { get; } = StateSets.To(StateType.Scheduled);

    /// <inheritdoc />
    public void Apply(Transition transition)
    {
        if (transition.Proposed!.Name == "Late" && transition.Initial?.Type != StateType.Scheduled)
        {
            transition.Reject(null, "Only scheduled flows can be marked late.");
        }
    }
}
