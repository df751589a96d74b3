namespace Reeve.Server.Storage.Entities;

/// <summary>A row of <c>flow</c>.</summary>
internal sealed class FlowRecord
{
    public Guid Id { get; set; }
    public DateTime Created { get; set; }
    public DateTime Updated { get; set; }
    public required string Name { get; set; }
    public List<string> Tags { get; set; } = [];
    public string Labels { get; set; } = "{}";
}
