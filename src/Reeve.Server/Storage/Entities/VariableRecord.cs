namespace Reeve.Server.Storage.Entities;

/// <summary>A row of <c>variable</c>: a name and its value as JSON.</summary>
internal sealed class VariableRecord
{
    public Guid Id { get; set; }
    public DateTime Created { get; set; }
    public DateTime Updated { get; set; }
    public required string Name { get; set; }

    /// <summary>The value as JSON (<c>null</c> included).</summary>
    public required string Value { get; set; }
    public List<string> Tags { get; set; } = [];
}
