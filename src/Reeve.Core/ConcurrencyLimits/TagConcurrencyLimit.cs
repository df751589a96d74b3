using System.Text.Json.Serialization;
using Reeve.Core.Json;


namespace Reeve.Core.ConcurrencyLimits;

/// <summary>
/// A tag concurrency limit (Prefect's v1 <c>/concurrency_limits</c>): at most <see cref="ConcurrencyLimit"/> task runs
/// with the tag RUNNING at once; <see cref="ActiveSlots"/> are the task runs that hold its slots.
/// </summary>
public sealed record TagConcurrencyLimit
{
    /// <summary>The id.</summary>
    public required Guid Id { get; init; }

    /// <summary>When it was made.</summary>
    public required DateTimeOffset Created { get; init; }

    /// <summary>When it last changed.</summary>
    public required DateTimeOffset Updated { get; init; }

    /// <summary>The tag it bounds.</summary>
    public required string Tag { get; init; }

    /// <summary>How many task runs with the tag may run at once.</summary>
    public required int ConcurrencyLimit { get; init; }

    /// <summary>The task runs holding its slots.</summary>
    public required List<Guid> ActiveSlots { get; init; }
}

/// <summary>The body of <c>POST /api/concurrency_limits/</c>: makes the tag's limit, or changes it when it exists.</summary>
public sealed record TagConcurrencyLimitCreate
{
    /// <summary>The tag.</summary>
    public required string Tag { get; init; }

    /// <summary>How many task runs with the tag may run at once (0 stops them all).</summary>
    public required int ConcurrencyLimit { get; init; }
}

/// <summary>The body of <c>POST /api/concurrency_limits/filter</c>.</summary>
public sealed record TagConcurrencyLimitFilterRequest
{
    /// <summary>How many to skip.</summary>
    [JsonConverter(typeof(DefaultWhenNullConverter<int>))]
    public int Offset { get; init; }

    /// <summary>How many at most (1 to 200).</summary>
    public int? Limit { get; init; }
}

/// <summary>The body of <c>POST /api/concurrency_limits/tag/{tag}/reset</c>: the slots to hold from now on (none when absent).</summary>
public sealed record TagConcurrencyLimitReset
{
    /// <summary>The most holders a reset may name.</summary>
    public const int MaxSlotOverride = 10_000;

    /// <summary>The task runs that hold the slots after the reset.</summary>
    [System.ComponentModel.DataAnnotations.MaxLength(MaxSlotOverride)]
    public List<Guid>? SlotOverride { get; init; }
}
