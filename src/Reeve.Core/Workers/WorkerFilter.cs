using System.Text.Json.Serialization;
using Reeve.Core.Filters;

namespace Reeve.Core.Workers;

/// <summary>Criteria on a pool's workers, as Prefect's <c>WorkerFilter</c>.</summary>
public sealed record WorkerFilter
{
    /// <summary>How the criteria combine.</summary>
    public FilterOperator Operator { get; init; } = FilterOperator.And;

    /// <summary>Bounds on the last heartbeat, both inclusive.</summary>
    public WorkerHeartbeatTimeFilter? LastHeartbeatTime { get; init; }

    /// <summary>Workers in one of these statuses, or in none of them.</summary>
    public WorkerStatusFilter? Status { get; init; }
}

/// <summary>Bounds on a worker's last heartbeat.</summary>
public sealed record WorkerHeartbeatTimeFilter
{
    /// <summary>At or before this time.</summary>
    [JsonPropertyName("before_")]
    public DateTimeOffset? Before { get; init; }

    /// <summary>At or after this time.</summary>
    [JsonPropertyName("after_")]
    public DateTimeOffset? After { get; init; }
}

/// <summary>A status criterion on workers.</summary>
public sealed record WorkerStatusFilter
{
    /// <summary>The status is one of these.</summary>
    [JsonPropertyName("any_")]
    public List<WorkerStatus>? Any { get; init; }

    /// <summary>The status is none of these.</summary>
    [JsonPropertyName("not_any_")]
    public List<WorkerStatus>? NotAny { get; init; }
}

/// <summary>The body of <c>POST /api/work_pools/{pool}/workers/filter</c>.</summary>
public sealed record WorkerFilterRequest
{
    /// <summary>The criteria; null for every worker of the pool.</summary>
    public WorkerFilter? Workers { get; init; }

    /// <summary>
    /// Prefect's client sends its worker filter under this name, which Prefect's server does not read (it reads
    /// <c>workers</c>): taken and ignored alike.
    /// </summary>
    public System.Text.Json.Nodes.JsonObject? WorkerFilter { get; init; }

    /// <summary>The most workers to return (at most 200).</summary>
    public int? Limit { get; init; }

    /// <summary>How many to skip.</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(Json.DefaultWhenNullConverter<int>))]
    public int Offset { get; init; }
}
