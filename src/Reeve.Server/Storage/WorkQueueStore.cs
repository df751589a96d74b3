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

    public async Task UpdateAsync(string poolName, string name, WorkQueueUpdate update, CancellationToken cancellationToken)
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

        try
        {
            await store.WriteAsync(async (db, ct) =>
            {
                var queue = await db.WorkQueues.AsTracking()
                    .FirstOrDefaultAsync(q => q.WorkPool!.Name == poolName && q.Name == name, ct)
                    ?? throw NotFound(poolName, name);
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
            throw new ReeveConflictException($"A work queue named '{update.Name.GetValueOrDefault(name)}' already exists in work pool '{poolName}'.", e);
        }
    }

    public async Task DeleteAsync(string poolName, string name, CancellationToken cancellationToken)
    {
        await store.WriteAsync(async (db, ct) =>
        {
            var queue = await db.WorkQueues
                .Where(q => q.WorkPool!.Name == poolName && q.Name == name)
                .Select(q => new { q.Id, q.WorkPool!.DefaultQueueId })
                .FirstOrDefaultAsync(ct)
                ?? throw NotFound(poolName, name);
            if (queue.Id == queue.DefaultQueueId)
            {
                throw new ReeveConflictException($"Can't delete a pool's default queue: '{name}' is the default queue of work pool '{poolName}'.");
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
