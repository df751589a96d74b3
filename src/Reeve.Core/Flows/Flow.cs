using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Reeve.Core.Json;

namespace Reeve.Core.Flows;

/// <summary>A flow: the name under which a C# method's runs are tracked.</summary>
public sealed record Flow
{
    /// <summary>The flow's id.</summary>
    public required Guid Id { get; init; }

    /// <summary>When the flow was first registered.</summary>
    public required DateTimeOffset Created { get; init; }

    /// <summary>When the flow last changed.</summary>
    public required DateTimeOffset Updated { get; init; }

    /// <summary>The flow's unique name (<c>get-repo-info</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Tags.</summary>
    [MaxLength(InputLimits.MaxTags)]
    public List<string> Tags { get; init; } = [];

    /// <summary>Labels.</summary>
    public JsonObject Labels { get; init; } = [];
}

/// <summary>The body of <c>POST /api/flows/</c>: registers a flow, or returns the one with that name.</summary>
public sealed record FlowCreate
{
    /// <summary>The flow's name.</summary>
    public required string Name { get; init; }

    /// <summary>Tags.</summary>
    [MaxLength(InputLimits.MaxTags)]
    public List<string> Tags { get; init; } = [];

    /// <summary>Labels.</summary>
    public JsonObject? Labels { get; init; }
}

/// <summary>The body of <c>PATCH /api/flows/{id}</c>.</summary>
public sealed record FlowUpdate
{
    /// <summary>The new tags.</summary>
    [MaxLength(InputLimits.MaxTags)]
    public List<string>? Tags { get; init; }
}

/// <summary>Criteria on flows.</summary>
public sealed record FlowFilter
{
    /// <summary>How the criteria combine.</summary>
    public Filters.FilterOperator Operator { get; init; }

    /// <summary>Flows with one of these ids.</summary>
    public Filters.IdFilter? Id { get; init; }

    /// <summary>Flows with one of these names, or whose name contains a text.</summary>
    public Filters.NameFilter? Name { get; init; }

    /// <summary>Flows with these tags.</summary>
    public Filters.TagsFilter? Tags { get; init; }
}

/// <summary>The body of <c>POST /api/flows/filter</c> and <c>/count</c>.</summary>
public sealed record FlowFilterRequest
{
    /// <summary>Criteria on flows.</summary>
    public FlowFilter? Flows { get; init; }

    /// <summary>Criteria on the flows' deployments.</summary>
    public Deployments.DeploymentFilter? Deployments { get; init; }

    /// <summary><c>NAME_ASC</c> (default), <c>NAME_DESC</c>, <c>CREATED_DESC</c> or <c>UPDATED_DESC</c>.</summary>
    public string? Sort { get; init; }

    /// <summary>Prefect's filter on the flows' runs: Prefect's client sends it null; any other value is refused, as Reeve does not filter by it yet.</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(Json.NotFilteredYetConverter))]
    public System.Text.Json.Nodes.JsonObject? FlowRuns { get; init; }

    /// <summary>Prefect's filter on the flows' task runs: Prefect's client sends it null; any other value is refused, as Reeve does not filter by it yet.</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(Json.NotFilteredYetConverter))]
    public System.Text.Json.Nodes.JsonObject? TaskRuns { get; init; }

    /// <summary>Prefect's filter on the pools of the flows' deployments: Prefect's client sends it null; any other value is refused, as Reeve does not filter by it yet.</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(Json.NotFilteredYetConverter))]
    public System.Text.Json.Nodes.JsonObject? WorkPools { get; init; }

    /// <summary>Prefect's client sends a queue filter (<c>work_queues</c>) that Prefect's server does not read: taken and ignored alike.</summary>
    public System.Text.Json.Nodes.JsonObject? WorkQueues { get; init; }

    /// <summary>The most flows to return (at most 200).</summary>
    public int? Limit { get; init; }

    /// <summary>How many to skip.</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(Json.DefaultWhenNullConverter<int>))]
    public int Offset { get; init; }
}
