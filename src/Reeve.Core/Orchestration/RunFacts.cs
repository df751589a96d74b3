using Reeve.Core.FlowRuns;
using Reeve.Core.States;
using Reeve.Core.TaskRuns;

namespace Reeve.Core.Orchestration;

/// <summary>What the rules need to know about a run (a flow run or a task run), and what bookkeeping changes.</summary>
public sealed record RunFacts
{
    /// <summary>The run's current state; null for a run that has none yet.</summary>
    public State? State { get; init; }

    /// <summary>How many times it entered RUNNING.</summary>
    public int RunCount { get; init; }

    /// <summary>When it first entered RUNNING.</summary>
    public DateTimeOffset? StartTime { get; init; }

    /// <summary>When it ended.</summary>
    public DateTimeOffset? EndTime { get; init; }

    /// <summary>When it was first meant to start.</summary>
    public DateTimeOffset? ExpectedStartTime { get; init; }

    /// <summary>When it is next due, while SCHEDULED.</summary>
    public DateTimeOffset? NextScheduledStartTime { get; init; }

    /// <summary>Seconds spent RUNNING.</summary>
    public double TotalRunTime { get; init; }

    /// <summary>A flow run's retry and pause bookkeeping.</summary>
    public FlowRunPolicy? FlowPolicy { get; init; }

    /// <summary>A task run's retry settings.</summary>
    public TaskRunPolicy? TaskPolicy { get; init; }

    /// <summary>The id of the infrastructure running the flow run, if a worker started any.</summary>
    public string? InfrastructurePid { get; init; }

    /// <summary>The deployment the run belongs to.</summary>
    public Guid? DeploymentId { get; init; }

    /// <summary>For a task run: the state type of its flow run.</summary>
    public StateType? FlowRunStateType { get; init; }

    /// <summary>For a task run: its flow run's run count.</summary>
    public int FlowRunRunCount { get; init; }
}
