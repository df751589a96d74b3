namespace Reeve.Core.WorkPools;

/// <summary>The body of <c>POST /api/work_pools/filter</c> and <c>/count</c>.</summary>
public sealed record WorkPoolFilterRequest
{
    /// <summary>The criteria; null for every pool.</summary>
    public WorkPoolFilter? WorkPools { get; init; }

    /// <summary>The most pools to return (at most 200).</summary>
    public int? Limit { get; init; }

    /// <summary>How many to skip.</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(Json.DefaultWhenNullConverter<int>))]
    public int Offset { get; init; }
}
