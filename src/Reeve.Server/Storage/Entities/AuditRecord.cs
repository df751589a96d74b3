namespace Reeve.Server.Storage.Entities;

/// <summary>A row of <c>audit_event</c>: appended once, never changed or deleted by the server.</summary>
internal sealed class AuditRecord
{
    public Guid Id { get; set; }
    public DateTime Occurred { get; set; }
    public required string Actor { get; set; }
    public required string Role { get; set; }
    public required string Action { get; set; }
    public string? Resource { get; set; }
    public required string Request { get; set; }
}
