using Reeve.Core.States;

namespace Reeve.Core.Orchestration.Rules;

/// <summary>A task that runs again is named Retrying (after AwaitingRetry) or Rerunning.</summary>
public sealed class RenameReruns : IOrchestrationRule
{
    /// <inheritdoc />
    public IReadOnlySet<StateType?> From => StateSets.AnyFrom;

    /// <inheritdoc />
    public IReadOnlySet<StateType> To { get; } = StateSets.To(StateType.Running);

    /// <inheritdoc />
    public void Apply(Transition transition)
    {
        if (transition.Run.RunCount > 0 && transition.Proposed!.Name == StateType.Running.DefaultName())
        {
            transition.Change(transition.Proposed with { Name = transition.Initial?.Name == "AwaitingRetry" ? "Retrying" : "Rerunning" });
        }
    }
}
