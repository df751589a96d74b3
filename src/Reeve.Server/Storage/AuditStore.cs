using Microsoft.EntityFrameworkCore;
using Reeve.Core.Audit;
using Reeve.Core.Errors;
using Reeve.Core.Filters;
using Reeve.Core.Ids;
using Reeve.Server.Storage.Entities;

namespace Reeve.Server.Storage;

/// <summary>The audit log: entries are appended (by the API, for each change a key makes) and read by admins; nothing changes or deletes them.</summary>
internal sealed class AuditStore(Store store, TimeProvider clock)
{
    /// <summary>The longest resource kept (a queue is <c>POOL/QUEUE</c>, two names).</summary>
    public const int MaxResourceLength = 400;

    public async Task AppendAsync(string actor, string role, string action, string? resource, string request, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var row = new AuditRecord
        {
            Id = SequentialGuid.Next(now),
            Occurred = StorageTime.ToStorage(now),
            Actor = actor,
            Role = role,
            Action = action,
            Resource = resource is { Length: > MaxResourceLength } ? resource[..MaxResourceLength] : resource,
            Request = request,
        };
        await store.WriteAsync(async (db, ct) =>
        {
            db.Audit.Add(row);
            await db.SaveChangesAsync(ct);
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<AuditEvent>> FilterAsync(AuditFilterRequest request, CancellationToken cancellationToken)
    {
        var limit = Paging.Resolve(request.Limit, request.Offset);
        var query = store.Db.Audit.AsNoTracking();
        if (request.Actor is { } actor)
        {
            query = query.Where(a => a.Actor == actor);
        }

        if (request.Action is { } action)
        {
            if (action.Length > 60)
            {
                throw new ReeveValidationException("action", "at most 60 characters.");
            }

            query = action.EndsWith('.') ? query.Where(a => a.Action.StartsWith(action)) : query.Where(a => a.Action == action);
        }

        if (request.Since is { } since)
        {
            var from = StorageTime.ToStorage(since);
            query = query.Where(a => a.Occurred >= from);
        }

        var rows = await query.OrderByDescending(a => a.Occurred).ThenByDescending(a => a.Id)
            .Skip(request.Offset).Take(limit).ToListAsync(cancellationToken);
        return [.. rows.Select(a => new AuditEvent
        {
            Id = a.Id,
            Occurred = StorageTime.ToWire(a.Occurred),
            Actor = a.Actor,
            Role = a.Role,
            Action = a.Action,
            Resource = a.Resource,
            Request = a.Request,
        })];
    }
}
