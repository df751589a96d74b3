using Reeve.Core.Artifacts;

namespace Reeve.Client;

public sealed partial class ReeveClient
{
    /// <summary>Creates an artifact (<c>POST /api/artifacts/</c>).</summary>
    public Task<Artifact> CreateArtifactAsync(ArtifactCreate artifact, CancellationToken cancellationToken = default) =>
        SendAsync<Artifact>(HttpMethod.Post, "artifacts/", artifact, cancellationToken);

    /// <summary>The latest version of the artifact with <paramref name="key"/>; 404 when there is none.</summary>
    public Task<Artifact> ReadLatestArtifactAsync(string key, CancellationToken cancellationToken = default) =>
        SendAsync<Artifact>(HttpMethod.Get, $"artifacts/{Segment(key)}/latest", null, cancellationToken);

    /// <summary>Lists artifacts, newest first unless sorted otherwise.</summary>
    public async Task<IReadOnlyList<Artifact>> FilterArtifactsAsync(ArtifactFilterRequest? filter = null, CancellationToken cancellationToken = default) =>
        await SendAsync<List<Artifact>>(HttpMethod.Post, "artifacts/filter", filter ?? new ArtifactFilterRequest(), cancellationToken);

    /// <summary>Changes an artifact's content, description or facts.</summary>
    public Task UpdateArtifactAsync(Guid id, ArtifactUpdate update, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Patch, $"artifacts/{id}", update, cancellationToken);

    /// <summary>Deletes an artifact.</summary>
    public Task DeleteArtifactAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"artifacts/{id}", null, cancellationToken);
}
