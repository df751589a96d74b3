namespace Reeve.Server.Storage.Entities;

/// <summary>A row of <c>artifact</c>: what a run made for people to look at.</summary>
internal sealed class ArtifactRecord
{
    public Guid Id { get; set; }
    public DateTime Created { get; set; }
    public DateTime Updated { get; set; }
    public string? Key { get; set; }
    public string? Type { get; set; }
    public string? Description { get; set; }

    /// <summary>The content as JSON; null when there is none.</summary>
    public string? Data { get; set; }

    /// <summary>The facts as a JSON object; null when there are none.</summary>
    public string? Metadata { get; set; }
    public Guid? FlowRunId { get; set; }
    public Guid? TaskRunId { get; set; }
}
