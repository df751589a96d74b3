using System.Text.Json.Serialization;
using Reeve.Core.Filters;

namespace Reeve.Core.Deployments;

/// <summary>Criteria on deployments.</summary>
public sealed record DeploymentFilter
{
    /// <summary>How the criteria combine.</summary>
    public FilterOperator Operator { get; init; }

    /// <summary>Deployments with (or without) these ids.</summary>
    public IdFilter? Id { get; init; }

    /// <summary>Deployments with one of these names, or whose name contains a text.</summary>
    public NameFilter? Name { get; init; }

    /// <summary>Paused or not.</summary>
    public PausedFilter? Paused { get; init; }

    /// <summary>Deployments with these tags.</summary>
    public TagsFilter? Tags { get; init; }

    /// <summary>Deployments in one of these queues.</summary>
    public OptionalStringFilter? WorkQueueName { get; init; }
}

/// <summary><c>{"eq_": bool}</c>.</summary>
public sealed record PausedFilter
{
    /// <summary>The value the field must have.</summary>
    [JsonPropertyName("eq_")]
    public bool? Equal { get; init; }
}

/// <summary>The body of <c>POST /api/deployments/filter</c> and <c>/count</c>.</summary>
public sealed record DeploymentFilterRequest
{
    /// <summary>Criteria on the deployments' flows.</summary>
    public Flows.FlowFilter? Flows { get; init; }

    /// <summary>Criteria on deployments.</summary>
    public DeploymentFilter? Deployments { get; init; }

    /// <summary>Criteria on the deployments' pools.</summary>
    public WorkPools.WorkPoolFilter? WorkPools { get; init; }

    /// <summary><c>NAME_ASC</c> (default), <c>NAME_DESC</c>, <c>CREATED_DESC</c> or <c>UPDATED_DESC</c>.</summary>
    public string? Sort { get; init; }

    /// <summary>Prefect's filter on the deployments' flow runs: Prefect's client sends it null; any other value is refused, as Reeve does not filter by it yet.</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(Json.NotFilteredYetConverter))]
    public System.Text.Json.Nodes.JsonObject? FlowRuns { get; init; }

    /// <summary>Prefect's filter on the deployments' task runs: Prefect's client sends it null; any other value is refused, as Reeve does not filter by it yet.</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(Json.NotFilteredYetConverter))]
    public System.Text.Json.Nodes.JsonObject? TaskRuns { get; init; }

    /// <summary>Prefect's filter on the deployments' queues: Prefect's client sends it null; any other value is refused, as Reeve does not filter by it yet.</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(Json.NotFilteredYetConverter))]
    public System.Text.Json.Nodes.JsonObject? WorkPoolQueues { get; init; }

    /// <summary>The most deployments to return (at most 200).</summary>
    public int? Limit { get; init; }

    /// <summary>How many to skip.</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(Json.DefaultWhenNullConverter<int>))]
    public int Offset { get; init; }
}
