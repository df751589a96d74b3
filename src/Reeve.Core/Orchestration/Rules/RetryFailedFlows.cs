using Reeve.Core.States;

namespace Reeve.Core.Orchestration.Rules;

/// <summary>
/// A RUNNING flow that fails with retries left is rescheduled as AwaitingRetry at now plus its retry delay,
/// to be retried by the same engine process (<c>retry_type = in_process</c>, so no worker picks it up).
/// </summary>
public sealed class RetryFailedFlows : IOrchestrationRule
{
    /// <inheritdoc />
    public IReadOnlySet<StateType?> From { get; } = StateSets.From(StateType.Running);

    /// <inheritdoc />
    public IReadOnlySet<StateType> To { get; } = StateSets.To(StateType.Failed);

    /// <inheritdoc />
    public void Apply(Transition transition)
    {
        var policy = transition.Run.FlowPolicy ?? new FlowRuns.FlowRunPolicy();
        if (policy.Retries is not { } retries || transition.Run.RunCount > retries)
        {
            transition.Run = transition.Run with { FlowPolicy = policy with { RetryType = null } };
            return;
        }

        var proposed = transition.Proposed!;
        var retry = StateFactory.Scheduled("AwaitingRetry", transition.Now.AddSeconds(policy.RetryDelay ?? 0), transition.Now, proposed.Message)
            with { Data = proposed.Data };
        transition.Run = transition.Run with { FlowPolicy = policy with { Resuming = false, PauseKeys = [], RetryType = "in_process" } };
        transition.Reject(retry, "Retrying");
    }
}
