using Reeve.Core.Deployments;
using Reeve.Core.States;

namespace Reeve.Core.Orchestration.Rules;

/// <summary>
/// A run that asks for a slot (moves to PENDING or RUNNING from a state that holds none) gets one only if
/// its work pool, its queue and its deployment each have room, counted from run states in the same
/// transaction. Over the pool or queue limit, a claim (PENDING) is rejected and the run stays where it is,
/// for a later claim; a start (RUNNING) is asked to wait. Over the deployment limit, the run is rescheduled
/// as AwaitingConcurrencySlot (ENQUEUE) or cancelled (CANCEL_NEW). A run of a paused pool or queue cannot be claimed.
/// </summary>
public sealed class SecureConcurrencySlots : IOrchestrationRule
{
    /// <summary>How long a run waits for a deployment slot before it is due again.</summary>
    public static TimeSpan DeploymentSlotWait { get; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a client is asked to wait before starting again when a pool or queue is full.</summary>
    public const int FullWaitSeconds = 5;

    /// <inheritdoc />
    public IReadOnlySet<StateType?> From { get; } = StateSets.AnyFrom.Where(t => t is null || !t.Value.IsActive()).ToHashSet();

    /// <inheritdoc />
    public IReadOnlySet<StateType> To { get; } = StateSets.To(StateType.Pending, StateType.Running);

    /// <summary>Whether a transition from <paramref name="from"/> to <paramref name="to"/> asks for a slot (the server then counts them).</summary>
    public static bool NeedsSlot(StateType? from, StateType to) =>
        to is StateType.Pending or StateType.Running && (from is null || !from.Value.IsActive());

    /// <inheritdoc />
    public void Apply(Transition transition)
    {
        if (transition.Concurrency is not { } limits)
        {
            return;
        }

        if (limits.PausedBy is { } paused && transition.Proposed!.Type == StateType.Pending)
        {
            transition.Reject(null, $"The {paused} is paused.");
            return;
        }

        foreach (var full in new[] { limits.Pool, limits.Queue })
        {
            if (full is { HasRoom: false })
            {
                var reason = $"The {full.What} is at its concurrency limit ({full.Active} of {full.Limit} slots taken).";
                if (transition.Proposed!.Type == StateType.Pending)
                {
                    transition.Reject(null, reason);
                }
                else
                {
                    transition.Wait(FullWaitSeconds, reason);
                }

                return;
            }
        }

        if (limits.Deployment is { } deployment)
        {
            if (deployment.Limit == 0)
            {
                transition.Abort("The deployment concurrency limit is 0. The flow will deadlock if submitted again.");
                return;
            }

            if (!deployment.HasRoom)
            {
                const string reason = "Deployment concurrency limit reached.";
                transition.Reject(
                    limits.CollisionStrategy == CollisionStrategy.CancelNew
                        ? StateFactory.Of(StateType.Cancelled, transition.Now, reason)
                        : StateFactory.Scheduled("AwaitingConcurrencySlot", transition.Now + DeploymentSlotWait, transition.Now),
                    reason);
            }
        }
    }
}
