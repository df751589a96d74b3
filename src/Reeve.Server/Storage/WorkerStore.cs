using Microsoft.EntityFrameworkCore;
using Reeve.Core.Errors;
using Reeve.Core.Filters;
using Reeve.Core.Ids;
using Reeve.Core.Naming;
using Reeve.Core.Workers;
using Reeve.Server.Storage.Entities;

namespace Reeve.Server.Storage;

/// <summary>Records worker heartbeats and reads workers.</summary>
internal sealed class WorkerStore(Store store, WorkPoolStore pools, FlowRunStore runs, TimeProvider clock)
{
    public async Task HeartbeatAsync(string poolName, WorkerHeartbeat heartbeat, CancellationToken cancellationToken)
    {
        ResourceName.Validate(heartbeat.Name);
        if (heartbeat.HeartbeatIntervalSeconds is < 1)
        {
            throw new ReeveValidationException("heartbeat_interval_seconds", "Input should be greater than 0");
        }

        var poolId = await pools.RequireIdAsync(poolName, cancellationToken);
        var now = clock.GetUtcNow();
        var beat = StorageTime.ToStorage(now);
        var onlineUntil = StorageTime.ToStorage(WorkerLiveness.OnlineUntil(now, heartbeat.HeartbeatIntervalSeconds));

        // An update first: a worker's every heartbeat but the first finds its row.
        if (heartbeat.FlowRunIds is { Count: > 0 } held)
        {
            await runs.HeartbeatFromWorkerAsync(poolId, held, heartbeat.HeartbeatIntervalSeconds ?? WorkerLiveness.DefaultHeartbeatIntervalSeconds, cancellationToken);
        }

        var updated = await store.WriteAsync((db, ct) => Touch(db, poolId, heartbeat, beat, onlineUntil, ct), cancellationToken);
        if (updated > 0)
        {
            return;
        }

        try
        {
            await store.WriteAsync(async (db, ct) =>
            {
                db.Workers.Add(new WorkerRecord
                {
                    Id = SequentialGuid.Next(now),
                    Created = beat,
                    Updated = beat,
                    WorkPoolId = poolId,
                    Name = heartbeat.Name,
                    LastHeartbeatTime = beat,
                    HeartbeatIntervalSeconds = heartbeat.HeartbeatIntervalSeconds,
                    OnlineUntil = onlineUntil,
                });
                await db.SaveChangesAsync(ct);
            }, cancellationToken);
        }
        catch (DbUpdateException e) when (Store.IsUniqueViolation(e))
        {
            // Another heartbeat of the same worker inserted the row first; ours updates it.
            await store.WriteAsync((db, ct) => Touch(db, poolId, heartbeat, beat, onlineUntil, ct), cancellationToken);
        }
    }

    private static Task<int> Touch(ReeveDbContext db, Guid poolId, WorkerHeartbeat heartbeat, DateTime beat, DateTime onlineUntil, CancellationToken ct) =>
        db.Workers.Where(w => w.WorkPoolId == poolId && w.Name == heartbeat.Name)
            .ExecuteUpdateAsync(s => s
                .SetProperty(w => w.LastHeartbeatTime, beat)
                .SetProperty(w => w.Updated, beat)
                .SetProperty(w => w.HeartbeatIntervalSeconds, heartbeat.HeartbeatIntervalSeconds)
                .SetProperty(w => w.OnlineUntil, onlineUntil), ct);

    public async Task<IReadOnlyList<Worker>> FilterAsync(string poolName, WorkerFilterRequest request, CancellationToken cancellationToken)
    {
        var limit = Paging.Resolve(request.Limit, request.Offset);
        var poolId = await pools.RequireIdAsync(poolName, cancellationToken);
        var now = clock.GetUtcNow();
        var workers = await Apply(store.Db.Workers.Where(w => w.WorkPoolId == poolId), request.Workers, StorageTime.ToStorage(now))
            .OrderByDescending(w => w.LastHeartbeatTime)
            .Skip(request.Offset)
            .Take(limit)
            .ToListAsync(cancellationToken);
        return workers.Select(w => ToWire(w, now)).ToList();
    }

    public async Task DeleteAsync(string poolName, string name, CancellationToken cancellationToken)
    {
        var poolId = await pools.RequireIdAsync(poolName, cancellationToken);
        var deleted = await store.WriteAsync(
            (db, ct) => db.Workers.Where(w => w.WorkPoolId == poolId && w.Name == name).ExecuteDeleteAsync(ct), cancellationToken);
        if (deleted == 0)
        {
            throw new ReeveNotFoundException($"Worker '{name}' not found in work pool '{poolName}'.");
        }
    }

    private static IQueryable<WorkerRecord> Apply(IQueryable<WorkerRecord> workers, WorkerFilter? filter, DateTime now)
    {
        if (filter is null)
        {
            return workers;
        }

        if (filter.LastHeartbeatTime?.Before is { } before)
        {
            var b = StorageTime.ToStorage(before);
            workers = workers.Where(w => w.LastHeartbeatTime <= b);
        }

        if (filter.LastHeartbeatTime?.After is { } after)
        {
            var a = StorageTime.ToStorage(after);
            workers = workers.Where(w => w.LastHeartbeatTime >= a);
        }

        if (filter.Status?.Any is { } any)
        {
            workers = (any.Contains(WorkerStatus.Online), any.Contains(WorkerStatus.Offline)) switch
            {
                (true, true) => workers,
                (true, false) => workers.Where(w => w.OnlineUntil > now),
                (false, true) => workers.Where(w => w.OnlineUntil <= now),
                _ => workers.Where(w => false),
            };
        }

        if (filter.Status?.NotAny is { } notAny)
        {
            if (notAny.Contains(WorkerStatus.Online))
            {
                workers = workers.Where(w => w.OnlineUntil <= now);
            }

            if (notAny.Contains(WorkerStatus.Offline))
            {
                workers = workers.Where(w => w.OnlineUntil > now);
            }
        }

        return workers;
    }

    private static Worker ToWire(WorkerRecord worker, DateTimeOffset now) => new()
    {
        Id = worker.Id,
        Created = StorageTime.ToWire(worker.Created),
        Updated = StorageTime.ToWire(worker.Updated),
        Name = worker.Name,
        WorkPoolId = worker.WorkPoolId,
        LastHeartbeatTime = StorageTime.ToWire(worker.LastHeartbeatTime),
        HeartbeatIntervalSeconds = worker.HeartbeatIntervalSeconds,
        Status = WorkerLiveness.StatusAt(StorageTime.ToWire(worker.OnlineUntil), now),
    };
}
