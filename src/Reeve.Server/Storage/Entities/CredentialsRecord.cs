namespace Reeve.Server.Storage.Entities;

/// <summary>A row of <c>credentials</c>: the plain fields as JSON, the secret ones encrypted (Data Protection).</summary>
internal sealed class CredentialsRecord
{
    public Guid Id { get; set; }
    public DateTime Created { get; set; }
    public DateTime Updated { get; set; }
    public required string Name { get; set; }
    public required string Type { get; set; }
    public required string PlainData { get; set; }

    /// <summary>The secret fields, a JSON object encrypted with the server's key ring; never stored in plaintext.</summary>
    public required string SecretData { get; set; }

    /// <summary>The names of the secret fields, as a JSON array: what answers show masked without decrypting.</summary>
    public required string SecretNames { get; set; }
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
