using Reeve.Core.Flows;

namespace Reeve.Client;

public sealed partial class ReeveClient
{
    /// <summary>Registers a flow by name, or returns the one already registered under it.</summary>
    public Task<Flow> CreateFlowAsync(FlowCreate flow, CancellationToken cancellationToken = default) =>
        SendAsync<Flow>(HttpMethod.Post, "flows/", flow, cancellationToken);

    /// <summary>Reads a flow by id.</summary>
    public Task<Flow> ReadFlowAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync<Flow>(HttpMethod.Get, $"flows/{id}", null, cancellationToken);

    /// <summary>Reads a flow by name.</summary>
    public Task<Flow> ReadFlowByNameAsync(string name, CancellationToken cancellationToken = default) =>
        SendAsync<Flow>(HttpMethod.Get, $"flows/name/{Segment(name)}", null, cancellationToken);

    /// <summary>Lists flows.</summary>
    public async Task<IReadOnlyList<Flow>> FilterFlowsAsync(FlowFilterRequest? filter = null, CancellationToken cancellationToken = default) =>
        await SendAsync<List<Flow>>(HttpMethod.Post, "flows/filter", filter ?? new FlowFilterRequest(), cancellationToken);

    /// <summary>Deletes a flow with its deployments and runs.</summary>
    public Task DeleteFlowAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"flows/{id}", null, cancellationToken);
}
