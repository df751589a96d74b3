using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Reeve.Core.Filters;
using Reeve.Core.Json;

namespace Reeve.Core.Variables;

/// <summary>
/// A variable: a named, mutable JSON value for configuration that is not secret (Prefect's variables), read by flows
/// (<c>Variables.GetAsync</c>) and by people (<c>reeve variable get</c>). Secrets belong in credentials.
/// </summary>
public sealed record Variable
{
    /// <summary>The id.</summary>
    public required Guid Id { get; init; }

    /// <summary>When it was created.</summary>
    public required DateTimeOffset Created { get; init; }

    /// <summary>When it last changed.</summary>
    public required DateTimeOffset Updated { get; init; }

    /// <summary>Its name, unique: lowercase letters, digits and underscores, at most 255 characters.</summary>
    public required string Name { get; init; }

    /// <summary>Its value: any JSON (a string, a number, a boolean, an object, a list or null), at most 5,000 characters as JSON.</summary>
    public required JsonNode? Value { get; init; }

    /// <summary>Its tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
}

/// <summary>The body of <c>POST /api/variables/</c>.</summary>
public sealed record VariableCreate
{
    /// <summary>The name: lowercase letters, digits and underscores, at most 255 characters.</summary>
    [MaxLength(VariableRules.MaxNameLength)]
    public required string Name { get; init; }

    /// <summary>The value: any JSON, at most 5,000 characters as JSON.</summary>
    public required JsonNode? Value { get; init; }

    /// <summary>Tags.</summary>
    [MaxLength(InputLimits.MaxTags)]
    public List<string>? Tags { get; init; }
}

/// <summary>The body of <c>PATCH /api/variables/{id}</c> and <c>/name/{name}</c>: only the fields present change.</summary>
public sealed record VariableUpdate
{
    /// <summary>A new name.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    [MaxLength(VariableRules.MaxNameLength)]
    public Optional<string?> Name { get; init; }

    /// <summary>A new value.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<JsonNode?> Value { get; init; }

    /// <summary>New tags.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    [MaxLength(InputLimits.MaxTags)]
    public Optional<List<string>?> Tags { get; init; }
}

/// <summary>Which variables: by id, name and tags.</summary>
public sealed record VariableFilter
{
    /// <summary>By id.</summary>
    public IdFilter? Id { get; init; }

    /// <summary>By name.</summary>
    public NameFilter? Name { get; init; }

    /// <summary>By tags.</summary>
    public TagsFilter? Tags { get; init; }
}

/// <summary>The body of <c>POST /api/variables/filter</c>.</summary>
public sealed record VariableFilterRequest
{
    /// <summary>Which variables.</summary>
    public VariableFilter? Variables { get; init; }

    /// <summary><c>NAME_ASC</c> (default), <c>NAME_DESC</c>, <c>CREATED_DESC</c> or <c>UPDATED_DESC</c>.</summary>
    public string? Sort { get; init; }

    /// <summary>How many to skip.</summary>
    [JsonConverter(typeof(DefaultWhenNullConverter<int>))]
    public int Offset { get; init; }

    /// <summary>How many at most (1 to 200).</summary>
    public int? Limit { get; init; }
}

/// <summary>The body of <c>POST /api/variables/count</c>.</summary>
public sealed record VariableCountRequest
{
    /// <summary>Which variables.</summary>
    public VariableFilter? Variables { get; init; }
}
