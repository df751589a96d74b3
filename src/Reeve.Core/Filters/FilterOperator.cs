using System.Text.Json.Serialization;
using Reeve.Core.Json;

namespace Reeve.Core.Filters;

/// <summary>How the criteria of one filter combine.</summary>
[JsonConverter(typeof(StrictEnumConverter<FilterOperator>))]
public enum FilterOperator
{
    /// <summary>Every criterion must hold (the default).</summary>
    [JsonStringEnumMemberName("and_")]
    And,

    /// <summary>At least one criterion must hold.</summary>
    [JsonStringEnumMemberName("or_")]
    Or,
}
