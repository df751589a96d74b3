using Microsoft.EntityFrameworkCore;
using Reeve.Core.Errors;
using Reeve.Core.Filters;
using Reeve.Core.Ids;
using Reeve.Core.Naming;
using Reeve.Core.WorkQueues;
using Reeve.Server.Storage.Entities;

namespace Reeve.Server.Storage;

/// <summary>Reads and writes the queues of work pools.</summary>
internal sealed class WorkQueueStore(Store store, WorkPoolStore pools, TimeProvider clock)
{
    public async Task<WorkQueue> CreateAsync(string poolName, WorkQueueCreate request, CancellationToken cancellationToken)
    {
        ResourceName.Validate(request.Name);
        RequireLimit(request.ConcurrencyLimit);
        RequirePriority(request.Priority);
        var poolId = await pools.RequireIdAsync(poolName, cancellationToken);

        var now = StorageTime.Now(clock);
        var queue = new WorkQueueRecord
        {
            Id = SequentialGuid.Next(clock.GetUtcNow()),
            Created = now,
            Updated = now,
            WorkPoolId = poolId,
            Name = request.Name,
            Description = request.Description ?? "",
            IsPaused = request.IsPaused,
            ConcurrencyLimit = request.ConcurrencyLimit,
        };

        try
        {
            await store.WriteAsync(async (db, ct) =>
            {
                await store.LockWorkPoolAsync(poolId, ct);
                var existing = await Priorities(db, poolId, ct);
                if (request.Priority is { } priority)
                {
                    queue.Priority = priority;
                    await ApplyAsync(db, QueuePriorities.Place(existing, queue.Id, priority), queue.Id, now, ct);
                }
                else
                {
                    queue.Priority = QueuePriorities.NextFree(existing.Select(q => q.Priority));
                }

                db.WorkQueues.Add(queue);
                await db.SaveChangesAsync(ct);
            }, cancellationToken);
        }
        catch (DbUpdateException e) when (Store.IsUniqueViolation(e))
        {
            throw new ReeveConflictException($"A work queue named '{request.Name}' already exists in work pool '{poolName}'.", e);
        }

        return ToWire(queue, poolName, clock.GetUtcNow());
    }

    public async Task<WorkQueue> ReadAsync(string poolName, string name, CancellationToken cancellationToken)
    {
        var queue = await store.Db.WorkQueues
            .FirstOrDefaultAsync(q => q.WorkPool!.Name == poolName && q.Name == name, cancellationToken)
            ?? throw NotFound(poolName, name);
        return ToWire(queue, poolName, clock.GetUtcNow());
    }

    public Task UpdateAsync(string poolName, string name, WorkQueueUpdate update, CancellationToken cancellationToken) =>
        UpdateWhereAsync(q => q.WorkPool!.Name == poolName && q.Name == name, () => NotFound(poolName, name), update, cancellationToken);

    /// <summary>Changes the queue with this id (Prefect's <c>PATCH /work_queues/{id}</c>).</summary>
    public Task UpdateAsync(Guid id, WorkQueueUpdate update, CancellationToken cancellationToken) =>
        UpdateWhereAsync(q => q.Id == id, () => NotFound(id), update, cancellationToken);

    private async Task UpdateWhereAsync(System.Linq.Expressions.Expression<Func<WorkQueueRecord, bool>> match, Func<Exception> notFound,
        WorkQueueUpdate update, CancellationToken cancellationToken)
    {
        if (update.Name.IsSet)
        {
            ResourceName.Validate(update.Name.Value);
        }

        if (update.ConcurrencyLimit.IsSet)
        {
            RequireLimit(update.ConcurrencyLimit.Value);
        }

        if (update.Priority.IsSet)
        {
            RequirePriority(update.Priority.Value);
        }

        string? poolName = null;
        try
        {
            await store.WriteAsync(async (db, ct) =>
            {
                var queue = await db.WorkQueues.AsTracking().Include(q => q.WorkPool)
                    .FirstOrDefaultAsync(match, ct)
                    ?? throw notFound();
                poolName = queue.WorkPool!.Name;
                var now = StorageTime.Now(clock);
                if (update.Priority is { IsSet: true, Value: { } priority })
                {
                    await store.LockWorkPoolAsync(queue.WorkPoolId, ct);
                    var existing = await Priorities(db, queue.WorkPoolId, ct);
                    await ApplyAsync(db, QueuePriorities.Place(existing, queue.Id, priority), queue.Id, now, ct);
                    queue.Priority = priority;
                }

                if (update.Name.IsSet)
                {
                    queue.Name = update.Name.Value!;
                }

                if (update.Description.IsSet)
                {
                    queue.Description = update.Description.Value;
                }

                if (update.IsPaused.IsSet)
                {
                    queue.IsPaused = update.IsPaused.Value;
                }

                if (update.ConcurrencyLimit.IsSet)
                {
                    queue.ConcurrencyLimit = update.ConcurrencyLimit.Value;
                }

                queue.Updated = now;
                await db.SaveChangesAsync(ct);
            }, cancellationToken);
        }
        catch (DbUpdateException e) when (Store.IsUniqueViolation(e))
        {
            throw new ReeveConflictException($"A work queue named '{update.Name.Value}' already exists in work pool '{poolName}'.", e);
        }
    }

    public Task DeleteAsync(string poolName, string name, CancellationToken cancellationToken) =>
        DeleteWhereAsync(q => q.WorkPool!.Name == poolName && q.Name == name, () => NotFound(poolName, name), cancellationToken);

    /// <summary>Deletes the queue with this id (Prefect's <c>DELETE /work_queues/{id}</c>); a pool's default queue stays.</summary>
    public Task DeleteAsync(Guid id, CancellationToken cancellationToken) =>
        DeleteWhereAsync(q => q.Id == id, () => NotFound(id), cancellationToken);

    private async Task DeleteWhereAsync(System.Linq.Expressions.Expression<Func<WorkQueueRecord, bool>> match, Func<Exception> notFound,
        CancellationToken cancellationToken)
    {
        await store.WriteAsync(async (db, ct) =>
        {
            var queue = await db.WorkQueues
                .Where(match)
                .Select(q => new { q.Id, q.Name, Pool = q.WorkPool!.Name, q.WorkPool!.DefaultQueueId })
                .FirstOrDefaultAsync(ct)
                ?? throw notFound();
            if (queue.Id == queue.DefaultQueueId)
            {
                throw new ReeveConflictException($"Can't delete a pool's default queue: '{queue.Name}' is the default queue of work pool '{queue.Pool}'.");
            }

            await db.WorkQueues.Where(q => q.Id == queue.Id).ExecuteDeleteAsync(ct);
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<WorkQueue>> FilterAsync(string poolName, WorkQueueFilterRequest request, CancellationToken cancellationToken)
    {
        var limit = Paging.Resolve(request.Limit, request.Offset);
        var poolId = await pools.RequireIdAsync(poolName, cancellationToken);
        var queues = await Apply(store.Db.WorkQueues.Where(q => q.WorkPoolId == poolId), request.WorkQueues)
            .OrderBy(q => q.Priority)
            .Skip(request.Offset)
            .Take(limit)
            .ToListAsync(cancellationToken);
        var now = clock.GetUtcNow();
        return queues.Select(q => ToWire(q, poolName, now)).ToList();
    }

    internal static IQueryable<WorkQueueRecord> Apply(IQueryable<WorkQueueRecord> queues, WorkQueueFilter? filter)
    {
        if (filter is null)
        {
            return queues;
        }

        var ids = filter.Id?.Any;
        var names = filter.Name?.Any;
        var prefixes = filter.Name?.StartsWith?.Select(p => p.ToLowerInvariant()).ToList();
        if (ids is not null)
        {
            queues = queues.Where(q => ids.Contains(q.Id));
        }

        if (names is not null)
        {
            queues = queues.Where(q => names.Contains(q.Name));
        }

        if (prefixes is { Count: > 0 })
        {
#pragma warning disable CA1862 // EF translates ToLower().StartsWith to SQL; the comparison overload is not translatable.
            queues = queues.Where(q => prefixes.Any(prefix => q.Name.ToLower().StartsWith(prefix)));
#pragma warning restore CA1862
        }

        return queues;
    }

    private static async Task<List<(Guid Id, int Priority)>> Priorities(ReeveDbContext db, Guid poolId, CancellationToken ct) =>
        (await db.WorkQueues.Where(q => q.WorkPoolId == poolId).Select(q => new { q.Id, q.Priority }).ToListAsync(ct))
        .Select(q => (q.Id, q.Priority))
        .ToList();

    private static async Task ApplyAsync(ReeveDbContext db, IReadOnlyDictionary<Guid, int> changes, Guid moved, DateTime now, CancellationToken ct)
    {
        foreach (var (id, priority) in changes)
        {
            if (id != moved)
            {
                await db.WorkQueues.Where(q => q.Id == id)
                    .ExecuteUpdateAsync(s => s.SetProperty(q => q.Priority, priority).SetProperty(q => q.Updated, now), ct);
            }
        }
    }

    internal static ReeveNotFoundException NotFound(string poolName, string name) => new($"Work pool queue '{poolName}/{name}' not found.");

    private static ReeveNotFoundException NotFound(Guid id) => new($"Work queue {id} not found.");

    /// <summary>The queue with this id, whatever its pool (Prefect's <c>GET /work_queues/{id}</c>).</summary>
    public async Task<WorkQueue> ReadAsync(Guid id, CancellationToken cancellationToken)
    {
        var found = await store.Db.WorkQueues.Where(q => q.Id == id).Select(q => new { Queue = q, Pool = q.WorkPool!.Name })
            .FirstOrDefaultAsync(cancellationToken) ?? throw NotFound(id);
        return ToWire(found.Queue, found.Pool, clock.GetUtcNow());
    }

    /// <summary>
    /// A queue by its name alone (Prefect's <c>GET /work_queues/name/{name}</c>): the one in Prefect's agent pool,
    /// <c>default-agent-pool</c>, when there is one, else the oldest of that name.
    /// </summary>
    public async Task<WorkQueue> ReadByNameAsync(string name, CancellationToken cancellationToken)
    {
        var found = await store.Db.WorkQueues.Where(q => q.Name == name)
            .OrderBy(q => q.WorkPool!.Name == AgentPoolName ? 0 : 1).ThenBy(q => q.Created).ThenBy(q => q.Id)
            .Select(q => new { Queue = q, Pool = q.WorkPool!.Name })
            .FirstOrDefaultAsync(cancellationToken) ?? throw new ReeveNotFoundException($"Work queue '{name}' not found.");
        return ToWire(found.Queue, found.Pool, clock.GetUtcNow());
    }

    /// <summary>Prefect's pool for the queues of its agents, which it reads a queue's name in first.</summary>
    internal const string AgentPoolName = "default-agent-pool";

    /// <summary>The queues of every pool, by name (Prefect's <c>POST /work_queues/filter</c>).</summary>
    public async Task<IReadOnlyList<WorkQueue>> FilterAllAsync(WorkQueueFilterRequest request, CancellationToken cancellationToken)
    {
        var limit = Paging.Resolve(request.Limit, request.Offset);
        var found = await Apply(store.Db.WorkQueues, request.WorkQueues)
            .OrderBy(q => q.Name).ThenBy(q => q.Id)
            .Skip(request.Offset)
            .Take(limit)
            .Select(q => new { Queue = q, Pool = q.WorkPool!.Name })
            .ToListAsync(cancellationToken);
        var now = clock.GetUtcNow();
        return found.Select(f => ToWire(f.Queue, f.Pool, now)).ToList();
    }

    /// <summary>
    /// Prefect's health of a queue (<c>GET /work_queues/{id}/status</c>): healthy when none of its runs is Late and it
    /// was polled in the last 60 s, Prefect's default policy.
    /// </summary>
    public async Task<WorkQueueHealth> ReadHealthAsync(Guid id, CancellationToken cancellationToken)
    {
        var queue = await store.Db.WorkQueues.Where(q => q.Id == id).Select(q => new { q.LastPolled })
            .FirstOrDefaultAsync(cancellationToken) ?? throw NotFound(id);
        var late = await store.Db.FlowRuns.CountAsync(r => r.WorkQueueId == id && r.StateName == "Late", cancellationToken);
        var policy = new WorkQueueHealthPolicy();
        var lastPolled = queue.LastPolled is { } polled ? StorageTime.ToWire(polled) : (DateTimeOffset?)null;
        var healthy = late <= policy.MaximumLateRuns
            && lastPolled is { } seen && (clock.GetUtcNow() - seen).TotalSeconds <= policy.MaximumSecondsSinceLastPolled;
        return new WorkQueueHealth { Healthy = healthy, LateRunsCount = late, LastPolled = lastPolled, HealthCheckPolicy = policy };
    }

    private static void RequireLimit(int? limit)
    {
        if (limit is < 0)
        {
            throw new ReeveValidationException("concurrency_limit", "Input should be greater than or equal to 0");
        }
    }

    private static void RequirePriority(int? priority)
    {
        if (priority is < 1)
        {
            throw new ReeveValidationException("priority", "Input should be greater than 0");
        }
    }

    internal static WorkQueue ToWire(WorkQueueRecord queue, string poolName, DateTimeOffset now) => new()
    {
        Id = queue.Id,
        Created = StorageTime.ToWire(queue.Created),
        Updated = StorageTime.ToWire(queue.Updated),
        Name = queue.Name,
        Description = queue.Description,
        IsPaused = queue.IsPaused,
        ConcurrencyLimit = queue.ConcurrencyLimit,
        Priority = queue.Priority,
        WorkPoolId = queue.WorkPoolId,
        WorkPoolName = poolName,
        LastPolled = StorageTime.ToWire(queue.LastPolled),
        Status = WorkQueueStatusRule.Decide(queue.IsPaused, StorageTime.ToWire(queue.LastPolled), now),
    };
}
