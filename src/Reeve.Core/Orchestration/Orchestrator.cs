using Reeve.Core.Orchestration.Rules;
using Reeve.Core.States;

namespace Reeve.Core.Orchestration;

/// <summary>The outcome of a proposal: the answer, the state to write (if any) and the run after bookkeeping.</summary>
/// <param name="Status">ACCEPT, REJECT, WAIT or ABORT.</param>
/// <param name="Reason">Why, when not a plain accept.</param>
/// <param name="DelaySeconds">For WAIT.</param>
/// <param name="Written">The state written; null when the run keeps its state.</param>
/// <param name="Run">The run after the decision (its current state is <paramref name="Written"/> when one was written).</param>
public sealed record OrchestrationOutcome(OrchestrationStatus Status, string? Reason, int? DelaySeconds, State? Written, RunFacts Run)
{
    /// <summary>The wire answer: the run's state after the decision, the status and its details.</summary>
    public OrchestrationResult ToResult() => new()
    {
        State = Run.State,
        Status = Status,
        Details = OrchestrationDetails.For(Status, Reason, DelaySeconds),
    };
}

/// <summary>
/// Decides proposed states. The rules run in order; the first one that rejects, delays or aborts settles the
/// answer. Whenever a state is written (accepted, or put in place by a rejecting rule), bookkeeping follows.
/// </summary>
public sealed class Orchestrator(IReadOnlyList<IOrchestrationRule> rules, IReadOnlyList<IOrchestrationRule> forcedRules)
{
    /// <summary>The flow run policy, in Prefect's order, with Reeve's concurrency rule.</summary>
    public static Orchestrator FlowRuns { get; } = new(
    [
        new PreventDuplicateTransitions(),
        new PreventPendingTransitions(),
        new HandleFlowTerminalStateTransitions(),
        new EnforceCancellingToCancelledTransition(),
        new BypassCancellingRunsWithNoInfrastructure(),
        new SecureConcurrencySlots(),
        new EnsureOnlyScheduledRunsMarkedLate(),
        new HandlePausingFlows(),
        new HandleResumingPausedFlows(),
        new CopyScheduledTime(),
        new WaitForScheduledTime(),
        new RetryFailedFlows(),
    ],
    [new BypassCancellingRunsWithNoInfrastructure()]);

    /// <summary>The task run policy.</summary>
    public static Orchestrator TaskRuns { get; } = new(
    [
        new PreventDuplicateTransitions(),
        new HandleTaskTerminalStateTransitions(),
        new PreventRunningTasksFromStoppedFlows(),
        new SecureTaskConcurrencySlots(),
        new CopyScheduledTime(),
        new WaitForScheduledTime(),
        new RetryFailedTasks(),
        new RenameReruns(),
    ],
    []);

    /// <summary>The rules, in order.</summary>
    public IReadOnlyList<IOrchestrationRule> Rules { get; } = rules;

    /// <summary>
    /// Decides <paramref name="proposed"/> for <paramref name="run"/> at <paramref name="now"/>. With
    /// <paramref name="force"/>, only the forced rules apply (cancelling a run with nothing to tear down
    /// still cancels it at once).
    /// </summary>
    public OrchestrationOutcome Decide(RunFacts run, State proposed, DateTimeOffset now, ConcurrencySnapshot? concurrency = null, bool force = false)
    {
        // States of one run never go back in time, even when replicas' clocks differ a little.
        if (run.State is { } current && proposed.Timestamp <= current.Timestamp)
        {
            proposed = proposed with { Timestamp = current.Timestamp.AddTicks(TimeSpan.TicksPerMicrosecond) };
        }

        var transition = new Transition(run, proposed, now, concurrency);
        foreach (var rule in force ? forcedRules : Rules)
        {
            if (transition.IsSettled || transition.Proposed is null)
            {
                break;
            }

            if (rule.From.Contains(transition.Initial?.Type) && rule.To.Contains(transition.Proposed.Type))
            {
                rule.Apply(transition);
            }
        }

        if (transition.Proposed is not { } written)
        {
            return new OrchestrationOutcome(transition.Status, transition.Reason, transition.DelaySeconds, null, transition.Run);
        }

        if (transition.Run.State is { } before && written.Timestamp <= before.Timestamp)
        {
            written = written with { Timestamp = before.Timestamp.AddTicks(TimeSpan.TicksPerMicrosecond) };
        }

        var after = RunBookkeeping.Apply(transition.Run, transition.Initial, written);
        return new OrchestrationOutcome(transition.Status, transition.Reason, transition.DelaySeconds, written, after);
    }
}
