using Microsoft.EntityFrameworkCore;
using Reeve.Core.Errors;
using Reeve.Core.Filters;
using Reeve.Core.Flows;
using Reeve.Core.Ids;
using Reeve.Core.Naming;
using Reeve.Server.Storage.Entities;

namespace Reeve.Server.Storage;

/// <summary>Reads and writes flows.</summary>
internal sealed class FlowStore(Store store, TimeProvider clock)
{
    /// <summary>Registers a flow, or returns the one with the same name unchanged (<c>Created</c> false).</summary>
    public async Task<(Flow Flow, bool Created)> CreateAsync(FlowCreate request, CancellationToken cancellationToken)
    {
        ResourceName.Validate(request.Name);
        if (await store.Db.Flows.FirstOrDefaultAsync(f => f.Name == request.Name, cancellationToken) is { } existing)
        {
            return (ToWire(existing), false);
        }

        var now = StorageTime.Now(clock);
        var flow = new FlowRecord
        {
            Id = SequentialGuid.Next(clock.GetUtcNow()),
            Created = now,
            Updated = now,
            Name = request.Name,
            Tags = request.Tags ?? [],
            Labels = JsonText.Write(request.Labels ?? []),
        };
        try
        {
            await store.WriteAsync(async (db, ct) =>
            {
                db.Flows.Add(flow);
                await db.SaveChangesAsync(ct);
            }, cancellationToken);
            return (ToWire(flow), true);
        }
        catch (DbUpdateException e) when (Store.IsUniqueViolation(e))
        {
            // Registered by a racing request in between: that one is the flow.
            return (ToWire(await store.Db.Flows.FirstAsync(f => f.Name == request.Name, cancellationToken)), false);
        }
    }

    public async Task<Flow> ReadAsync(Guid id, CancellationToken cancellationToken) =>
        ToWire(await store.Db.Flows.FirstOrDefaultAsync(f => f.Id == id, cancellationToken) ?? throw NotFound());

    public async Task<Flow> ReadByNameAsync(string name, CancellationToken cancellationToken) =>
        ToWire(await store.Db.Flows.FirstOrDefaultAsync(f => f.Name == name, cancellationToken) ?? throw NotFound());

    public async Task UpdateAsync(Guid id, FlowUpdate update, CancellationToken cancellationToken)
    {
        var now = StorageTime.Now(clock);
        var tags = update.Tags ?? [];
        var changed = await store.WriteAsync((db, ct) => db.Flows.Where(f => f.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(f => f.Tags, tags).SetProperty(f => f.Updated, now), ct), cancellationToken);
        if (changed == 0)
        {
            throw NotFound();
        }
    }

    public async Task DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        var deleted = await store.WriteAsync(async (db, ct) =>
        {
            await db.Logs.Where(l => db.FlowRuns.Any(r => r.FlowId == id && r.Id == l.FlowRunId)).ExecuteDeleteAsync(ct);
            return await db.Flows.Where(f => f.Id == id).ExecuteDeleteAsync(ct);
        }, cancellationToken);
        if (deleted == 0)
        {
            throw NotFound();
        }
    }

    public async Task<IReadOnlyList<Flow>> FilterAsync(FlowFilterRequest request, CancellationToken cancellationToken)
    {
        var limit = Paging.Resolve(request.Limit, request.Offset);
        var flows = QueryFilters.Flows(store.Db, store.Db.Flows, request.Flows);
        if (request.Deployments is not null)
        {
            var deployments = QueryFilters.Deployments(store.Db.Deployments, request.Deployments);
            flows = flows.Where(f => deployments.Any(d => d.FlowId == f.Id));
        }

        flows = (request.Sort ?? "NAME_ASC") switch
        {
            "NAME_ASC" => flows.OrderBy(f => f.Name),
            "NAME_DESC" => flows.OrderByDescending(f => f.Name),
            "CREATED_DESC" => flows.OrderByDescending(f => f.Created),
            "UPDATED_DESC" => flows.OrderByDescending(f => f.Updated),
            var other => throw new ReeveValidationException("sort", $"'{other}' is not a flow sort; use NAME_ASC, NAME_DESC, CREATED_DESC or UPDATED_DESC"),
        };
        var rows = await flows.Skip(request.Offset).Take(limit).ToListAsync(cancellationToken);
        return rows.Select(ToWire).ToList();
    }

    public Task<int> CountAsync(FlowFilterRequest request, CancellationToken cancellationToken) =>
        QueryFilters.Flows(store.Db, store.Db.Flows, request.Flows).CountAsync(cancellationToken);

    internal static ReeveNotFoundException NotFound() => new("Flow not found");

    internal static Flow ToWire(FlowRecord flow) => new()
    {
        Id = flow.Id,
        Created = StorageTime.ToWire(flow.Created),
        Updated = StorageTime.ToWire(flow.Updated),
        Name = flow.Name,
        Tags = flow.Tags,
        Labels = JsonText.Object(flow.Labels),
    };
}
