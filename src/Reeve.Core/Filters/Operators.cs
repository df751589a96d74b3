using System.Text.Json.Serialization;

namespace Reeve.Core.Filters;

/// <summary><c>{"any_": [...], "not_any_": [...]}</c> on an id.</summary>
public sealed record IdFilter
{
    /// <summary>One of these.</summary>
    [JsonPropertyName("any_")]
    public List<Guid>? Any { get; init; }

    /// <summary>None of these.</summary>
    [JsonPropertyName("not_any_")]
    public List<Guid>? NotAny { get; init; }
}

/// <summary><c>{"any_": [...], "is_null_": bool}</c> on an optional id.</summary>
public sealed record OptionalIdFilter
{
    /// <summary>One of these.</summary>
    [JsonPropertyName("any_")]
    public List<Guid>? Any { get; init; }

    /// <summary>Whether the id is absent (true) or present (false).</summary>
    [JsonPropertyName("is_null_")]
    public bool? IsNull { get; init; }
}

/// <summary><c>{"any_": [...], "like_": "text"}</c> on a name; <c>like_</c> matches part of the name, ignoring case.</summary>
public sealed record NameFilter
{
    /// <summary>One of these names.</summary>
    [JsonPropertyName("any_")]
    public List<string>? Any { get; init; }

    /// <summary>The name contains this, ignoring case.</summary>
    [JsonPropertyName("like_")]
    public string? Like { get; init; }
}

/// <summary><c>{"any_": [...], "is_null_": bool}</c> on an optional string.</summary>
public sealed record OptionalStringFilter
{
    /// <summary>One of these.</summary>
    [JsonPropertyName("any_")]
    public List<string>? Any { get; init; }

    /// <summary>Whether the value is absent (true) or present (false).</summary>
    [JsonPropertyName("is_null_")]
    public bool? IsNull { get; init; }
}

/// <summary><c>{"all_": [...], "any_": [...], "is_null_": bool}</c> on tags.</summary>
public sealed record TagsFilter
{
    /// <summary>Every one of these tags.</summary>
    [JsonPropertyName("all_")]
    public List<string>? All { get; init; }

    /// <summary>At least one of these tags.</summary>
    [JsonPropertyName("any_")]
    public List<string>? Any { get; init; }

    /// <summary>No tags at all (true) or some (false).</summary>
    [JsonPropertyName("is_null_")]
    public bool? IsNull { get; init; }
}

/// <summary><c>{"before_": t, "after_": t, "is_null_": bool}</c> on a time; both bounds inclusive.</summary>
public sealed record TimeFilter
{
    /// <summary>At or before this time.</summary>
    [JsonPropertyName("before_")]
    public DateTimeOffset? Before { get; init; }

    /// <summary>At or after this time.</summary>
    [JsonPropertyName("after_")]
    public DateTimeOffset? After { get; init; }

    /// <summary>Whether the time is absent (true) or present (false).</summary>
    [JsonPropertyName("is_null_")]
    public bool? IsNull { get; init; }
}

/// <summary><c>{"any_": [...], "not_any_": [...]}</c> on a string.</summary>
public sealed record StringSetFilter
{
    /// <summary>One of these.</summary>
    [JsonPropertyName("any_")]
    public List<string>? Any { get; init; }

    /// <summary>None of these.</summary>
    [JsonPropertyName("not_any_")]
    public List<string>? NotAny { get; init; }
}
