using Reeve.Core.Workers;

namespace Reeve.Client;

public sealed partial class ReeveClient
{
    /// <summary>Records a worker's heartbeat; the first one registers the worker.</summary>
    public Task HeartbeatAsync(string pool, WorkerHeartbeat heartbeat, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"work_pools/{Segment(pool)}/workers/heartbeat", heartbeat, cancellationToken);

    /// <summary>Lists a pool's workers, latest heartbeat first.</summary>
    public async Task<IReadOnlyList<Worker>> FilterWorkersAsync(string pool, WorkerFilterRequest? filter = null, CancellationToken cancellationToken = default) =>
        await SendAsync<List<Worker>>(HttpMethod.Post, $"work_pools/{Segment(pool)}/workers/filter", filter ?? new WorkerFilterRequest(), cancellationToken);

    /// <summary>Forgets a worker.</summary>
    public Task DeleteWorkerAsync(string pool, string name, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"work_pools/{Segment(pool)}/workers/{Segment(name)}", null, cancellationToken);
}
