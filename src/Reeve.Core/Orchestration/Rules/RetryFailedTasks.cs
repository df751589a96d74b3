using System.Text.Json.Nodes;
using Reeve.Core.States;

namespace Reeve.Core.Orchestration.Rules;

/// <summary>
/// A RUNNING task that fails with retries left (and whose failure is retriable) becomes AwaitingRetry at
/// now plus its delay: one number, or a list whose n-th value is the n-th delay (the last one repeats).
/// </summary>
public sealed class RetryFailedTasks : IOrchestrationRule
{
    /// <inheritdoc />
    public IReadOnlySet<StateType?> From { get; } = StateSets.From(StateType.Running);

    /// <inheritdoc />
    public IReadOnlySet<StateType> To { get; } = StateSets.To(StateType.Failed);

    /// <inheritdoc />
    public void Apply(Transition transition)
    {
        var proposed = transition.Proposed!;
        var policy = transition.Run.TaskPolicy;
        if (policy?.Retries is not { } retries || transition.Run.RunCount > retries || proposed.StateDetails.Retriable == false)
        {
            return;
        }

        var delay = Delay(policy.RetryDelay, transition.Run.RunCount);
        var retry = StateFactory.Scheduled("AwaitingRetry", transition.Now.AddSeconds(delay), transition.Now, proposed.Message)
            with { Data = proposed.Data };
        transition.Reject(retry, "Retrying");
    }

    /// <summary>The delay before retry number <paramref name="runCount"/>.</summary>
    public static double Delay(JsonNode? retryDelay, int runCount) => retryDelay switch
    {
        JsonArray { Count: > 0 } list => list[Math.Clamp(runCount - 1, 0, list.Count - 1)]?.GetValue<double>() ?? 0,
        JsonValue value when value.TryGetValue<double>(out var seconds) => seconds,
        _ => 0,
    };
}
