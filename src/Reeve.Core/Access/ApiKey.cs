namespace Reeve.Core.Access;

/// <summary>An API key as the API shows it: never the key itself, which is stored only as a hash.</summary>
public record ApiKey
{
    /// <summary>The id (what <c>DELETE /api/api_keys/{id}</c> revokes).</summary>
    public required Guid Id { get; init; }

    /// <summary>When it was created.</summary>
    public required DateTimeOffset Created { get; init; }

    /// <summary>Its name, unique: who or what holds it ("ci", "k8s-worker").</summary>
    public required string Name { get; init; }

    /// <summary>Its role, one of <see cref="ApiRoles.All"/>.</summary>
    public required string Role { get; init; }

    /// <summary>For a <c>worker</c> key, the pools it may work for; empty means every pool.</summary>
    public IReadOnlyList<string> WorkPools { get; init; } = [];

    /// <summary>When it stops being accepted; null for never.</summary>
    public DateTimeOffset? Expires { get; init; }

    /// <summary>The start of the key (<c>reeve_AbCd</c>), to tell keys apart.</summary>
    public required string Prefix { get; init; }
}

/// <summary>The answer to <c>POST /api/api_keys/</c>: the key, shown this once.</summary>
public sealed record ApiKeyCreated : ApiKey
{
    /// <summary>The key to send as <c>Authorization: Bearer &lt;key&gt;</c>. The server keeps only its hash.</summary>
    public required string Key { get; init; }
}

/// <summary>The body of <c>POST /api/api_keys/</c>.</summary>
public sealed record ApiKeyCreate
{
    /// <summary>A name, unique among keys.</summary>
    public required string Name { get; init; }

    /// <summary>The role, one of <see cref="ApiRoles.All"/>.</summary>
    public required string Role { get; init; }

    /// <summary>For a <c>worker</c> key, the pools it may work for (at most 100); empty or absent means every pool.</summary>
    public IReadOnlyList<string>? WorkPools { get; init; }

    /// <summary>When it stops being accepted (in the future, within 100 years); null for never.</summary>
    public DateTimeOffset? Expires { get; init; }
}

/// <summary>The body of <c>POST /api/api_keys/filter</c>.</summary>
public sealed record ApiKeyFilterRequest
{
    /// <summary>How many to skip.</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(Json.DefaultWhenNullConverter<int>))]
    public int Offset { get; init; }

    /// <summary>How many at most (1 to 200).</summary>
    public int? Limit { get; init; }
}
