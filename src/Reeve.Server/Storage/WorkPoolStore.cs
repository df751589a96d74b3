using System.Text.Json.Nodes;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Reeve.Core.Errors;
using Reeve.Core.Filters;
using Reeve.Core.Ids;
using Reeve.Core.JobTemplates;
using Reeve.Core.Json;
using Reeve.Core.Naming;
using Reeve.Core.PoolTypes;
using Reeve.Core.WorkPools;
using Reeve.Server.Storage.Entities;

namespace Reeve.Server.Storage;

/// <summary>Reads and writes work pools.</summary>
internal sealed class WorkPoolStore(Store store, TimeProvider clock)
{
    public const string DefaultQueueName = "default";
    public const string DefaultQueueDescription = "The work pool's default queue.";

    public async Task<WorkPool> CreateAsync(WorkPoolCreate request, CancellationToken cancellationToken)
    {
        ResourceName.Validate(request.Name);
        var type = RequireType(request.Type);
        RequireLimit(request.ConcurrencyLimit);
        Core.Schedules.LateRuns.RequireExpiry(request.ExpireLateRunsAfter);
        var template = ResolveTemplate(type, request.BaseJobTemplate);

        var now = StorageTime.Now(clock);
        var pool = new WorkPoolRecord
        {
            Id = SequentialGuid.Next(clock.GetUtcNow()),
            Created = now,
            Updated = now,
            Name = request.Name,
            Description = request.Description,
            Type = type.Type,
            BaseJobTemplate = template.ToJsonString(),
            IsPaused = request.IsPaused,
            ConcurrencyLimit = request.ConcurrencyLimit,
            ExpireLateRunsAfter = request.ExpireLateRunsAfter,
            StorageConfiguration = Serialize(request.StorageConfiguration ?? new WorkPoolStorageConfiguration()),
        };
        var queue = new WorkQueueRecord
        {
            Id = SequentialGuid.Next(clock.GetUtcNow()),
            Created = now,
            Updated = now,
            WorkPoolId = pool.Id,
            Name = DefaultQueueName,
            Description = DefaultQueueDescription,
            Priority = 1,
        };
        pool.DefaultQueueId = queue.Id;

        try
        {
            await store.WriteAsync(async (db, ct) =>
            {
                db.WorkPools.Add(pool);
                db.WorkQueues.Add(queue);
                await db.SaveChangesAsync(ct);
            }, cancellationToken);
        }
        catch (DbUpdateException e) when (Store.IsUniqueViolation(e))
        {
            throw new ReeveConflictException($"A work pool named '{request.Name}' already exists.", e);
        }

        return ToWire(pool, hasOnlineWorker: false);
    }

    public async Task<WorkPool> ReadAsync(string name, CancellationToken cancellationToken)
    {
        var now = StorageTime.Now(clock);
        var row = await store.Db.WorkPools
            .Where(p => p.Name == name)
            .Select(p => new { Pool = p, Online = p.Workers.Any(w => w.OnlineUntil > now) })
            .FirstOrDefaultAsync(cancellationToken)
            ?? throw NotFound(name);
        return ToWire(row.Pool, row.Online);
    }

    /// <summary>Finds a pool's id by name, or throws 404.</summary>
    public async Task<Guid> RequireIdAsync(string name, CancellationToken cancellationToken) =>
        await store.Db.WorkPools.Where(p => p.Name == name).Select(p => (Guid?)p.Id).FirstOrDefaultAsync(cancellationToken)
        ?? throw NotFound(name);

    /// <summary>Whether a pool of this name exists.</summary>
    public Task<bool> ExistsAsync(string name, CancellationToken cancellationToken) => store.Db.WorkPools.AnyAsync(p => p.Name == name, cancellationToken);

    public async Task UpdateAsync(string name, WorkPoolUpdate update, CancellationToken cancellationToken)
    {
        if (update.ConcurrencyLimit.IsSet)
        {
            RequireLimit(update.ConcurrencyLimit.Value);
        }

        if (update.ExpireLateRunsAfter.IsSet)
        {
            Core.Schedules.LateRuns.RequireExpiry(update.ExpireLateRunsAfter.Value);
        }

        await store.WriteAsync(async (db, ct) =>
        {
            var pool = await db.WorkPools.AsTracking().FirstOrDefaultAsync(p => p.Name == name, ct) ?? throw NotFound(name);
            if (update.BaseJobTemplate.IsSet)
            {
                var type = PoolTypeCatalog.Find(pool.Type) ?? RequireType(pool.Type);
                pool.BaseJobTemplate = ResolveTemplate(type, update.BaseJobTemplate.Value).ToJsonString();
            }

            if (update.Description.IsSet)
            {
                pool.Description = update.Description.Value;
            }

            if (update.IsPaused.IsSet)
            {
                pool.IsPaused = update.IsPaused.Value;
            }

            if (update.ConcurrencyLimit.IsSet)
            {
                pool.ConcurrencyLimit = update.ConcurrencyLimit.Value;
            }

            if (update.ExpireLateRunsAfter.IsSet)
            {
                pool.ExpireLateRunsAfter = update.ExpireLateRunsAfter.Value;
            }

            if (update.StorageConfiguration.IsSet)
            {
                pool.StorageConfiguration = Serialize(update.StorageConfiguration.Value ?? new WorkPoolStorageConfiguration());
            }

            pool.Updated = StorageTime.Now(clock);
            await db.SaveChangesAsync(ct);
        }, cancellationToken);
    }

    public async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        var deleted = await store.WriteAsync((db, ct) => db.WorkPools.Where(p => p.Name == name).ExecuteDeleteAsync(ct), cancellationToken);
        if (deleted == 0)
        {
            throw NotFound(name);
        }
    }

    public async Task<IReadOnlyList<WorkPool>> FilterAsync(WorkPoolFilterRequest request, CancellationToken cancellationToken)
    {
        var limit = Paging.Resolve(request.Limit, request.Offset);
        var now = StorageTime.Now(clock);
        var rows = await Apply(store.Db.WorkPools, request.WorkPools)
            .OrderBy(p => p.Name)
            .Skip(request.Offset)
            .Take(limit)
            .Select(p => new { Pool = p, Online = p.Workers.Any(w => w.OnlineUntil > now) })
            .ToListAsync(cancellationToken);
        return rows.Select(r => ToWire(r.Pool, r.Online)).ToList();
    }

    public Task<int> CountAsync(WorkPoolFilter? filter, CancellationToken cancellationToken) =>
        Apply(store.Db.WorkPools, filter).CountAsync(cancellationToken);

    internal static IQueryable<WorkPoolRecord> Apply(IQueryable<WorkPoolRecord> pools, WorkPoolFilter? filter)
    {
        if (filter is null)
        {
            return pools;
        }

        var ids = filter.Id?.Any;
        var names = filter.Name?.Any;
        var types = filter.Type?.Any;
        if (filter.Operator == FilterOperator.Or && (ids is not null || names is not null || types is not null))
        {
            return pools.Where(p =>
                (ids != null && ids.Contains(p.Id)) ||
                (names != null && names.Contains(p.Name)) ||
                (types != null && types.Contains(p.Type)));
        }

        if (ids is not null)
        {
            pools = pools.Where(p => ids.Contains(p.Id));
        }

        if (names is not null)
        {
            pools = pools.Where(p => names.Contains(p.Name));
        }

        if (types is not null)
        {
            pools = pools.Where(p => types.Contains(p.Type));
        }

        return pools;
    }

    internal static ReeveNotFoundException NotFound(string name) => new($"Work pool \"{name}\" not found.");

    private static PoolType RequireType(string? type)
    {
        if (string.IsNullOrWhiteSpace(type))
        {
            throw new ReeveValidationException("type", "Field required");
        }

        return PoolTypeCatalog.Find(type)
            ?? throw new ReeveValidationException("type", $"Unknown work pool type '{type}'. Please choose from {PoolTypeCatalog.KnownTypes}.");
    }

    private static void RequireLimit(int? limit)
    {
        if (limit is < 0)
        {
            throw new ReeveValidationException("concurrency_limit", "Input should be greater than or equal to 0");
        }
    }

    private static JsonObject ResolveTemplate(PoolType type, JsonObject? template)
    {
        if (BaseJobTemplateRules.IsEmpty(template))
        {
            return type.DefaultBaseJobTemplate;
        }

        BaseJobTemplateRules.Validate(template!);
        return template!;
    }

    private static string Serialize(WorkPoolStorageConfiguration configuration) =>
        JsonSerializer.Serialize(configuration, ReeveJson.Default);

    internal static WorkPool ToWire(WorkPoolRecord pool, bool hasOnlineWorker) => new()
    {
        Id = pool.Id,
        Created = StorageTime.ToWire(pool.Created),
        Updated = StorageTime.ToWire(pool.Updated),
        Name = pool.Name,
        Description = pool.Description,
        Type = pool.Type,
        BaseJobTemplate = JsonNode.Parse(pool.BaseJobTemplate) as JsonObject ?? [],
        IsPaused = pool.IsPaused,
        ConcurrencyLimit = pool.ConcurrencyLimit,
        ExpireLateRunsAfter = pool.ExpireLateRunsAfter,
        Status = WorkPoolStatusRule.Decide(pool.IsPaused, hasOnlineWorker),
        DefaultQueueId = pool.DefaultQueueId,
        StorageConfiguration = JsonSerializer.Deserialize<WorkPoolStorageConfiguration>(pool.StorageConfiguration, ReeveJson.Default)
            ?? new WorkPoolStorageConfiguration(),
    };
}
