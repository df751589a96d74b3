using Reeve.Core.Access;

namespace Reeve.Client;

public sealed partial class ReeveClient
{
    /// <summary>Makes an API key (<c>POST /api/api_keys/</c>, admin only); the answer holds the key, shown this once.</summary>
    public Task<ApiKeyCreated> CreateApiKeyAsync(ApiKeyCreate key, CancellationToken cancellationToken = default) =>
        SendAsync<ApiKeyCreated>(HttpMethod.Post, "api_keys/", key, cancellationToken);

    /// <summary>Lists the API keys (never the keys themselves), by name.</summary>
    public async Task<IReadOnlyList<ApiKey>> FilterApiKeysAsync(ApiKeyFilterRequest? filter = null, CancellationToken cancellationToken = default) =>
        await SendAsync<List<ApiKey>>(HttpMethod.Post, "api_keys/filter", filter ?? new ApiKeyFilterRequest(), cancellationToken);

    /// <summary>Revokes an API key: it is refused from then on (by other server replicas within seconds).</summary>
    public Task RevokeApiKeyAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"api_keys/{id}", null, cancellationToken);
}
