using Reeve.Core.States;

namespace Reeve.Core.Orchestration;

/// <summary>
/// A proposed change of state as the rules see it. Rules read the run and the proposal, and may accept it
/// (do nothing), change it, reject it (keeping the run's state, or writing another), ask the client to
/// wait, or abort it. The first rule that does anything but accept ends the evaluation.
/// </summary>
public sealed class Transition
{
    /// <summary>Creates a transition of <paramref name="run"/> to <paramref name="proposed"/>.</summary>
    public Transition(RunFacts run, State proposed, DateTimeOffset now, ConcurrencySnapshot? concurrency = null)
    {
        Run = run;
        Initial = run.State;
        Proposed = proposed;
        Now = now;
        Concurrency = concurrency;
    }

    /// <summary>The run's current state.</summary>
    public State? Initial { get; }

    /// <summary>The state that will be written; null when nothing will be.</summary>
    public State? Proposed { get; private set; }

    /// <summary>The run, with any change a rule made (retry bookkeeping, run count).</summary>
    public RunFacts Run { get; set; }

    /// <summary>The time of the decision.</summary>
    public DateTimeOffset Now { get; }

    /// <summary>The limits the run is under, when it asks for a slot.</summary>
    public ConcurrencySnapshot? Concurrency { get; }

    /// <summary>The answer so far.</summary>
    public OrchestrationStatus Status { get; private set; } = OrchestrationStatus.Accept;

    /// <summary>Why the answer is not a plain accept.</summary>
    public string? Reason { get; private set; }

    /// <summary>For WAIT: the seconds to wait.</summary>
    public int? DelaySeconds { get; private set; }

    /// <summary>Whether a rule has settled the answer.</summary>
    public bool IsSettled => Status != OrchestrationStatus.Accept;

    /// <summary>Keeps the run's current state (when <paramref name="replacement"/> is null) or writes another one instead.</summary>
    public void Reject(State? replacement, string reason)
    {
        Status = OrchestrationStatus.Reject;
        Proposed = replacement;
        Reason = reason;
    }

    /// <summary>Asks the client to propose again after <paramref name="seconds"/>.</summary>
    public void Wait(int seconds, string reason)
    {
        Status = OrchestrationStatus.Wait;
        Proposed = null;
        DelaySeconds = seconds;
        Reason = reason;
    }

    /// <summary>Refuses a transition that makes no sense, such as a second claim.</summary>
    public void Abort(string reason)
    {
        Status = OrchestrationStatus.Abort;
        Proposed = null;
        Reason = reason;
    }

    /// <summary>Changes the proposed state (its name, its details) without settling the answer.</summary>
    public void Change(State changed) => Proposed = changed;
}
