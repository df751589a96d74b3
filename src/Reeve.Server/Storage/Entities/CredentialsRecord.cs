namespace Reeve.Server.Storage.Entities;

/// <summary>
/// A row of <c>credentials</c>: a block document (credentials are documents of Reeve's credentials types). The fields
/// as answers show them (secrets masked) in plaintext, and all of them encrypted (Data Protection). Rows written
/// before block documents hold only the plain fields and only the secret ones; <see cref="SecretRows"/> reads both.
/// </summary>
internal sealed class CredentialsRecord
{
    public Guid Id { get; set; }
    public DateTime Created { get; set; }
    public DateTime Updated { get; set; }
    public required string Name { get; set; }
    public required string Type { get; set; }
    public required string PlainData { get; set; }

    /// <summary>The fields, a JSON object encrypted with the server's key ring; secrets are never stored in plaintext.</summary>
    public required string SecretData { get; set; }

    /// <summary>The paths of the secret fields (<c>password</c>, <c>headers.*</c>), as a JSON array.</summary>
    public required string SecretNames { get; set; }

    /// <summary>The document's block schema; null for credentials written before block documents (their type's schema).</summary>
    public Guid? BlockSchemaId { get; set; }

    /// <summary>Whether the document was saved without a name of its own (a flow's result storage).</summary>
    public bool IsAnonymous { get; set; }
}

/// <summary>A row of <c>data_protection_key</c>: one key of the server's key ring, shared by every replica (PostgreSQL).</summary>
internal sealed class DataProtectionKeyRecord
{
    public int Id { get; set; }
    public string? FriendlyName { get; set; }
    public required string Xml { get; set; }
}

/// <summary>
/// A row of <c>flow_run_credentials</c>: credentials resolved for a flow run's submission, so that their secret values
/// are masked in the run's log lines (whichever replica receives them).
/// </summary>
internal sealed class FlowRunCredentialsRecord
{
    public Guid FlowRunId { get; set; }
    public Guid CredentialsId { get; set; }
}
