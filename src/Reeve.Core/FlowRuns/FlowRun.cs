using System.Text.Json.Nodes;
using Reeve.Core.States;

namespace Reeve.Core.FlowRuns;

/// <summary>One execution of a flow (Prefect's <c>FlowRunResponse</c>).</summary>
public sealed record FlowRun
{
    /// <summary>The run's id.</summary>
    public required Guid Id { get; init; }

    /// <summary>When the run was created.</summary>
    public required DateTimeOffset Created { get; init; }

    /// <summary>When the run last changed.</summary>
    public required DateTimeOffset Updated { get; init; }

    /// <summary>The run's name (<c>brisk-otter</c>).</summary>
    public required string Name { get; init; }

    /// <summary>The flow it runs.</summary>
    public required Guid FlowId { get; init; }

    /// <summary>The id of the current state.</summary>
    public Guid? StateId { get; init; }

    /// <summary>The deployment it was created from.</summary>
    public Guid? DeploymentId { get; init; }

    /// <summary>The deployment's version at creation.</summary>
    public string? DeploymentVersion { get; init; }

    /// <summary>The queue it waits in.</summary>
    public Guid? WorkQueueId { get; init; }

    /// <summary>The queue's name.</summary>
    public string? WorkQueueName { get; init; }

    /// <summary>The flow's version.</summary>
    public string? FlowVersion { get; init; }

    /// <summary>The parameters the flow is called with.</summary>
    public JsonObject Parameters { get; init; } = [];

    /// <summary>The key that made its creation idempotent.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>Context for the run.</summary>
    public JsonObject Context { get; init; } = [];

    /// <summary>Retries and pause bookkeeping.</summary>
    public FlowRunPolicy EmpiricalPolicy { get; init; } = new();

    /// <summary>Tags.</summary>
    public List<string> Tags { get; init; } = [];

    /// <summary>Labels.</summary>
    public JsonObject Labels { get; init; } = [];

    /// <summary>The task run that started it as a subflow.</summary>
    public Guid? ParentTaskRunId { get; init; }

    /// <summary>The current state's type.</summary>
    public StateType? StateType { get; init; }

    /// <summary>The current state's name.</summary>
    public string? StateName { get; init; }

    /// <summary>How many times it entered RUNNING.</summary>
    public int RunCount { get; init; }

    /// <summary>When it was first meant to start.</summary>
    public DateTimeOffset? ExpectedStartTime { get; init; }

    /// <summary>When it is next due, while SCHEDULED.</summary>
    public DateTimeOffset? NextScheduledStartTime { get; init; }

    /// <summary>When it first entered RUNNING.</summary>
    public DateTimeOffset? StartTime { get; init; }

    /// <summary>When it ended.</summary>
    public DateTimeOffset? EndTime { get; init; }

    /// <summary>Seconds spent RUNNING.</summary>
    public double TotalRunTime { get; init; }

    /// <summary>Seconds spent RUNNING, counting the current stretch.</summary>
    public double EstimatedRunTime { get; init; }

    /// <summary>Seconds late: how long after its expected start it started (or, not started yet, how late it is now).</summary>
    public double EstimatedStartTimeDelta { get; init; }

    /// <summary>Whether the scheduler made it.</summary>
    public bool AutoScheduled { get; init; }

    /// <summary>Kept for Prefect compatibility.</summary>
    public Guid? InfrastructureDocumentId { get; init; }

    /// <summary>The id of the infrastructure running it (a process id, a container id), set by the worker.</summary>
    public string? InfrastructurePid { get; init; }

    /// <summary>Who created it, when known.</summary>
    public JsonObject? CreatedBy { get; init; }

    /// <summary>The pool it runs in.</summary>
    public Guid? WorkPoolId { get; init; }

    /// <summary>The pool's name.</summary>
    public string? WorkPoolName { get; init; }

    /// <summary>The current state.</summary>
    public State? State { get; init; }

    /// <summary>Overrides of the job variables for this run.</summary>
    public JsonObject JobVariables { get; init; } = [];
}
