using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Reeve.Core.Filters;
using Reeve.Core.Json;

namespace Reeve.Core.Artifacts;

/// <summary>
/// An artifact: something a run made for people to look at (Prefect's artifacts) — a Markdown report, a table, a
/// link. Artifacts with the same key are versions of one thing; the latest is the one shown by key.
/// </summary>
public sealed record Artifact
{
    /// <summary>The id.</summary>
    public required Guid Id { get; init; }

    /// <summary>When it was made.</summary>
    public required DateTimeOffset Created { get; init; }

    /// <summary>When it last changed.</summary>
    public required DateTimeOffset Updated { get; init; }

    /// <summary>Its key (lowercase letters, digits and dashes), shared by its versions; null for a one-off.</summary>
    public string? Key { get; init; }

    /// <summary>Its kind: <c>markdown</c>, <c>table</c>, <c>link</c>, <c>progress</c>, <c>image</c> or <c>result</c>.</summary>
    public string? Type { get; init; }

    /// <summary>A description (Markdown).</summary>
    public string? Description { get; init; }

    /// <summary>Its content: Markdown text, a table's rows, a link.</summary>
    public JsonNode? Data { get; init; }

    /// <summary>Short string facts about it.</summary>
    [JsonPropertyName("metadata_")]
    public Dictionary<string, string>? Metadata { get; init; }

    /// <summary>The flow run that made it.</summary>
    public Guid? FlowRunId { get; init; }

    /// <summary>The task run that made it.</summary>
    public Guid? TaskRunId { get; init; }
}

/// <summary>The body of <c>POST /api/artifacts/</c>.</summary>
public sealed record ArtifactCreate
{
    /// <summary>The key (lowercase letters, digits and dashes); null for a one-off.</summary>
    [MaxLength(ArtifactRules.MaxKeyLength)]
    public string? Key { get; init; }

    /// <summary>The kind.</summary>
    [MaxLength(64)]
    public string? Type { get; init; }

    /// <summary>A description.</summary>
    [MaxLength(InputLimits.LongTextLength)]
    public string? Description { get; init; }

    /// <summary>The content (at most 1 MB as JSON).</summary>
    public JsonNode? Data { get; init; }

    /// <summary>Short string facts.</summary>
    [JsonPropertyName("metadata_")]
    public Dictionary<string, string>? Metadata { get; init; }

    /// <summary>The flow run that made it.</summary>
    public Guid? FlowRunId { get; init; }

    /// <summary>The task run that made it.</summary>
    public Guid? TaskRunId { get; init; }
}

/// <summary>The body of <c>PATCH /api/artifacts/{id}</c>: only the fields present change.</summary>
public sealed record ArtifactUpdate
{
    /// <summary>New content.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<JsonNode?> Data { get; init; }

    /// <summary>A new description.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    [MaxLength(InputLimits.LongTextLength)]
    public Optional<string?> Description { get; init; }

    /// <summary>New facts.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    [JsonPropertyName("metadata_")]
    public Optional<Dictionary<string, string>?> Metadata { get; init; }
}

/// <summary><c>{"any_": [...], "like_": "text", "exists_": bool}</c> on an artifact's key.</summary>
public sealed record ArtifactKeyFilter
{
    /// <summary>One of these keys.</summary>
    [JsonPropertyName("any_")]
    public List<string>? Any { get; init; }

    /// <summary>The key contains this, ignoring case.</summary>
    [JsonPropertyName("like_")]
    public string? Like { get; init; }

    /// <summary>Whether the artifact has a key.</summary>
    [JsonPropertyName("exists_")]
    public bool? Exists { get; init; }
}

/// <summary>Which artifacts.</summary>
public sealed record ArtifactFilter
{
    /// <summary>By id.</summary>
    public IdFilter? Id { get; init; }

    /// <summary>By key.</summary>
    public ArtifactKeyFilter? Key { get; init; }

    /// <summary>By the flow run that made them.</summary>
    public OptionalIdFilter? FlowRunId { get; init; }

    /// <summary>By the task run that made them.</summary>
    public OptionalIdFilter? TaskRunId { get; init; }

    /// <summary>By kind.</summary>
    public ArtifactTypeFilter? Type { get; init; }
}

/// <summary><c>{"any_": [...], "not_any_": [...]}</c> on an artifact's kind.</summary>
public sealed record ArtifactTypeFilter
{
    /// <summary>One of these kinds.</summary>
    [JsonPropertyName("any_")]
    public List<string>? Any { get; init; }

    /// <summary>None of these kinds.</summary>
    [JsonPropertyName("not_any_")]
    public List<string>? NotAny { get; init; }
}

/// <summary>The body of <c>POST /api/artifacts/filter</c> and <c>/count</c>.</summary>
public sealed record ArtifactFilterRequest
{
    /// <summary>Which artifacts.</summary>
    public ArtifactFilter? Artifacts { get; init; }

    /// <summary><c>ID_DESC</c> (default, newest first), <c>KEY_ASC</c>, <c>KEY_DESC</c>, <c>CREATED_DESC</c>.</summary>
    public string? Sort { get; init; }

    /// <summary>How many to skip.</summary>
    [JsonConverter(typeof(DefaultWhenNullConverter<int>))]
    public int Offset { get; init; }

    /// <summary>How many at most (1 to 200).</summary>
    public int? Limit { get; init; }
}

/// <summary>
/// The latest version of a keyed artifact (Prefect's artifact collection): the artifact's fields, <see cref="LatestId"/>
/// the latest version's id, and <see cref="Id"/> the first version's, which stays as versions are added.
/// </summary>
public sealed record ArtifactCollection
{
    /// <summary>The id of the key's first version: the collection's id.</summary>
    public required Guid Id { get; init; }

    /// <summary>When the latest version was made.</summary>
    public required DateTimeOffset Created { get; init; }

    /// <summary>When the latest version last changed.</summary>
    public required DateTimeOffset Updated { get; init; }

    /// <summary>The key the versions share.</summary>
    public required string Key { get; init; }

    /// <summary>The latest version's id.</summary>
    public required Guid LatestId { get; init; }

    /// <summary>The latest version's kind.</summary>
    public string? Type { get; init; }

    /// <summary>The latest version's description.</summary>
    public string? Description { get; init; }

    /// <summary>The latest version's content.</summary>
    public JsonNode? Data { get; init; }

    /// <summary>The latest version's facts.</summary>
    [JsonPropertyName("metadata_")]
    public Dictionary<string, string>? Metadata { get; init; }

    /// <summary>The flow run that made the latest version.</summary>
    public Guid? FlowRunId { get; init; }

    /// <summary>The task run that made the latest version.</summary>
    public Guid? TaskRunId { get; init; }
}

/// <summary>Which artifact collections (Prefect's <c>ArtifactCollectionFilter</c>): by the latest version's fields.</summary>
public sealed record ArtifactCollectionFilter
{
    /// <summary>By the latest version's id.</summary>
    public IdFilter? LatestId { get; init; }

    /// <summary>By key.</summary>
    public ArtifactKeyFilter? Key { get; init; }

    /// <summary>By the flow run that made the latest version.</summary>
    public OptionalIdFilter? FlowRunId { get; init; }

    /// <summary>By the task run that made the latest version.</summary>
    public OptionalIdFilter? TaskRunId { get; init; }

    /// <summary>By the latest version's kind.</summary>
    public ArtifactTypeFilter? Type { get; init; }
}

/// <summary>The body of <c>POST /api/artifacts/latest/filter</c> and <c>/latest/count</c>.</summary>
public sealed record ArtifactCollectionFilterRequest
{
    /// <summary>Which collections.</summary>
    public ArtifactCollectionFilter? Artifacts { get; init; }

    /// <summary><c>ID_DESC</c> (default), <c>CREATED_DESC</c>, <c>UPDATED_DESC</c>, <c>KEY_ASC</c>, <c>KEY_DESC</c>.</summary>
    public string? Sort { get; init; }

    /// <summary>How many to skip.</summary>
    [JsonConverter(typeof(DefaultWhenNullConverter<int>))]
    public int Offset { get; init; }

    /// <summary>How many at most (1 to 200).</summary>
    public int? Limit { get; init; }
}
