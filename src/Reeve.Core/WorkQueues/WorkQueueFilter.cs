using System.Text.Json.Serialization;
using Reeve.Core.Filters;

namespace Reeve.Core.WorkQueues;

/// <summary>Criteria on a pool's queues, as Prefect's <c>WorkQueueFilter</c>.</summary>
public sealed record WorkQueueFilter
{
    /// <summary>How the criteria combine.</summary>
    public FilterOperator Operator { get; init; } = FilterOperator.And;

    /// <summary>Queues with one of these ids.</summary>
    public AnyFilter<Guid>? Id { get; init; }

    /// <summary>Queues with one of these names, or whose name starts with one of the prefixes (case-insensitive).</summary>
    public WorkQueueNameFilter? Name { get; init; }
}

/// <summary>A name criterion on queues.</summary>
public sealed record WorkQueueNameFilter
{
    /// <summary>The name equals one of these.</summary>
    [JsonPropertyName("any_")]
    public List<string>? Any { get; init; }

    /// <summary>The name starts with one of these, ignoring case.</summary>
    [JsonPropertyName("startswith_")]
    public List<string>? StartsWith { get; init; }
}

/// <summary>The body of <c>POST /api/work_pools/{pool}/queues/filter</c>.</summary>
public sealed record WorkQueueFilterRequest
{
    /// <summary>The criteria; null for every queue of the pool.</summary>
    public WorkQueueFilter? WorkQueues { get; init; }

    /// <summary>The most queues to return (at most 200).</summary>
    public int? Limit { get; init; }

    /// <summary>How many to skip.</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(Json.DefaultWhenNullConverter<int>))]
    public int Offset { get; init; }
}
