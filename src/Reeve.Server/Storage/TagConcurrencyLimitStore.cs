using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Reeve.Core.ConcurrencyLimits;
using Reeve.Core.Errors;
using Reeve.Core.Filters;
using Reeve.Core.Ids;
using Reeve.Core.Naming;
using Reeve.Core.Orchestration;
using Reeve.Server.Storage.Entities;

namespace Reeve.Server.Storage;

/// <summary>
/// Reads and writes tag concurrency limits (Prefect's v1 <c>/concurrency_limits</c>), and takes and frees their slots
/// for task runs as their states change (<see cref="SlotsForStartAsync"/>, <see cref="RecordAsync"/>).
/// </summary>
internal sealed class TagConcurrencyLimitStore(Store store, TimeProvider clock)
{
    /// <summary>Makes the tag's limit, or changes it (Prefect upserts by tag); whether it was made.</summary>
    public async Task<(TagConcurrencyLimit Limit, bool Created)> UpsertAsync(TagConcurrencyLimitCreate request, CancellationToken cancellationToken)
    {
        ResourceName.Validate(request.Tag, "tag");
        if (request.ConcurrencyLimit < 0)
        {
            throw new ReeveValidationException("concurrency_limit", "Input should be greater than or equal to 0");
        }

        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await store.WriteAsync(async (db, ct) =>
                {
                    var now = StorageTime.Now(clock);
                    var row = await db.TagConcurrencyLimits.AsTracking().FirstOrDefaultAsync(l => l.Tag == request.Tag, ct);
                    var created = row is null;
                    if (row is null)
                    {
                        row = new TagConcurrencyLimitRecord
                        {
                            Id = SequentialGuid.Next(clock.GetUtcNow()),
                            Created = now,
                            Tag = request.Tag,
                            ActiveSlots = "[]",
                        };
                        db.TagConcurrencyLimits.Add(row);
                    }

                    row.ConcurrencyLimit = request.ConcurrencyLimit;
                    row.Updated = now;
                    await db.SaveChangesAsync(ct);
                    return (ToWire(row), created);
                }, cancellationToken);
            }
            catch (DbUpdateException e) when (Store.IsUniqueViolation(e) && attempt < 3)
            {
                // Made by a concurrent request: change that one.
                store.Db.ChangeTracker.Clear();
            }
        }
    }

    public async Task<TagConcurrencyLimit> ReadAsync(Guid id, CancellationToken cancellationToken) =>
        ToWire(await store.Db.TagConcurrencyLimits.AsNoTracking().FirstOrDefaultAsync(l => l.Id == id, cancellationToken) ?? throw NotFound());

    public async Task<TagConcurrencyLimit> ReadAsync(string tag, CancellationToken cancellationToken) =>
        ToWire(await store.Db.TagConcurrencyLimits.AsNoTracking().FirstOrDefaultAsync(l => l.Tag == tag, cancellationToken) ?? throw NotFound());

    public async Task<IReadOnlyList<TagConcurrencyLimit>> FilterAsync(TagConcurrencyLimitFilterRequest request, CancellationToken cancellationToken)
    {
        var limit = Paging.Resolve(request.Limit, request.Offset);
        var rows = await store.Db.TagConcurrencyLimits.AsNoTracking().OrderBy(l => l.Tag).Skip(request.Offset).Take(limit).ToListAsync(cancellationToken);
        return [.. rows.Select(ToWire)];
    }

    /// <summary>Sets the slots' holders to <paramref name="holders"/> (none: frees every slot).</summary>
    public async Task ResetAsync(string tag, IReadOnlyCollection<Guid>? holders, CancellationToken cancellationToken) =>
        await store.WriteAsync(async (db, ct) =>
        {
            var row = await db.TagConcurrencyLimits.AsTracking().FirstOrDefaultAsync(l => l.Tag == tag, ct) ?? throw NotFound();
            row.ActiveSlots = JsonSerializer.Serialize((holders ?? []).Distinct());
            row.Updated = StorageTime.Now(clock);
            await db.SaveChangesAsync(ct);
        }, cancellationToken);

    public async Task DeleteAsync(Guid? id, string? tag, CancellationToken cancellationToken) =>
        await store.WriteAsync(async (db, ct) =>
        {
            var deleted = id is { } byId
                ? await db.TagConcurrencyLimits.Where(l => l.Id == byId).ExecuteDeleteAsync(ct)
                : await db.TagConcurrencyLimits.Where(l => l.Tag == tag).ExecuteDeleteAsync(ct);
            if (deleted == 0)
            {
                throw NotFound();
            }
        }, cancellationToken);

    /// <summary>
    /// The limits on <paramref name="tags"/>, locked until the transaction ends (in id order, after the task run's own
    /// row), each counted without <paramref name="taskRunId"/>: what a task run's start is decided on.
    /// </summary>
    public static async Task<IReadOnlyList<SlotUsage>?> SlotsForStartAsync(Store store, ReeveDbContext db, IReadOnlyCollection<string> tags, Guid taskRunId,
        CancellationToken cancellationToken)
    {
        if (tags.Count == 0)
        {
            return null;
        }

        var rows = await db.TagConcurrencyLimits.AsNoTracking().Where(l => tags.Contains(l.Tag)).OrderBy(l => l.Id).ToListAsync(cancellationToken);
        if (rows.Count == 0)
        {
            return null;
        }

        var usage = new List<SlotUsage>(rows.Count);
        foreach (var row in rows)
        {
            await store.LockAsync(LockedTable.TagConcurrencyLimit, row.Id, cancellationToken);
            var current = await db.TagConcurrencyLimits.AsNoTracking().Where(l => l.Id == row.Id).Select(l => new { l.ConcurrencyLimit, l.ActiveSlots }).FirstAsync(cancellationToken);
            var holders = Holders(current.ActiveSlots);
            holders.Remove(taskRunId);
            usage.Add(new SlotUsage(row.Tag, current.ConcurrencyLimit, holders.Count));
        }

        return usage;
    }

    /// <summary>
    /// After a task run's state was written: RUNNING takes a slot of each limit on its tags; any other state frees
    /// the slots it held (Prefect's <c>ReleaseTaskConcurrencySlots</c>, which applies to forced states too).
    /// </summary>
    public static async Task RecordAsync(ReeveDbContext db, IReadOnlyCollection<string> tags, Guid taskRunId, bool running, DateTime now, CancellationToken cancellationToken)
    {
        if (tags.Count == 0)
        {
            return;
        }

        var rows = await db.TagConcurrencyLimits.AsTracking().Where(l => tags.Contains(l.Tag)).ToListAsync(cancellationToken);
        foreach (var row in rows)
        {
            var holders = Holders(row.ActiveSlots);
            if (running ? holders.Add(taskRunId) : holders.Remove(taskRunId))
            {
                row.ActiveSlots = JsonSerializer.Serialize(holders);
                row.Updated = now;
            }
        }
    }

    private static HashSet<Guid> Holders(string json) => JsonSerializer.Deserialize<HashSet<Guid>>(json) ?? [];

    private static ReeveNotFoundException NotFound() => new("Concurrency limit not found");

    private static TagConcurrencyLimit ToWire(TagConcurrencyLimitRecord row) => new()
    {
        Id = row.Id,
        Created = StorageTime.ToWire(row.Created),
        Updated = StorageTime.ToWire(row.Updated),
        Tag = row.Tag,
        ConcurrencyLimit = row.ConcurrencyLimit,
        ActiveSlots = [.. Holders(row.ActiveSlots)],
    };
}
