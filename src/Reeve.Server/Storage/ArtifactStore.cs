using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reeve.Core.Artifacts;
using Reeve.Core.Errors;
using Reeve.Core.Filters;
using Reeve.Core.Ids;
using Reeve.Server.Storage.Entities;

namespace Reeve.Server.Storage;

/// <summary>Reads and writes artifacts (Prefect's <c>/artifacts</c>): versions by key, the latest first.</summary>
internal sealed class ArtifactStore(Store store, TimeProvider clock)
{
    public async Task<Artifact> CreateAsync(ArtifactCreate request, CancellationToken cancellationToken)
    {
        ArtifactRules.ValidateKey(request.Key);
        ArtifactRules.ValidateMetadata(request.Metadata);
        var data = ArtifactRules.DataJson(request.Data);
        var now = StorageTime.Now(clock);
        var row = new ArtifactRecord
        {
            Id = SequentialGuid.Next(clock.GetUtcNow()),
            Created = now,
            Updated = now,
            Key = request.Key,
            Type = request.Type,
            Description = request.Description,
            Data = data,
            Metadata = request.Metadata is null ? null : JsonSerializer.Serialize(request.Metadata),
            FlowRunId = request.FlowRunId,
            TaskRunId = request.TaskRunId,
        };
        await store.WriteAsync(async (db, ct) =>
        {
            db.Artifacts.Add(row);
            await db.SaveChangesAsync(ct);
        }, cancellationToken);
        return ToWire(row);
    }

    public async Task<Artifact> ReadAsync(Guid id, CancellationToken cancellationToken) =>
        ToWire(await store.Db.Artifacts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, cancellationToken) ?? throw NotFound());

    /// <summary>The latest version of the artifact with <paramref name="key"/>.</summary>
    public async Task<Artifact> LatestAsync(string key, CancellationToken cancellationToken) =>
        ToWire(await store.Db.Artifacts.AsNoTracking().Where(a => a.Key == key).OrderByDescending(a => a.Created).ThenByDescending(a => a.Id)
            .FirstOrDefaultAsync(cancellationToken) ?? throw NotFound());

    public async Task<IReadOnlyList<Artifact>> FilterAsync(ArtifactFilterRequest request, CancellationToken cancellationToken)
    {
        var limit = Paging.Resolve(request.Limit, request.Offset);
        var rows = request.Sort switch
        {
            null or "ID_DESC" or "CREATED_DESC" => Filtered(request.Artifacts).OrderByDescending(a => a.Created).ThenByDescending(a => a.Id),
            "KEY_ASC" => Filtered(request.Artifacts).OrderBy(a => a.Key).ThenByDescending(a => a.Created),
            "KEY_DESC" => Filtered(request.Artifacts).OrderByDescending(a => a.Key).ThenByDescending(a => a.Created),
            "UPDATED_DESC" => Filtered(request.Artifacts).OrderByDescending(a => a.Updated).ThenByDescending(a => a.Id),
            _ => throw new ReeveValidationException("sort", "Input should be 'ID_DESC', 'CREATED_DESC', 'UPDATED_DESC', 'KEY_ASC' or 'KEY_DESC'"),
        };
        var page = await rows.Skip(request.Offset).Take(limit).ToListAsync(cancellationToken);
        return [.. page.Select(ToWire)];
    }

    public Task<int> CountAsync(ArtifactFilter? filter, CancellationToken cancellationToken) => Filtered(filter).CountAsync(cancellationToken);

    /// <summary>The latest version of each key (Prefect's <c>/artifacts/latest/filter</c>).</summary>
    public async Task<IReadOnlyList<ArtifactCollection>> LatestFilterAsync(ArtifactCollectionFilterRequest request, CancellationToken cancellationToken)
    {
        var limit = Paging.Resolve(request.Limit, request.Offset);
        var latest = Latest(request.Artifacts);
        var rows = request.Sort switch
        {
            null or "ID_DESC" or "CREATED_DESC" => latest.OrderByDescending(a => a.Created).ThenByDescending(a => a.Id),
            "UPDATED_DESC" => latest.OrderByDescending(a => a.Updated).ThenByDescending(a => a.Id),
            "KEY_ASC" => latest.OrderBy(a => a.Key),
            "KEY_DESC" => latest.OrderByDescending(a => a.Key),
            _ => throw new ReeveValidationException("sort", "Input should be 'ID_DESC', 'CREATED_DESC', 'UPDATED_DESC', 'KEY_ASC' or 'KEY_DESC'"),
        };
        var all = store.Db.Artifacts.AsNoTracking();
        var page = await rows.Skip(request.Offset).Take(limit)
            .Select(a => new { Latest = a, First = all.Where(b => b.Key == a.Key).OrderBy(b => b.Created).Select(b => b.Id).First() })
            .ToListAsync(cancellationToken);
        return [.. page.Select(p => new ArtifactCollection
        {
            Id = p.First,
            LatestId = p.Latest.Id,
            Created = StorageTime.ToWire(p.Latest.Created),
            Updated = StorageTime.ToWire(p.Latest.Updated),
            Key = p.Latest.Key!,
            Type = p.Latest.Type,
            Description = p.Latest.Description,
            Data = p.Latest.Data is null ? null : JsonNode.Parse(p.Latest.Data),
            Metadata = p.Latest.Metadata is null ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(p.Latest.Metadata),
            FlowRunId = p.Latest.FlowRunId,
            TaskRunId = p.Latest.TaskRunId,
        })];
    }

    public Task<int> LatestCountAsync(ArtifactCollectionFilter? filter, CancellationToken cancellationToken) => Latest(filter).CountAsync(cancellationToken);

    /// <summary>The keyed artifacts that are their key's latest version (as <see cref="LatestAsync"/> orders them), filtered.</summary>
    private IQueryable<ArtifactRecord> Latest(ArtifactCollectionFilter? filter)
    {
        var all = store.Db.Artifacts.AsNoTracking();
        return Filtered(new ArtifactFilter
        {
            Id = filter?.LatestId,
            Key = filter?.Key,
            FlowRunId = filter?.FlowRunId,
            TaskRunId = filter?.TaskRunId,
            Type = filter?.Type,
        }).Where(a => a.Key != null && all.Where(b => b.Key == a.Key).OrderByDescending(b => b.Created).ThenByDescending(b => b.Id).Select(b => b.Id).First() == a.Id);
    }

    public async Task UpdateAsync(Guid id, ArtifactUpdate request, CancellationToken cancellationToken)
    {
        if (request.Metadata.IsSet)
        {
            ArtifactRules.ValidateMetadata(request.Metadata.Value);
        }

        var data = request.Data.IsSet ? ArtifactRules.DataJson(request.Data.Value) : null;
        await store.WriteAsync(async (db, ct) =>
        {
            var row = await db.Artifacts.AsTracking().FirstOrDefaultAsync(a => a.Id == id, ct) ?? throw NotFound();
            if (request.Data.IsSet)
            {
                row.Data = data;
            }

            if (request.Description.IsSet)
            {
                row.Description = request.Description.Value;
            }

            if (request.Metadata.IsSet)
            {
                row.Metadata = request.Metadata.Value is null ? null : JsonSerializer.Serialize(request.Metadata.Value);
            }

            row.Updated = StorageTime.Now(clock);
            await db.SaveChangesAsync(ct);
        }, cancellationToken);
    }

    public async Task DeleteAsync(Guid id, CancellationToken cancellationToken) =>
        await store.WriteAsync(async (db, ct) =>
        {
            if (await db.Artifacts.Where(a => a.Id == id).ExecuteDeleteAsync(ct) == 0)
            {
                throw NotFound();
            }
        }, cancellationToken);

    private IQueryable<ArtifactRecord> Filtered(ArtifactFilter? filter)
    {
        var p = new Predicates<ArtifactRecord>();
        QueryFilters.AddId(p, filter?.Id, a => a.Id);
        var rows = p.ApplyTo(store.Db.Artifacts.AsNoTracking(), FilterOperator.And);

        if (filter?.Key?.Any is { } keys)
        {
            rows = rows.Where(a => a.Key != null && keys.Contains(a.Key));
        }

        if (filter?.Key?.Like is { Length: > 0 } like)
        {
            var lowered = like.ToLowerInvariant();
#pragma warning disable CA1862 // EF translates ToLower().Contains to SQL; the comparison overload is not translatable.
            rows = rows.Where(a => a.Key != null && a.Key.ToLower().Contains(lowered));
#pragma warning restore CA1862
        }

        if (filter?.Key?.Exists is { } exists)
        {
            rows = exists ? rows.Where(a => a.Key != null) : rows.Where(a => a.Key == null);
        }

        if (filter?.FlowRunId?.Any is { } runs)
        {
            rows = rows.Where(a => a.FlowRunId != null && runs.Contains(a.FlowRunId.Value));
        }

        if (filter?.FlowRunId?.IsNull is { } noRun)
        {
            rows = noRun ? rows.Where(a => a.FlowRunId == null) : rows.Where(a => a.FlowRunId != null);
        }

        if (filter?.TaskRunId?.Any is { } tasks)
        {
            rows = rows.Where(a => a.TaskRunId != null && tasks.Contains(a.TaskRunId.Value));
        }

        if (filter?.TaskRunId?.IsNull is { } noTask)
        {
            rows = noTask ? rows.Where(a => a.TaskRunId == null) : rows.Where(a => a.TaskRunId != null);
        }

        if (filter?.Type?.Any is { } types)
        {
            rows = rows.Where(a => a.Type != null && types.Contains(a.Type));
        }

        if (filter?.Type?.NotAny is { } notTypes)
        {
            rows = rows.Where(a => a.Type == null || !notTypes.Contains(a.Type));
        }

        return rows;
    }

    private static ReeveNotFoundException NotFound() => new("Artifact not found.");

    private static Artifact ToWire(ArtifactRecord row) => new()
    {
        Id = row.Id,
        Created = StorageTime.ToWire(row.Created),
        Updated = StorageTime.ToWire(row.Updated),
        Key = row.Key,
        Type = row.Type,
        Description = row.Description,
        Data = row.Data is null ? null : JsonNode.Parse(row.Data),
        Metadata = row.Metadata is null ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(row.Metadata),
        FlowRunId = row.FlowRunId,
        TaskRunId = row.TaskRunId,
    };
}
