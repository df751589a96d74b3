using Reeve.Core.States;

namespace Reeve.Core.Orchestration.Rules;

/// <summary>
/// A task run with tags that have concurrency limits (Prefect's v1 limits) starts only when each of them has a free
/// slot; otherwise it is asked to wait <see cref="WaitSeconds"/> and propose again. A limit of 0 would make it wait
/// for ever, so the start is aborted instead, as Prefect's <c>SecureTaskConcurrencySlots</c> does.
/// </summary>
public sealed class SecureTaskConcurrencySlots : IOrchestrationRule
{
    /// <summary>How long a task is asked to wait for a slot (Prefect's <c>PREFECT_TASK_RUN_TAG_CONCURRENCY_SLOT_WAIT_SECONDS</c> default).</summary>
    public const int WaitSeconds = 30;

    /// <inheritdoc />
    public IReadOnlySet<StateType?> From => StateSets.AnyFrom;

    /// <inheritdoc />
    public IReadOnlySet<StateType> To { get; } = StateSets.To(StateType.Running);

    /// <inheritdoc />
    public void Apply(Transition transition)
    {
        foreach (var tag in transition.Concurrency?.Tags ?? [])
        {
            if (tag.Limit == 0)
            {
                transition.Abort($"The concurrency limit on tag \"{tag.What}\" is 0 and will deadlock if the task tries to run again.");
                return;
            }

            if (!tag.HasRoom)
            {
                transition.Wait(WaitSeconds, $"Concurrency limit for the {tag.What} tag has been reached");
                return;
            }
        }
    }
}
