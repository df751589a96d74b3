using System.Text.Json.Serialization;

namespace Reeve.Core.Filters;

/// <summary>Matches a field against a list of values: <c>{"any_": [...]}</c>.</summary>
/// <typeparam name="T">The field's type.</typeparam>
public sealed record AnyFilter<T>
{
    /// <summary>The field must equal one of these.</summary>
    [JsonPropertyName("any_")]
    public List<T>? Any { get; init; }
}
