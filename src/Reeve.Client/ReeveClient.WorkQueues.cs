using Reeve.Core.WorkQueues;

namespace Reeve.Client;

public sealed partial class ReeveClient
{
    /// <summary>Creates a queue in a work pool.</summary>
    public Task<WorkQueue> CreateWorkQueueAsync(string pool, WorkQueueCreate queue, CancellationToken cancellationToken = default) =>
        SendAsync<WorkQueue>(HttpMethod.Post, $"work_pools/{Segment(pool)}/queues", queue, cancellationToken);

    /// <summary>Reads a queue of a work pool.</summary>
    public Task<WorkQueue> ReadWorkQueueAsync(string pool, string name, CancellationToken cancellationToken = default) =>
        SendAsync<WorkQueue>(HttpMethod.Get, $"work_pools/{Segment(pool)}/queues/{Segment(name)}", null, cancellationToken);

    /// <summary>Changes the fields of a queue that <paramref name="update"/> sets.</summary>
    public Task UpdateWorkQueueAsync(string pool, string name, WorkQueueUpdate update, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Patch, $"work_pools/{Segment(pool)}/queues/{Segment(name)}", update, cancellationToken);

    /// <summary>Deletes a queue (not the pool's default one).</summary>
    public Task DeleteWorkQueueAsync(string pool, string name, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"work_pools/{Segment(pool)}/queues/{Segment(name)}", null, cancellationToken);

    /// <summary>Lists a pool's queues, by priority.</summary>
    public async Task<IReadOnlyList<WorkQueue>> FilterWorkQueuesAsync(string pool, WorkQueueFilterRequest? filter = null, CancellationToken cancellationToken = default) =>
        await SendAsync<List<WorkQueue>>(HttpMethod.Post, $"work_pools/{Segment(pool)}/queues/filter", filter ?? new WorkQueueFilterRequest(), cancellationToken);
}
