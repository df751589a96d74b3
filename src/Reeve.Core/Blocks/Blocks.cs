using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Reeve.Core.Credentials;
using Reeve.Core.Filters;
using Reeve.Core.Json;

namespace Reeve.Core.Blocks;

/// <summary>
/// A block type (Prefect's <c>/block_types</c>): a kind of stored configuration, such as <c>secret</c> or
/// <c>local-file-system</c>. Reeve's credentials types are block types too, installed and protected.
/// </summary>
public sealed record BlockType
{
    /// <summary>The id.</summary>
    public required Guid Id { get; init; }

    /// <summary>When it was registered.</summary>
    public required DateTimeOffset Created { get; init; }

    /// <summary>When it last changed.</summary>
    public required DateTimeOffset Updated { get; init; }

    /// <summary>Its display name (<c>Local File System</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Its slug (<c>local-file-system</c>), unique; documents are read by it.</summary>
    public required string Slug { get; init; }

    /// <summary>A logo's address.</summary>
    public string? LogoUrl { get; init; }

    /// <summary>Its documentation's address.</summary>
    public string? DocumentationUrl { get; init; }

    /// <summary>What it is for.</summary>
    public string? Description { get; init; }

    /// <summary>How code uses it.</summary>
    public string? CodeExample { get; init; }

    /// <summary>Whether it is one of the server's own (not deleted through the API).</summary>
    public bool IsProtected { get; init; }
}

/// <summary>The body of <c>POST /api/block_types/</c>.</summary>
public sealed record BlockTypeCreate
{
    /// <summary>The display name.</summary>
    public required string Name { get; init; }

    /// <summary>The slug: lowercase letters, digits and dashes.</summary>
    public required string Slug { get; init; }

    /// <summary>A logo's address.</summary>
    [MaxLength(BlockRules.MaxTextLength)]
    public string? LogoUrl { get; init; }

    /// <summary>Its documentation's address.</summary>
    [MaxLength(BlockRules.MaxTextLength)]
    public string? DocumentationUrl { get; init; }

    /// <summary>What it is for.</summary>
    [MaxLength(BlockRules.MaxTextLength)]
    public string? Description { get; init; }

    /// <summary>How code uses it.</summary>
    [MaxLength(BlockRules.MaxTextLength)]
    public string? CodeExample { get; init; }
}

/// <summary>The body of <c>PATCH /api/block_types/{id}</c>: the fields sent replace the stored ones.</summary>
public sealed record BlockTypeUpdate
{
    /// <summary>A logo's address.</summary>
    [MaxLength(BlockRules.MaxTextLength)]
    public Optional<string?> LogoUrl { get; init; }

    /// <summary>Its documentation's address.</summary>
    [MaxLength(BlockRules.MaxTextLength)]
    public Optional<string?> DocumentationUrl { get; init; }

    /// <summary>What it is for.</summary>
    [MaxLength(BlockRules.MaxTextLength)]
    public Optional<string?> Description { get; init; }

    /// <summary>How code uses it.</summary>
    [MaxLength(BlockRules.MaxTextLength)]
    public Optional<string?> CodeExample { get; init; }
}

/// <summary>
/// A block schema (Prefect's <c>/block_schemas</c>): the JSON schema of a block type's documents at one version,
/// known by its checksum; its <c>secret_fields</c> name what answers mask and the server keeps encrypted.
/// </summary>
public sealed record BlockSchema
{
    /// <summary>The id.</summary>
    public required Guid Id { get; init; }

    /// <summary>When it was registered.</summary>
    public required DateTimeOffset Created { get; init; }

    /// <summary>When it last changed.</summary>
    public required DateTimeOffset Updated { get; init; }

    /// <summary><c>sha256:</c> and the hash of its fields, as Prefect computes it.</summary>
    public required string Checksum { get; init; }

    /// <summary>The JSON schema.</summary>
    public required JsonObject Fields { get; init; }

    /// <summary>Its block type's id.</summary>
    public required Guid BlockTypeId { get; init; }

    /// <summary>Its block type.</summary>
    public BlockType? BlockType { get; init; }

    /// <summary>What its documents can do (<c>read-path</c>, <c>write-path</c>...).</summary>
    public required List<string> Capabilities { get; init; }

    /// <summary>Its version (the Prefect release that registered it, or <c>non-versioned</c>).</summary>
    public required string Version { get; init; }
}

/// <summary>The body of <c>POST /api/block_schemas/</c>.</summary>
public sealed record BlockSchemaCreate
{
    /// <summary>The JSON schema.</summary>
    [MaxLength(BlockRules.MaxFieldsLength)]
    public JsonObject Fields { get; init; } = [];

    /// <summary>Its block type's id.</summary>
    public required Guid? BlockTypeId { get; init; }

    /// <summary>What its documents can do.</summary>
    [MaxLength(BlockRules.MaxCapabilities)]
    public List<string> Capabilities { get; init; } = [];

    /// <summary>The version; <c>non-versioned</c> when absent.</summary>
    public string Version { get; init; } = BlockRules.DefaultSchemaVersion;
}

/// <summary>
/// A block document (Prefect's <c>/block_documents</c>): a named, stored configuration of a block type. Documents
/// of Reeve's credentials types are its credentials (<c>/api/credentials</c>): one store, secrets encrypted.
/// </summary>
public sealed record BlockDocument
{
    /// <summary>The id; job templates and other documents refer to it as <c>{"$ref": {"block_document_id": "..."}}</c>.</summary>
    public required Guid Id { get; init; }

    /// <summary>When it was saved.</summary>
    public required DateTimeOffset Created { get; init; }

    /// <summary>When it last changed.</summary>
    public required DateTimeOffset Updated { get; init; }

    /// <summary>Its name, unique per block type (<c>anonymous-…</c> for an anonymous one).</summary>
    public required string Name { get; init; }

    /// <summary>Its fields: secret ones masked unless secrets were asked for; referenced documents' fields inline.</summary>
    public required JsonObject Data { get; init; }

    /// <summary>Its schema's id.</summary>
    public required Guid BlockSchemaId { get; init; }

    /// <summary>Its schema.</summary>
    public required BlockSchema BlockSchema { get; init; }

    /// <summary>Its block type's id.</summary>
    public required Guid BlockTypeId { get; init; }

    /// <summary>Its block type's name.</summary>
    public required string BlockTypeName { get; init; }

    /// <summary>Its block type.</summary>
    public required BlockType BlockType { get; init; }

    /// <summary>The documents its fields refer to, by field.</summary>
    public required Dictionary<string, BlockDocumentReference> BlockDocumentReferences { get; init; }

    /// <summary>Whether it was saved without a name of its own (a flow's result storage).</summary>
    public bool IsAnonymous { get; init; }
}

/// <summary>A document a field refers to: <c>{"block_document": {...}}</c>.</summary>
public sealed record BlockDocumentReference
{
    /// <summary>The referenced document.</summary>
    public required ReferencedBlockDocument BlockDocument { get; init; }
}

/// <summary>What a reference shows of the referenced document.</summary>
public sealed record ReferencedBlockDocument
{
    /// <summary>Its id.</summary>
    public required Guid Id { get; init; }

    /// <summary>Its name.</summary>
    public required string Name { get; init; }

    /// <summary>Its block type.</summary>
    public required BlockType BlockType { get; init; }

    /// <summary>Whether it is anonymous.</summary>
    public bool IsAnonymous { get; init; }

    /// <summary>The documents its own fields refer to.</summary>
    public required Dictionary<string, BlockDocumentReference> BlockDocumentReferences { get; init; }
}

/// <summary>The body of <c>POST /api/block_documents/</c>.</summary>
public sealed record BlockDocumentCreate
{
    /// <summary>The name (lowercase letters, digits and dashes); may be absent for an anonymous document.</summary>
    public string? Name { get; init; }

    /// <summary>The fields, secrets in plaintext; a field may refer to another document (<c>{"$ref": {"block_document_id": ...}}</c>).</summary>
    [MaxLength(CredentialsData.MaxDataLength)]
    public JsonObject Data { get; init; } = [];

    /// <summary>The schema's id.</summary>
    public required Guid? BlockSchemaId { get; init; }

    /// <summary>The block type's id.</summary>
    public required Guid? BlockTypeId { get; init; }

    /// <summary>Whether it is saved without a name of its own.</summary>
    public bool IsAnonymous { get; init; }
}

/// <summary>
/// The body of <c>PATCH /api/block_documents/{id}</c>: with <c>merge_existing_data</c> (the default) the fields sent
/// replace the stored ones of the same name; without it they replace all. A secret sent back masked keeps its value.
/// </summary>
public sealed record BlockDocumentUpdate
{
    /// <summary>A schema of the same block type to move the document to.</summary>
    public Guid? BlockSchemaId { get; init; }

    /// <summary>The fields.</summary>
    [MaxLength(CredentialsData.MaxDataLength)]
    public Optional<JsonObject?> Data { get; init; }

    /// <summary>Whether the fields sent are merged into the stored ones (true, the default) or replace them.</summary>
    [JsonConverter(typeof(DefaultWhenNullConverter<bool>))]
    public bool MergeExistingData { get; init; } = true;
}

/// <summary><c>{"like_": "text"}</c> on a block type's name.</summary>
public sealed record BlockTypeNameFilter
{
    /// <summary>The name contains this, ignoring case.</summary>
    [JsonPropertyName("like_")]
    public string? Like { get; init; }
}

/// <summary><c>{"any_": [...]}</c> on a string.</summary>
public sealed record AnyStringFilter
{
    /// <summary>One of these.</summary>
    [JsonPropertyName("any_")]
    public List<string>? Any { get; init; }
}

/// <summary><c>{"any_": [...]}</c> on an id.</summary>
public sealed record AnyIdFilter
{
    /// <summary>One of these.</summary>
    [JsonPropertyName("any_")]
    public List<Guid>? Any { get; init; }
}

/// <summary><c>{"all_": [...]}</c> on a schema's capabilities.</summary>
public sealed record CapabilitiesFilter
{
    /// <summary>Every one of these.</summary>
    [JsonPropertyName("all_")]
    public List<string>? All { get; init; }
}

/// <summary><c>{"eq_": bool}</c> on whether a document is anonymous; <c>{"eq_": null}</c> takes both.</summary>
public sealed record AnonymousFilter
{
    /// <summary>Anonymous (true), named (false), or either (null).</summary>
    [JsonPropertyName("eq_")]
    public bool? Equal { get; init; }
}

/// <summary>Which block types.</summary>
public sealed record BlockTypeFilter
{
    /// <summary>By name.</summary>
    public BlockTypeNameFilter? Name { get; init; }

    /// <summary>By slug.</summary>
    public AnyStringFilter? Slug { get; init; }
}

/// <summary>Which block schemas.</summary>
public sealed record BlockSchemaFilter
{
    /// <summary>By block type.</summary>
    public AnyIdFilter? BlockTypeId { get; init; }

    /// <summary>By capabilities (all of them).</summary>
    public CapabilitiesFilter? BlockCapabilities { get; init; }

    /// <summary>By id.</summary>
    public AnyIdFilter? Id { get; init; }

    /// <summary>By version.</summary>
    public AnyStringFilter? Version { get; init; }

    /// <summary>How the conditions combine.</summary>
    public FilterOperator Operator { get; init; } = FilterOperator.And;
}

/// <summary>Which block documents. Anonymous ones are left out unless <c>is_anonymous</c> says otherwise.</summary>
public sealed record BlockDocumentFilter
{
    /// <summary>By id.</summary>
    public AnyIdFilter? Id { get; init; }

    /// <summary>Anonymous or not; absent means named ones only, <c>null</c> either.</summary>
    public Optional<AnonymousFilter?> IsAnonymous { get; init; }

    /// <summary>By block type.</summary>
    public AnyIdFilter? BlockTypeId { get; init; }

    /// <summary>By name.</summary>
    public NameFilter? Name { get; init; }

    /// <summary>How the conditions combine.</summary>
    public FilterOperator Operator { get; init; } = FilterOperator.And;
}

/// <summary>The body of <c>POST /api/block_types/filter</c>.</summary>
public sealed record BlockTypeFilterRequest
{
    /// <summary>Which types.</summary>
    public BlockTypeFilter? BlockTypes { get; init; }

    /// <summary>Only types with a schema matching this.</summary>
    public BlockSchemaFilter? BlockSchemas { get; init; }

    /// <summary>How many to skip.</summary>
    [JsonConverter(typeof(DefaultWhenNullConverter<int>))]
    public int Offset { get; init; }

    /// <summary>How many at most (1 to 200).</summary>
    public int? Limit { get; init; }
}

/// <summary>The body of <c>POST /api/block_schemas/filter</c>.</summary>
public sealed record BlockSchemaFilterRequest
{
    /// <summary>Which schemas.</summary>
    public BlockSchemaFilter? BlockSchemas { get; init; }

    /// <summary>How many to skip.</summary>
    [JsonConverter(typeof(DefaultWhenNullConverter<int>))]
    public int Offset { get; init; }

    /// <summary>How many at most (1 to 200).</summary>
    public int? Limit { get; init; }
}

/// <summary>The body of <c>POST /api/block_documents/filter</c> and <c>/count</c>.</summary>
public sealed record BlockDocumentFilterRequest
{
    /// <summary>Which documents.</summary>
    public BlockDocumentFilter? BlockDocuments { get; init; }

    /// <summary>Only documents of these types.</summary>
    public BlockTypeFilter? BlockTypes { get; init; }

    /// <summary>Only documents of these schemas.</summary>
    public BlockSchemaFilter? BlockSchemas { get; init; }

    /// <summary>Whether answers hold secrets in plaintext (a key allowed to read them only).</summary>
    [JsonConverter(typeof(DefaultWhenNullConverter<bool>))]
    public bool IncludeSecrets { get; init; }

    /// <summary><c>NAME_ASC</c> (default), <c>NAME_DESC</c> or <c>BLOCK_TYPE_AND_NAME_ASC</c>.</summary>
    public string? Sort { get; init; }

    /// <summary>Prefect's CLI (<c>prefect block ls</c>) sends <c>"block_schema_type": null</c>, which its server does not read: taken and ignored alike.</summary>
    public JsonNode? BlockSchemaType { get; init; }

    /// <summary>How many to skip.</summary>
    [JsonConverter(typeof(DefaultWhenNullConverter<int>))]
    public int Offset { get; init; }

    /// <summary>How many at most (1 to 200).</summary>
    public int? Limit { get; init; }
}
