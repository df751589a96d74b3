using System.Text.Json.Serialization;
using Reeve.Core.Filters;

namespace Reeve.Core.FlowRuns;

/// <summary>Criteria on flow runs, as Prefect's <c>FlowRunFilter</c>.</summary>
public sealed record FlowRunFilter
{
    /// <summary>How the criteria combine.</summary>
    public FilterOperator Operator { get; init; }

    /// <summary>Runs with (or without) these ids.</summary>
    public IdFilter? Id { get; init; }

    /// <summary>Runs with one of these names, or whose name contains a text.</summary>
    public NameFilter? Name { get; init; }

    /// <summary>Runs with these tags.</summary>
    public TagsFilter? Tags { get; init; }

    /// <summary>Runs of these deployments, or of none.</summary>
    public OptionalIdFilter? DeploymentId { get; init; }

    /// <summary>Runs in these queues.</summary>
    public OptionalStringFilter? WorkQueueName { get; init; }

    /// <summary>Runs in these states.</summary>
    public FlowRunStateFilter? State { get; init; }

    /// <summary>Start time (the expected one for runs not started yet).</summary>
    public TimeFilter? StartTime { get; init; }

    /// <summary>End time.</summary>
    public TimeFilter? EndTime { get; init; }

    /// <summary>Expected start time.</summary>
    public TimeFilter? ExpectedStartTime { get; init; }

    /// <summary>Next scheduled start time.</summary>
    public TimeFilter? NextScheduledStartTime { get; init; }

    /// <summary>Subflows of these flow runs.</summary>
    public OptionalIdFilter? ParentFlowRunId { get; init; }

    /// <summary>Runs started by these task runs, or by none.</summary>
    public OptionalIdFilter? ParentTaskRunId { get; init; }

    /// <summary>Runs with these idempotency keys.</summary>
    public StringSetFilter? IdempotencyKey { get; init; }
}

/// <summary>A state criterion: <c>{"type": {"any_": [...]}, "name": {"any_": [...]}}</c>.</summary>
public sealed record FlowRunStateFilter
{
    /// <summary>The state's type.</summary>
    public StateTypeFilter? Type { get; init; }

    /// <summary>The state's name.</summary>
    public StringSetFilter? Name { get; init; }
}

/// <summary><c>{"any_": [...], "not_any_": [...]}</c> on a state type.</summary>
public sealed record StateTypeFilter
{
    /// <summary>One of these types.</summary>
    [JsonPropertyName("any_")]
    public List<States.StateType>? Any { get; init; }

    /// <summary>None of these types.</summary>
    [JsonPropertyName("not_any_")]
    public List<States.StateType>? NotAny { get; init; }
}

/// <summary>The body of <c>POST /api/flow_runs/filter</c> and <c>/count</c>.</summary>
public sealed record FlowRunFilterRequest
{
    /// <summary>Criteria on the runs' flows.</summary>
    public Flows.FlowFilter? Flows { get; init; }

    /// <summary>Criteria on runs.</summary>
    public FlowRunFilter? FlowRuns { get; init; }

    /// <summary>Criteria on the runs' deployments.</summary>
    public Deployments.DeploymentFilter? Deployments { get; init; }

    /// <summary>Criteria on the runs' pools.</summary>
    public WorkPools.WorkPoolFilter? WorkPools { get; init; }

    /// <summary>Criteria on the runs' queues.</summary>
    public WorkQueues.WorkQueueFilter? WorkPoolQueues { get; init; }

    /// <summary>One of <see cref="FlowRunSort"/>; <c>ID_DESC</c> by default.</summary>
    public string? Sort { get; init; }

    /// <summary>Prefect's filter on the runs' task runs: Prefect's client sends it null; any other value is refused, as Reeve does not filter by it yet.</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(Json.NotFilteredYetConverter))]
    public System.Text.Json.Nodes.JsonObject? TaskRuns { get; init; }

    /// <summary>The most runs to return (at most 200).</summary>
    public int? Limit { get; init; }

    /// <summary>How many to skip.</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(Json.DefaultWhenNullConverter<int>))]
    public int Offset { get; init; }
}
