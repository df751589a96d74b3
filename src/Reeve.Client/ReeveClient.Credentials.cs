using System.Text.Json.Nodes;
using Reeve.Core.Credentials;

namespace Reeve.Client;

public sealed partial class ReeveClient
{
    /// <summary>Stores credentials (<c>POST /api/credentials</c>); the answer shows their secret fields masked.</summary>
    public Task<Credentials> CreateCredentialsAsync(CredentialsCreate credentials, CancellationToken cancellationToken = default) =>
        SendAsync<Credentials>(HttpMethod.Post, "credentials/", credentials, cancellationToken);

    /// <summary>Reads credentials by id, secret fields masked.</summary>
    public Task<Credentials> ReadCredentialsAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync<Credentials>(HttpMethod.Get, $"credentials/{id}", null, cancellationToken);

    /// <summary>Reads credentials by type and name, secret fields masked.</summary>
    public Task<Credentials> ReadCredentialsAsync(string type, string name, CancellationToken cancellationToken = default) =>
        SendAsync<Credentials>(HttpMethod.Get, $"credentials/{Segment(type)}/{Segment(name)}", null, cancellationToken);

    /// <summary>Lists credentials, secret fields masked.</summary>
    public async Task<IReadOnlyList<Credentials>> FilterCredentialsAsync(CredentialsFilterRequest? filter = null, CancellationToken cancellationToken = default) =>
        await SendAsync<List<Credentials>>(HttpMethod.Post, "credentials/filter", filter ?? new CredentialsFilterRequest(), cancellationToken);

    /// <summary>Changes credentials' fields (a secret sent back masked keeps its value; a null removes the field).</summary>
    public Task<Credentials> UpdateCredentialsAsync(Guid id, CredentialsUpdate update, CancellationToken cancellationToken = default) =>
        SendAsync<Credentials>(HttpMethod.Patch, $"credentials/{id}", update, cancellationToken);

    /// <summary>Deletes credentials.</summary>
    public Task DeleteCredentialsAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"credentials/{id}", null, cancellationToken);

    /// <summary>
    /// Replaces the credentials references of <paramref name="configuration"/> (rendered for the PENDING flow run
    /// <paramref name="flowRunId"/>, being submitted) by the credentials' values: what a worker does just before it
    /// submits the run's infrastructure.
    /// </summary>
    public async Task<JsonObject> ResolveCredentialsAsync(Guid flowRunId, JsonObject configuration, CancellationToken cancellationToken = default) =>
        (await SendAsync<CredentialsResolveResponse>(HttpMethod.Post, "credentials/resolve",
            new CredentialsResolveRequest { FlowRunId = flowRunId, Configuration = configuration }, cancellationToken)).Configuration;
}
