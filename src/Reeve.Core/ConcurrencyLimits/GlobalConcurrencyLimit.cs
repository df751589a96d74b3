using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Reeve.Core.Json;

namespace Reeve.Core.ConcurrencyLimits;

/// <summary>
/// A global concurrency limit (Prefect's "v2" limits): at most <see cref="Limit"/> slots held at once across
/// everything that takes them by name — flows and tasks (<c>Concurrency.AcquireAsync</c>), Prefect's
/// <c>concurrency()</c>. With a slot decay it is a rate limit: held slots free themselves at that rate.
/// </summary>
public sealed record GlobalConcurrencyLimit
{
    /// <summary>The id.</summary>
    public required Guid Id { get; init; }

    /// <summary>When it was created.</summary>
    public required DateTimeOffset Created { get; init; }

    /// <summary>When it last changed (slots taken or released included).</summary>
    public required DateTimeOffset Updated { get; init; }

    /// <summary>Whether it limits anything; an inactive limit grants every request.</summary>
    public required bool Active { get; init; }

    /// <summary>Its name, unique.</summary>
    public required string Name { get; init; }

    /// <summary>The most slots held at once.</summary>
    public required int Limit { get; init; }

    /// <summary>The slots held now (after decay).</summary>
    public required int ActiveSlots { get; init; }

    /// <summary>Slots asked for and refused lately (what the wait a refusal suggests is made from).</summary>
    public int DeniedSlots { get; init; }

    /// <summary>How many held slots free themselves each second (0: only releases free them).</summary>
    public required double SlotDecayPerSecond { get; init; }

    /// <summary>How long a slot is held, on average (releases say).</summary>
    public double AvgSlotOccupancySeconds { get; init; }
}

/// <summary>The body of <c>POST /api/v2/concurrency_limits/</c>.</summary>
public sealed record GlobalConcurrencyLimitCreate
{
    /// <summary>The name, unique.</summary>
    [MaxLength(Naming.ResourceName.MaxLength)]
    public required string Name { get; init; }

    /// <summary>The most slots held at once (0 or more).</summary>
    public required int Limit { get; init; }

    /// <summary>Whether it limits anything (default: yes).</summary>
    public bool Active { get; init; } = true;

    /// <summary>Slots held from the start (default 0).</summary>
    public int ActiveSlots { get; init; }

    /// <summary>Slots refused so far (default 0).</summary>
    public int DeniedSlots { get; init; }

    /// <summary>How many held slots free themselves each second (default 0).</summary>
    public double SlotDecayPerSecond { get; init; }
}

/// <summary>The body of <c>PATCH /api/v2/concurrency_limits/{id_or_name}</c>: only the fields present change.</summary>
public sealed record GlobalConcurrencyLimitUpdate
{
    /// <summary>A new name.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    [MaxLength(Naming.ResourceName.MaxLength)]
    public Optional<string?> Name { get; init; }

    /// <summary>A new limit.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<int?> Limit { get; init; }

    /// <summary>Turn it on or off.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<bool?> Active { get; init; }

    /// <summary>Set the slots held (to free slots a crashed holder kept, say).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<int?> ActiveSlots { get; init; }

    /// <summary>Set the slots refused.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<int?> DeniedSlots { get; init; }

    /// <summary>A new decay.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<double?> SlotDecayPerSecond { get; init; }
}

/// <summary>The body of <c>POST /api/v2/concurrency_limits/filter</c>.</summary>
public sealed record GlobalConcurrencyLimitFilterRequest
{
    /// <summary>How many to skip.</summary>
    [JsonConverter(typeof(DefaultWhenNullConverter<int>))]
    public int Offset { get; init; }

    /// <summary>How many at most (1 to 200).</summary>
    public int? Limit { get; init; }
}

/// <summary>The body of <c>POST /api/v2/concurrency_limits/increment</c>: take slots of every limit named, or none.</summary>
public sealed record SlotsIncrement
{
    /// <summary>How many slots of each limit (1 or more).</summary>
    public required int Slots { get; init; }

    /// <summary>The limits (at least one).</summary>
    [MaxLength(100)]
    public required List<string> Names { get; init; }

    /// <summary><c>concurrency</c> (slots held until released) or <c>rate_limit</c> (slots that decay; only for limits with a decay).</summary>
    public string Mode { get; init; } = "concurrency";

    /// <summary>Create a limit that does not exist (inactive, limit 1, as Prefect does), rather than refuse.</summary>
    public bool CreateIfMissing { get; init; } = true;

    /// <summary>Whether a limit created here is active.</summary>
    public bool Active { get; init; }
}

/// <summary>The body of <c>POST /api/v2/concurrency_limits/decrement</c>: release slots.</summary>
public sealed record SlotsDecrement
{
    /// <summary>How many slots of each limit (1 or more).</summary>
    public required int Slots { get; init; }

    /// <summary>The limits (at least one).</summary>
    [MaxLength(100)]
    public required List<string> Names { get; init; }

    /// <summary>How long the slots were held, in seconds (feeds the average occupancy).</summary>
    public double? OccupancySeconds { get; init; }

    /// <summary>Create a limit that does not exist (inactive), rather than ignore it.</summary>
    public bool CreateIfMissing { get; init; } = true;
}

/// <summary>One limit of an increment's or a decrement's answer.</summary>
public sealed record SlotsLimit
{
    /// <summary>The id.</summary>
    public required Guid Id { get; init; }

    /// <summary>The name.</summary>
    public required string Name { get; init; }

    /// <summary>The limit.</summary>
    public required int Limit { get; init; }
}
