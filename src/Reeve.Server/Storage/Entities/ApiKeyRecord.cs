namespace Reeve.Server.Storage.Entities;

/// <summary>A row of <c>api_key</c>: a key's name, role and limits, and the SHA-256 of the key (never the key).</summary>
internal sealed class ApiKeyRecord
{
    public Guid Id { get; set; }
    public DateTime Created { get; set; }
    public required string Name { get; set; }
    public required string Role { get; set; }

    /// <summary>The pools a worker key may work for, as a JSON array of names; <c>[]</c> for every pool.</summary>
    public required string WorkPools { get; set; }
    public DateTime? Expires { get; set; }

    /// <summary>The key's SHA-256, lowercase hex: what a request's key is looked up by.</summary>
    public required string KeyHash { get; set; }
    public required string Prefix { get; set; }
}
