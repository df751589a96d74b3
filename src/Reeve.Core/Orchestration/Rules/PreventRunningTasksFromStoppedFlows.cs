using Reeve.Core.States;

namespace Reeve.Core.Orchestration.Rules;

/// <summary>A task may start only while its flow run is RUNNING; while the flow is paused, the task waits paused.</summary>
public sealed class PreventRunningTasksFromStoppedFlows : IOrchestrationRule
{
    /// <inheritdoc />
    public IReadOnlySet<StateType?> From => StateSets.AnyFrom;

    /// <inheritdoc />
    public IReadOnlySet<StateType> To { get; } = StateSets.To(StateType.Running);

    /// <inheritdoc />
    public void Apply(Transition transition)
    {
        switch (transition.Run.FlowRunStateType)
        {
            case null:
                return;
            case StateType.Running:
                return;
            case StateType.Paused:
                transition.Reject(StateFactory.Of(StateType.Paused, transition.Now, name: "NotReady"),
                    "The flow is paused, new tasks can execute after resuming the flow run.");
                return;
            default:
                transition.Abort("The enclosing flow must be running to begin task execution.");
                return;
        }
    }
}
