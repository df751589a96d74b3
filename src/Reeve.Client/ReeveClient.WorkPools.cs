using Reeve.Core.PoolTypes;
using Reeve.Core.WorkPools;

namespace Reeve.Client;

public sealed partial class ReeveClient
{
    /// <summary>Creates a work pool; its <c>default</c> queue is created with it.</summary>
    public Task<WorkPool> CreateWorkPoolAsync(WorkPoolCreate pool, CancellationToken cancellationToken = default) =>
        SendAsync<WorkPool>(HttpMethod.Post, "work_pools/", pool, cancellationToken);

    /// <summary>Reads a work pool by name.</summary>
    public Task<WorkPool> ReadWorkPoolAsync(string name, CancellationToken cancellationToken = default) =>
        SendAsync<WorkPool>(HttpMethod.Get, $"work_pools/{Segment(name)}", null, cancellationToken);

    /// <summary>Changes the fields of a work pool that <paramref name="update"/> sets.</summary>
    public Task UpdateWorkPoolAsync(string name, WorkPoolUpdate update, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Patch, $"work_pools/{Segment(name)}", update, cancellationToken);

    /// <summary>Deletes a work pool with its queues and workers.</summary>
    public Task DeleteWorkPoolAsync(string name, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"work_pools/{Segment(name)}", null, cancellationToken);

    /// <summary>Lists work pools, by name.</summary>
    public async Task<IReadOnlyList<WorkPool>> FilterWorkPoolsAsync(WorkPoolFilterRequest? filter = null, CancellationToken cancellationToken = default) =>
        await SendAsync<List<WorkPool>>(HttpMethod.Post, "work_pools/filter", filter ?? new WorkPoolFilterRequest(), cancellationToken);

    /// <summary>Counts work pools.</summary>
    public Task<int> CountWorkPoolsAsync(WorkPoolFilter? filter = null, CancellationToken cancellationToken = default) =>
        SendAsync<int>(HttpMethod.Post, "work_pools/count", new WorkPoolFilterRequest { WorkPools = filter }, cancellationToken);

    /// <summary>The known work pool types with their default base job templates, by collection then type.</summary>
    public async Task<IReadOnlyDictionary<string, Dictionary<string, WorkerTypeMetadata>>> ReadWorkerMetadataAsync(CancellationToken cancellationToken = default) =>
        await SendAsync<Dictionary<string, Dictionary<string, WorkerTypeMetadata>>>(
            HttpMethod.Get, "collections/views/aggregate-worker-metadata", null, cancellationToken);
}
