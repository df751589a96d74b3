using System.Text.Json.Nodes;

namespace Reeve.Core.Credentials;

/// <summary>
/// Stored credentials as the API shows them: every secret field masked (<see cref="CredentialsData.Mask"/>). The
/// plaintext is read only where a job configuration is rendered for submission.
/// </summary>
public sealed record Credentials
{
    /// <summary>The id; job templates refer to it as <c>{"$ref": {"block_document_id": "..."}}</c>.</summary>
    public required Guid Id { get; init; }

    /// <summary>When they were created.</summary>
    public required DateTimeOffset Created { get; init; }

    /// <summary>When they were last changed.</summary>
    public required DateTimeOffset Updated { get; init; }

    /// <summary>Their name, unique per type; job templates refer to it as <c>{{ prefect.blocks.TYPE.NAME }}</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Their type (<see cref="CredentialsTypeCatalog"/>).</summary>
    public required string Type { get; init; }

    /// <summary>Their fields, secret ones masked.</summary>
    public required JsonObject Data { get; init; }
}

/// <summary>The body of <c>POST /api/credentials</c>.</summary>
public sealed record CredentialsCreate
{
    /// <summary>The name, unique per type.</summary>
    public required string Name { get; init; }

    /// <summary>The type, one of <see cref="CredentialsTypeCatalog.KnownTypes"/>.</summary>
    public required string Type { get; init; }

    /// <summary>The fields, as the type declares them.</summary>
    [System.ComponentModel.DataAnnotations.MaxLength(CredentialsData.MaxDataLength)]
    public required JsonObject Data { get; init; }
}

/// <summary>
/// The body of <c>PATCH /api/credentials/{id}</c>: the fields given replace the stored ones, the others stay; a
/// secret field sent back masked (as an answer showed it) keeps its stored value; a field set to null is removed.
/// </summary>
public sealed record CredentialsUpdate
{
    /// <summary>The fields to change.</summary>
    [System.ComponentModel.DataAnnotations.MaxLength(CredentialsData.MaxDataLength)]
    public required JsonObject Data { get; init; }
}

/// <summary>The body of <c>POST /api/credentials/filter</c>.</summary>
public sealed record CredentialsFilterRequest
{
    /// <summary>Only credentials of this type.</summary>
    public string? Type { get; init; }

    /// <summary>How many to skip.</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(Json.DefaultWhenNullConverter<int>))]
    public int Offset { get; init; }

    /// <summary>How many at most (1 to 200).</summary>
    public int? Limit { get; init; }
}

/// <summary>
/// The body of <c>POST /api/credentials/resolve</c>: a job configuration rendered for a flow run that is being
/// submitted, whose credentials references are to be replaced by the credentials' values.
/// </summary>
public sealed record CredentialsResolveRequest
{
    /// <summary>The run being submitted; it must be PENDING (claimed and not yet started).</summary>
    public required Guid FlowRunId { get; init; }

    /// <summary>The rendered job configuration.</summary>
    [System.ComponentModel.DataAnnotations.MaxLength(Json.InputLimits.DataJsonLength)]
    public required JsonObject Configuration { get; init; }
}

/// <summary>The answer of <c>POST /api/credentials/resolve</c>.</summary>
public sealed record CredentialsResolveResponse
{
    /// <summary>The job configuration with every reference replaced.</summary>
    public required JsonObject Configuration { get; init; }
}
