using Microsoft.EntityFrameworkCore;
using Reeve.Core.ConcurrencyLimits;
using Reeve.Core.Errors;
using Reeve.Core.Filters;
using Reeve.Core.Ids;
using Reeve.Core.Naming;
using Reeve.Server.Storage.Entities;

namespace Reeve.Server.Storage;

/// <summary>What an increment decided: the limits granted, or how long to wait before asking again.</summary>
internal sealed record SlotsDecision(IReadOnlyList<SlotsLimit>? Granted, double RetryAfterSeconds);

/// <summary>
/// Global concurrency limits (Prefect's <c>/v2/concurrency_limits</c>): slots are taken all together or not at all,
/// each limit's row locked while it is decided (PostgreSQL), so that racing holders never exceed a limit.
/// </summary>
internal sealed class ConcurrencyLimitStore(Store store, TimeProvider clock)
{
    private const double MaxDecayPerSecond = 1_000_000;

    public async Task<GlobalConcurrencyLimit> CreateAsync(GlobalConcurrencyLimitCreate request, CancellationToken cancellationToken)
    {
        ResourceName.Validate(request.Name);
        RequireNotNegative(request.Limit, "limit");
        RequireNotNegative(request.ActiveSlots, "active_slots");
        RequireNotNegative(request.DeniedSlots, "denied_slots");
        RequireDecay(request.SlotDecayPerSecond);
        var now = StorageTime.Now(clock);
        var row = new ConcurrencyLimitRecord
        {
            Id = SequentialGuid.Next(clock.GetUtcNow()),
            Created = now,
            Updated = now,
            Active = request.Active,
            Name = request.Name,
            Limit = request.Limit,
            ActiveSlots = request.ActiveSlots,
            DeniedSlots = request.DeniedSlots,
            SlotDecayPerSecond = request.SlotDecayPerSecond,
        };
        try
        {
            await store.WriteAsync(async (db, ct) =>
            {
                db.ConcurrencyLimits.Add(row);
                await db.SaveChangesAsync(ct);
            }, cancellationToken);
        }
        catch (DbUpdateException e) when (Store.IsUniqueViolation(e))
        {
            throw new ReeveConflictException($"A concurrency limit named '{request.Name}' already exists.", e);
        }

        return ToWire(row, now);
    }

    public async Task<GlobalConcurrencyLimit> ReadAsync(string idOrName, CancellationToken cancellationToken) =>
        ToWire(await Find(store.Db.ConcurrencyLimits.AsNoTracking(), idOrName).FirstOrDefaultAsync(cancellationToken) ?? throw NotFound(), StorageTime.Now(clock));

    public async Task<IReadOnlyList<GlobalConcurrencyLimit>> FilterAsync(int? limit, int offset, CancellationToken cancellationToken)
    {
        var take = Paging.Resolve(limit, offset);
        var now = StorageTime.Now(clock);
        var rows = await store.Db.ConcurrencyLimits.AsNoTracking().OrderBy(l => l.Name).Skip(offset).Take(take).ToListAsync(cancellationToken);
        return [.. rows.Select(r => ToWire(r, now))];
    }

    public async Task UpdateAsync(string idOrName, GlobalConcurrencyLimitUpdate update, CancellationToken cancellationToken)
    {
        if (update.Name.IsSet)
        {
            ResourceName.Validate(update.Name.Value);
        }

        RequireNotNegative(Required(update.Limit, "limit"), "limit");
        RequireNotNegative(Required(update.ActiveSlots, "active_slots"), "active_slots");
        RequireNotNegative(Required(update.DeniedSlots, "denied_slots"), "denied_slots");
        if (Required(update.SlotDecayPerSecond, "slot_decay_per_second") is { } decay)
        {
            RequireDecay(decay);
        }

        _ = Required(update.Active, "active");
        try
        {
            await store.WriteAsync(async (db, ct) =>
            {
                var row = await Find(db.ConcurrencyLimits.AsTracking(), idOrName).FirstOrDefaultAsync(ct) ?? throw NotFound();
                await store.LockAsync(LockedTable.ConcurrencyLimit, row.Id, ct);
                await db.Entry(row).ReloadAsync(ct);
                var now = StorageTime.Now(clock);
                Settle(row, now);
                row.Name = update.Name.IsSet ? update.Name.Value! : row.Name;
                row.Limit = update.Limit.IsSet ? update.Limit.Value!.Value : row.Limit;
                row.Active = update.Active.IsSet ? update.Active.Value!.Value : row.Active;
                row.ActiveSlots = update.ActiveSlots.IsSet ? update.ActiveSlots.Value!.Value : row.ActiveSlots;
                row.DeniedSlots = update.DeniedSlots.IsSet ? update.DeniedSlots.Value!.Value : row.DeniedSlots;
                row.SlotDecayPerSecond = update.SlotDecayPerSecond.IsSet ? update.SlotDecayPerSecond.Value!.Value : row.SlotDecayPerSecond;
                await db.SaveChangesAsync(ct);
            }, cancellationToken);
        }
        catch (DbUpdateException e) when (Store.IsUniqueViolation(e))
        {
            throw new ReeveConflictException($"A concurrency limit named '{update.Name.Value}' already exists.", e);
        }
    }

    public async Task DeleteAsync(string idOrName, CancellationToken cancellationToken) =>
        await store.WriteAsync(async (db, ct) =>
        {
            if (await Find(db.ConcurrencyLimits, idOrName).ExecuteDeleteAsync(ct) == 0)
            {
                throw NotFound();
            }
        }, cancellationToken);

    /// <summary>Takes <see cref="SlotsIncrement.Slots"/> of every active limit named, or none of them.</summary>
    public async Task<SlotsDecision> IncrementAsync(SlotsIncrement request, CancellationToken cancellationToken)
    {
        var names = RequireNames(request.Slots, request.Names);
        if (request.Mode is not ("concurrency" or "rate_limit"))
        {
            throw new ReeveValidationException("mode", "Input should be 'concurrency' or 'rate_limit'");
        }

        if (request.CreateIfMissing)
        {
            await CreateMissingAsync(names, request.Active, cancellationToken);
        }

        return await store.WriteAsync(async (db, ct) =>
        {
            var limits = await LockedAsync(db, names, ct);
            var now = StorageTime.Now(clock);
            var active = limits.Where(l => l.Active).ToList();
            foreach (var limit in active)
            {
                Settle(limit, now);
            }

            if (active.Any(l => l.Limit < request.Slots))
            {
                throw new ReeveValidationException("slots", "Slots requested is greater than the limit");
            }

            if (request.Mode == "rate_limit" && active.Where(l => l.SlotDecayPerSecond == 0).Select(l => l.Name).ToList() is { Count: > 0 } steady)
            {
                throw new ReeveValidationException("mode",
                    $"Only concurrency limits with slot decay can be used for rate limiting. The following limits do not have a decay configured: '{string.Join(",", steady)}'");
            }

            if (active.All(l => l.ActiveSlots + request.Slots <= l.Limit))
            {
                foreach (var limit in active)
                {
                    limit.ActiveSlots += request.Slots;
                }

                await db.SaveChangesAsync(ct);
                return new SlotsDecision([.. limits.Select(l => new SlotsLimit { Id = l.Id, Name = l.Name, Limit = l.Limit })], 0);
            }

            foreach (var limit in active)
            {
                limit.DeniedSlots += request.Slots;
            }

            await db.SaveChangesAsync(ct);
            var wait = active.Max(l => SlotArithmetic.RetryAfterSeconds(request.Slots, l.DeniedSlots - request.Slots, l.Limit, l.SlotDecayPerSecond, l.AvgSlotOccupancySeconds));
            return new SlotsDecision(null, wait);
        }, cancellationToken);
    }

    /// <summary>Gives back <see cref="SlotsDecrement.Slots"/> of every active limit named.</summary>
    public async Task<IReadOnlyList<SlotsLimit>> DecrementAsync(SlotsDecrement request, CancellationToken cancellationToken)
    {
        var names = RequireNames(request.Slots, request.Names);
        if (request.OccupancySeconds is { } occupancy && !(occupancy > 0 && double.IsFinite(occupancy)))
        {
            throw new ReeveValidationException("occupancy_seconds", "Input should be greater than 0");
        }

        if (request.CreateIfMissing)
        {
            await CreateMissingAsync(names, active: false, cancellationToken);
        }

        return await store.WriteAsync(async (db, ct) =>
        {
            var limits = await LockedAsync(db, names, ct);
            var now = StorageTime.Now(clock);
            foreach (var limit in limits.Where(l => l.Active))
            {
                Settle(limit, now);
                limit.ActiveSlots = Math.Max(0, limit.ActiveSlots - request.Slots);
                if (request.OccupancySeconds is { } seconds)
                {
                    limit.AvgSlotOccupancySeconds = SlotArithmetic.AverageOccupancy(limit.AvgSlotOccupancySeconds, limit.Limit, request.Slots, seconds);
                }
            }

            await db.SaveChangesAsync(ct);
            return (IReadOnlyList<SlotsLimit>)[.. limits.Select(l => new SlotsLimit { Id = l.Id, Name = l.Name, Limit = l.Limit })];
        }, cancellationToken);
    }

    /// <summary>Counts the decay since the row's last change into it, and makes now its last change.</summary>
    private static void Settle(ConcurrencyLimitRecord row, DateTime now)
    {
        var elapsed = (now - row.Updated).TotalSeconds;
        row.ActiveSlots = SlotArithmetic.ActiveAfterDecay(row.ActiveSlots, row.SlotDecayPerSecond, elapsed);
        row.DeniedSlots = SlotArithmetic.DeniedAfterDecay(row.DeniedSlots, row.SlotDecayPerSecond, row.AvgSlotOccupancySeconds, elapsed);
        row.Updated = now;
    }

    /// <summary>The named limits, each row locked (in id order, so that two requests never wait on each other in a circle).</summary>
    private async Task<List<ConcurrencyLimitRecord>> LockedAsync(ReeveDbContext db, List<string> names, CancellationToken ct)
    {
        var ids = await db.ConcurrencyLimits.Where(l => names.Contains(l.Name)).OrderBy(l => l.Id).Select(l => l.Id).ToListAsync(ct);
        foreach (var id in ids)
        {
            await store.LockAsync(LockedTable.ConcurrencyLimit, id, ct);
        }

        return await db.ConcurrencyLimits.AsTracking().Where(l => ids.Contains(l.Id)).OrderBy(l => l.Name).ToListAsync(ct);
    }

    /// <summary>Creates the limits of <paramref name="names"/> that do not exist (limit 1, as Prefect does); one made meanwhile by another request is fine.</summary>
    private async Task CreateMissingAsync(List<string> names, bool active, CancellationToken cancellationToken)
    {
        var existing = await store.Db.ConcurrencyLimits.AsNoTracking().Where(l => names.Contains(l.Name)).Select(l => l.Name).ToListAsync(cancellationToken);
        foreach (var name in names.Except(existing, StringComparer.Ordinal))
        {
            var now = StorageTime.Now(clock);
            try
            {
                await store.WriteAsync(async (db, ct) =>
                {
                    db.ConcurrencyLimits.Add(new ConcurrencyLimitRecord
                    {
                        Id = SequentialGuid.Next(clock.GetUtcNow()), Created = now, Updated = now, Active = active, Name = name, Limit = 1,
                    });
                    await db.SaveChangesAsync(ct);
                }, cancellationToken);
            }
            catch (DbUpdateException e) when (Store.IsUniqueViolation(e))
            {
                // Made by a request at the same moment.
            }
        }
    }

    private static List<string> RequireNames(int slots, List<string>? names)
    {
        if (slots < 1)
        {
            throw new ReeveValidationException("slots", "Input should be greater than 0");
        }

        if (names is not { Count: > 0 })
        {
            throw new ReeveValidationException("names", "List should have at least 1 item after validation, not 0");
        }

        for (var i = 0; i < names.Count; i++)
        {
            ResourceName.Validate(names[i], $"names[{i}]");
        }

        return [.. names.Distinct(StringComparer.Ordinal)];
    }

    private static IQueryable<ConcurrencyLimitRecord> Find(IQueryable<ConcurrencyLimitRecord> rows, string idOrName) =>
        Guid.TryParse(idOrName, out var id) ? rows.Where(l => l.Id == id) : rows.Where(l => l.Name == idOrName);

    private static T? Required<T>(Core.Json.Optional<T?> value, string field)
        where T : struct =>
        value.IsSet && value.Value is null ? throw new ReeveValidationException(field, "may not be null") : value.IsSet ? value.Value : null;

    private static void RequireNotNegative(int? value, string field)
    {
        if (value is < 0)
        {
            throw new ReeveValidationException(field, "Input should be greater than or equal to 0");
        }
    }

    private static void RequireDecay(double decay)
    {
        if (!(decay >= 0 && decay <= MaxDecayPerSecond))
        {
            throw new ReeveValidationException("slot_decay_per_second", $"Input should be between 0 and {MaxDecayPerSecond:N0}");
        }
    }

    private static ReeveNotFoundException NotFound() => new("Concurrency Limit not found");

    private static GlobalConcurrencyLimit ToWire(ConcurrencyLimitRecord row, DateTime now)
    {
        var elapsed = (now - row.Updated).TotalSeconds;
        return new()
        {
            Id = row.Id,
            Created = StorageTime.ToWire(row.Created),
            Updated = StorageTime.ToWire(row.Updated),
            Active = row.Active,
            Name = row.Name,
            Limit = row.Limit,
            ActiveSlots = SlotArithmetic.ActiveAfterDecay(row.ActiveSlots, row.SlotDecayPerSecond, elapsed),
            DeniedSlots = SlotArithmetic.DeniedAfterDecay(row.DeniedSlots, row.SlotDecayPerSecond, row.AvgSlotOccupancySeconds, elapsed),
            SlotDecayPerSecond = row.SlotDecayPerSecond,
            AvgSlotOccupancySeconds = row.AvgSlotOccupancySeconds,
        };
    }
}
