using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reeve.Core.Errors;
using Reeve.Core.Filters;
using Reeve.Core.Ids;
using Reeve.Core.Variables;
using Reeve.Server.Storage.Entities;

namespace Reeve.Server.Storage;

/// <summary>Reads and writes variables (Prefect's <c>/variables</c>).</summary>
internal sealed class VariableStore(Store store, TimeProvider clock)
{
    public async Task<Variable> CreateAsync(VariableCreate request, CancellationToken cancellationToken)
    {
        VariableRules.ValidateName(request.Name);
        var now = StorageTime.Now(clock);
        var row = new VariableRecord
        {
            Id = SequentialGuid.Next(clock.GetUtcNow()),
            Created = now,
            Updated = now,
            Name = request.Name,
            Value = VariableRules.ValueJson(request.Value),
            Tags = VariableRules.ValidateTags(request.Tags),
        };
        try
        {
            await store.WriteAsync(async (db, ct) =>
            {
                db.Variables.Add(row);
                await db.SaveChangesAsync(ct);
            }, cancellationToken);
        }
        catch (DbUpdateException e) when (Store.IsUniqueViolation(e))
        {
            throw new ReeveConflictException($"A variable with the name '{request.Name}' already exists.", e);
        }

        return ToWire(row);
    }

    public async Task<Variable> ReadAsync(Guid id, CancellationToken cancellationToken) =>
        ToWire(await store.Db.Variables.AsNoTracking().FirstOrDefaultAsync(v => v.Id == id, cancellationToken) ?? throw NotFound());

    public async Task<Variable> ReadAsync(string name, CancellationToken cancellationToken) =>
        ToWire(await store.Db.Variables.AsNoTracking().FirstOrDefaultAsync(v => v.Name == name, cancellationToken) ?? throw NotFound());

    public async Task<IReadOnlyList<Variable>> FilterAsync(VariableFilterRequest request, CancellationToken cancellationToken)
    {
        var limit = Paging.Resolve(request.Limit, request.Offset);
        var rows = Filtered(request.Variables);
        rows = request.Sort switch
        {
            null or "NAME_ASC" => rows.OrderBy(v => v.Name),
            "NAME_DESC" => rows.OrderByDescending(v => v.Name),
            "CREATED_DESC" => rows.OrderByDescending(v => v.Created).ThenBy(v => v.Name),
            "UPDATED_DESC" => rows.OrderByDescending(v => v.Updated).ThenBy(v => v.Name),
            _ => throw new ReeveValidationException("sort", "Input should be 'NAME_ASC', 'NAME_DESC', 'CREATED_DESC' or 'UPDATED_DESC'"),
        };
        var page = await rows.Skip(request.Offset).Take(limit).ToListAsync(cancellationToken);
        return [.. page.Select(ToWire)];
    }

    public Task<int> CountAsync(VariableFilter? filter, CancellationToken cancellationToken) => Filtered(filter).CountAsync(cancellationToken);

    /// <summary>Changes the variable named by <paramref name="id"/> or <paramref name="name"/>.</summary>
    public async Task UpdateAsync(Guid? id, string? name, VariableUpdate request, CancellationToken cancellationToken)
    {
        if (request.Name.IsSet)
        {
            VariableRules.ValidateName(request.Name.Value);
        }

        var value = request.Value.IsSet ? VariableRules.ValueJson(request.Value.Value) : null;
        var tags = request.Tags.IsSet ? VariableRules.ValidateTags(request.Tags.Value) : null;
        try
        {
            await store.WriteAsync(async (db, ct) =>
            {
                var row = await db.Variables.AsTracking().FirstOrDefaultAsync(v => id != null ? v.Id == id : v.Name == name, ct) ?? throw NotFound();
                if (request.Name.IsSet)
                {
                    row.Name = request.Name.Value!;
                }

                if (value is not null)
                {
                    row.Value = value;
                }

                if (tags is not null)
                {
                    row.Tags = tags;
                }

                row.Updated = StorageTime.Now(clock);
                await db.SaveChangesAsync(ct);
            }, cancellationToken);
        }
        catch (DbUpdateException e) when (Store.IsUniqueViolation(e))
        {
            throw new ReeveConflictException($"A variable with the name '{request.Name.Value}' already exists.", e);
        }
    }

    /// <summary>Deletes the variable named by <paramref name="id"/> or <paramref name="name"/>.</summary>
    public async Task DeleteAsync(Guid? id, string? name, CancellationToken cancellationToken) =>
        await store.WriteAsync(async (db, ct) =>
        {
            var deleted = id is { } byId
                ? await db.Variables.Where(v => v.Id == byId).ExecuteDeleteAsync(ct)
                : await db.Variables.Where(v => v.Name == name).ExecuteDeleteAsync(ct);
            if (deleted == 0)
            {
                throw NotFound();
            }
        }, cancellationToken);

    private IQueryable<VariableRecord> Filtered(VariableFilter? filter)
    {
        var p = new Predicates<VariableRecord>();
        QueryFilters.AddId(p, filter?.Id, v => v.Id);
        QueryFilters.AddName(p, filter?.Name, v => v.Name);
        QueryFilters.AddTags(p, filter?.Tags, v => v.Tags);
        return p.ApplyTo(store.Db.Variables.AsNoTracking(), FilterOperator.And);
    }

    private static ReeveNotFoundException NotFound() => new("Variable not found.");

    private static Variable ToWire(VariableRecord row) => new()
    {
        Id = row.Id,
        Created = StorageTime.ToWire(row.Created),
        Updated = StorageTime.ToWire(row.Updated),
        Name = row.Name,
        Value = JsonNode.Parse(row.Value),
        Tags = row.Tags,
    };
}
