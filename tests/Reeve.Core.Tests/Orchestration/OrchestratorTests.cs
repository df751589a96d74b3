using System.Text.Json.Nodes;
using Reeve.Core.Deployments;
using Reeve.Core.FlowRuns;
using Reeve.Core.Orchestration;
using Reeve.Core.States;
using Reeve.Core.TaskRuns;

namespace Reeve.Core.Tests.Orchestration;

public class OrchestratorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private static State In(StateType type, string? name = null, DateTimeOffset? scheduled = null, Guid? transition = null, JsonNode? data = null) => new()
    {
        Id = Guid.NewGuid(),
        Type = type,
        Name = name ?? type.DefaultName(),
        Timestamp = Now.AddMinutes(-1),
        StateDetails = new StateDetails { ScheduledTime = scheduled, TransitionId = transition },
        Data = data,
    };

    private static RunFacts Run(State? state, int runCount = 0, FlowRunPolicy? policy = null, string? pid = null, Guid? deployment = null) => new()
    {
        State = state,
        RunCount = runCount,
        FlowPolicy = policy ?? new FlowRunPolicy(),
        InfrastructurePid = pid,
        DeploymentId = deployment,
    };

    private static OrchestrationOutcome Flow(RunFacts run, StateType to, string? name = null, ConcurrencySnapshot? limits = null, bool force = false, Guid? transition = null) =>
        Orchestrator.FlowRuns.Decide(run, StateFactory.FromProposal(new StateCreate
        {
            Type = to,
            Name = name,
            StateDetails = transition is null ? null : new StateDetails { TransitionId = transition },
        }, Now), Now, limits, force);

    [Theory]
    [InlineData(StateType.Pending)]
    [InlineData(StateType.Running)]
    [InlineData(StateType.Cancelling)]
    [InlineData(StateType.Cancelled)]
    [InlineData(StateType.Completed)]
    [InlineData(StateType.Failed)]
    [InlineData(StateType.Crashed)]
    [InlineData(StateType.Paused)]
    public void Claim_OfARunThatIsNotScheduled_IsAborted(StateType current)
    {
        var outcome = Flow(Run(In(current)), StateType.Pending);

        Assert.Equal(OrchestrationStatus.Abort, outcome.Status);
        Assert.Null(outcome.Written);
        Assert.Contains("cannot transition to a PENDING state", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Claim_OfAScheduledRun_IsAcceptedAndKeepsItsScheduledTime()
    {
        var outcome = Flow(Run(In(StateType.Scheduled, scheduled: Now.AddSeconds(-5))), StateType.Pending);

        Assert.Equal(OrchestrationStatus.Accept, outcome.Status);
        Assert.Equal(Now.AddSeconds(-5), outcome.Written!.StateDetails.ScheduledTime);
    }

    [Fact]
    public void Claim_RenamingAPendingRun_IsAccepted()
    {
        var outcome = Flow(Run(In(StateType.Pending)), StateType.Pending, name: "InfrastructurePending");

        Assert.Equal(OrchestrationStatus.Accept, outcome.Status);
    }

    [Theory]
    [InlineData(5, 5, null, OrchestrationStatus.Reject)]
    [InlineData(5, 4, null, OrchestrationStatus.Accept)]
    [InlineData(null, null, 1, OrchestrationStatus.Reject)]
    public void Claim_UnderLimits(int? poolLimit, int? poolActive, int? queueLimit, OrchestrationStatus expected)
    {
        var limits = new ConcurrencySnapshot
        {
            Pool = poolLimit is { } p ? new SlotUsage("work pool 'p'", p, poolActive ?? 0) : null,
            Queue = queueLimit is { } q ? new SlotUsage("work queue 'q'", q, 1) : null,
        };

        var outcome = Flow(Run(In(StateType.Scheduled)), StateType.Pending, limits: limits);

        Assert.Equal(expected, outcome.Status);
        if (expected == OrchestrationStatus.Reject)
        {
            Assert.Null(outcome.Written);
            Assert.Equal(StateType.Scheduled, outcome.Run.State!.Type);
        }
    }

    [Fact]
    public void Start_OverThePoolLimit_IsToldToWait()
    {
        var limits = new ConcurrencySnapshot { Pool = new SlotUsage("work pool 'p'", 1, 1) };

        var outcome = Flow(Run(In(StateType.Scheduled, scheduled: Now)), StateType.Running, limits: limits);

        Assert.Equal(OrchestrationStatus.Wait, outcome.Status);
        Assert.True(outcome.DelaySeconds > 0);
    }

    [Fact]
    public void Claim_OverTheDeploymentLimit_EnqueuesOrCancels()
    {
        var deployment = new SlotUsage("deployment 'd'", 2, 2);

        var enqueued = Flow(Run(In(StateType.Scheduled)), StateType.Pending, limits: new ConcurrencySnapshot { Deployment = deployment });
        var cancelled = Flow(Run(In(StateType.Scheduled)), StateType.Pending,
            limits: new ConcurrencySnapshot { Deployment = deployment, CollisionStrategy = CollisionStrategy.CancelNew });

        Assert.Equal(("AwaitingConcurrencySlot", Now.AddSeconds(5)), (enqueued.Written!.Name, enqueued.Written.StateDetails.ScheduledTime!.Value));
        Assert.Equal(OrchestrationStatus.Reject, enqueued.Status);
        Assert.Equal(StateType.Cancelled, cancelled.Written!.Type);
    }

    [Fact]
    public void Claim_InAPausedPool_IsRejected()
    {
        var outcome = Flow(Run(In(StateType.Scheduled)), StateType.Pending, limits: new ConcurrencySnapshot { PausedBy = "work pool 'p'" });

        Assert.Equal(OrchestrationStatus.Reject, outcome.Status);
        Assert.Equal("The work pool 'p' is paused.", outcome.Reason);
    }

    [Fact]
    public void Start_BeforeTheScheduledTime_WaitsTheRoundedSeconds()
    {
        var outcome = Flow(Run(In(StateType.Pending, scheduled: Now.AddSeconds(9.6))), StateType.Running);

        Assert.Equal((OrchestrationStatus.Wait, 10), (outcome.Status, outcome.DelaySeconds));
    }

    [Fact]
    public void Failure_WithRetriesLeft_IsRescheduledInProcess()
    {
        var run = Run(In(StateType.Running), runCount: 1, policy: new FlowRunPolicy { Retries = 1, RetryDelay = 30 });

        var outcome = Flow(run, StateType.Failed);

        Assert.Equal(OrchestrationStatus.Reject, outcome.Status);
        Assert.Equal(("AwaitingRetry", Now.AddSeconds(30)), (outcome.Written!.Name, outcome.Written.StateDetails.ScheduledTime!.Value));
        Assert.Equal("in_process", outcome.Run.FlowPolicy!.RetryType);
        Assert.Equal(Now.AddSeconds(30), outcome.Run.NextScheduledStartTime);
    }

    [Fact]
    public void Failure_WithNoRetriesLeft_IsAccepted()
    {
        var outcome = Flow(Run(In(StateType.Running), runCount: 2, policy: new FlowRunPolicy { Retries = 1 }), StateType.Failed);

        Assert.Equal(OrchestrationStatus.Accept, outcome.Status);
        Assert.Null(outcome.Run.FlowPolicy!.RetryType);
    }

    [Fact]
    public void Cancel_ScheduledWithoutInfrastructure_IsCancelledAtOnce_WithInfrastructure_IsCancelling()
    {
        var bare = Flow(Run(In(StateType.Scheduled)), StateType.Cancelling);
        var started = Flow(Run(In(StateType.Scheduled), pid: "123"), StateType.Cancelling);
        var forced = Flow(Run(In(StateType.Scheduled)), StateType.Cancelling, force: true);

        Assert.Equal((OrchestrationStatus.Reject, StateType.Cancelled), (bare.Status, bare.Written!.Type));
        Assert.Equal((OrchestrationStatus.Accept, StateType.Cancelling), (started.Status, started.Written!.Type));
        Assert.Equal(StateType.Cancelled, forced.Written!.Type);
    }

    [Theory]
    [InlineData(StateType.Running)]
    [InlineData(StateType.Completed)]
    [InlineData(StateType.Failed)]
    public void Cancelling_OnlyBecomesCancelled(StateType to)
    {
        var outcome = Flow(Run(In(StateType.Cancelling)), to);

        Assert.Equal(OrchestrationStatus.Reject, outcome.Status);
        Assert.Equal(StateType.Cancelling, outcome.Run.State!.Type);
    }

    [Theory]
    [InlineData(StateType.Cancelling)]
    [InlineData(StateType.Paused)]
    [InlineData(StateType.Crashed)]
    public void Terminal_CannotBeCancelledPausedOrCrashed(StateType to) =>
        Assert.Equal(OrchestrationStatus.Abort, Flow(Run(In(StateType.Completed)), to).Status);

    [Fact]
    public void Completed_WithAPersistedResult_CannotRunAgain_ButReschedulingNeedsADeployment()
    {
        var persisted = In(StateType.Completed, data: JsonNode.Parse("""{"type": "reference"}"""));

        Assert.Equal(OrchestrationStatus.Reject, Flow(Run(persisted), StateType.Running).Status);
        Assert.Equal(OrchestrationStatus.Abort, Flow(Run(In(StateType.Failed)), StateType.Scheduled).Status);
        Assert.Equal(OrchestrationStatus.Accept, Flow(Run(In(StateType.Failed), deployment: Guid.NewGuid()), StateType.Scheduled).Status);
    }

    [Fact]
    public void SameTransitionId_IsRejectedKeepingTheCurrentState()
    {
        var transition = Guid.NewGuid();
        var outcome = Flow(Run(In(StateType.Running, transition: transition)), StateType.Running, transition: transition);

        Assert.Equal(OrchestrationStatus.Reject, outcome.Status);
        Assert.Null(outcome.Written);
    }

    [Fact]
    public void Late_OnlyForScheduledRuns() =>
        Assert.Equal(OrchestrationStatus.Reject, Flow(Run(In(StateType.Running)), StateType.Scheduled, name: "Late").Status);

    [Fact]
    public void Pause_OnlyWhileRunning_AndEachPauseKeyOnce()
    {
        var notRunning = Flow(Run(In(StateType.Pending)), StateType.Paused);
        var paused = Flow(Run(In(StateType.Running)), StateType.Paused);

        Assert.Equal(OrchestrationStatus.Reject, notRunning.Status);
        Assert.Equal(OrchestrationStatus.Accept, paused.Status);
        var key = paused.Written!.StateDetails.PauseKey!;
        Assert.Contains(key, paused.Run.FlowPolicy!.PauseKeys);

        var again = Orchestrator.FlowRuns.Decide(paused.Run with { State = In(StateType.Running) },
            StateFactory.FromProposal(new StateCreate { Type = StateType.Paused, StateDetails = new StateDetails { PauseKey = key } }, Now), Now);
        Assert.Equal(OrchestrationStatus.Reject, again.Status);
    }

    [Fact]
    public void Resume_FromPaused_DoesNotCountANewRun()
    {
        var paused = Run(In(StateType.Paused), runCount: 1);

        var pending = Flow(paused, StateType.Pending);
        var resumed = Flow(paused, StateType.Running);

        Assert.Equal(OrchestrationStatus.Abort, pending.Status);
        Assert.Equal(OrchestrationStatus.Accept, resumed.Status);
        Assert.Equal(1, resumed.Run.RunCount);
        Assert.False(resumed.Run.FlowPolicy!.Resuming);
    }

    [Fact]
    public void Bookkeeping_CountsRunsAndRunningTime()
    {
        var running = Flow(Run(In(StateType.Scheduled, scheduled: Now.AddSeconds(-3))), StateType.Running);
        var run = running.Run with { State = running.Written! with { Timestamp = Now.AddSeconds(-10) } };

        var completed = Flow(run, StateType.Completed);

        Assert.Equal(1, running.Run.RunCount);
        Assert.Equal(Now, running.Run.StartTime);
        Assert.Equal(10, completed.Run.TotalRunTime, precision: 6);
        Assert.Equal(Now, completed.Run.EndTime);
        Assert.Null(completed.Run.NextScheduledStartTime);
    }

    [Fact]
    public void Bookkeeping_EndTimeOnlyForRunsThatStarted()
    {
        var cancelled = Flow(Run(In(StateType.Scheduled)), StateType.Cancelled);
        Assert.Null(cancelled.Run.EndTime);
    }

    [Fact]
    public void Lateness_IsStartMinusExpected_OrHowLateItIsNow()
    {
        var waiting = Run(In(StateType.Scheduled)) with { ExpectedStartTime = Now.AddSeconds(-20) };
        var started = waiting with { StartTime = Now.AddSeconds(-5) };

        Assert.Equal(20, RunBookkeeping.Lateness(waiting, Now));
        Assert.Equal(15, RunBookkeeping.Lateness(started, Now));
    }

    [Fact]
    public void Timestamps_NeverGoBackwards()
    {
        var current = In(StateType.Running) with { Timestamp = Now.AddSeconds(1) };

        var outcome = Flow(Run(current), StateType.Completed);

        Assert.True(outcome.Written!.Timestamp > current.Timestamp);
    }

    [Fact]
    public void TaskFailure_RetriesWithTheNthDelay()
    {
        var policy = new TaskRunPolicy { Retries = 3, RetryDelay = JsonNode.Parse("[1, 10, 100]") };
        var run = new RunFacts { State = In(StateType.Running), RunCount = 2, TaskPolicy = policy, FlowRunStateType = StateType.Running };

        var outcome = Orchestrator.TaskRuns.Decide(run, StateFactory.FromProposal(new StateCreate { Type = StateType.Failed }, Now), Now);

        Assert.Equal(Now.AddSeconds(10), outcome.Written!.StateDetails.ScheduledTime);
    }

    [Fact]
    public void TaskStart_NeedsItsFlowRunning_AndARetryIsNamedRetrying()
    {
        var stoppedFlow = new RunFacts { State = In(StateType.Pending), FlowRunStateType = StateType.Completed };
        var retry = new RunFacts { State = In(StateType.Scheduled, name: "AwaitingRetry"), RunCount = 1, FlowRunStateType = StateType.Running };

        var refused = Orchestrator.TaskRuns.Decide(stoppedFlow, StateFactory.FromProposal(new StateCreate { Type = StateType.Running }, Now), Now);
        var retried = Orchestrator.TaskRuns.Decide(retry, StateFactory.FromProposal(new StateCreate { Type = StateType.Running }, Now), Now);

        Assert.Equal(OrchestrationStatus.Abort, refused.Status);
        Assert.Equal("Retrying", retried.Written!.Name);
        Assert.Equal(2, retried.Run.RunCount);
    }
}
