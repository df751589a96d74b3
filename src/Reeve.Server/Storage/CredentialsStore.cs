using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reeve.Core.Blocks;
using Reeve.Core.Credentials;
using Reeve.Core.Errors;
using Reeve.Core.Filters;
using Reeve.Core.Ids;
using Reeve.Core.Naming;
using Reeve.Core.States;
using Reeve.Server.Storage.Entities;

namespace Reeve.Server.Storage;

/// <summary>
/// Reads and writes credentials. Secret fields are encrypted before they reach the database and decrypted in one
/// place only, <see cref="ResolveAsync"/>, for a run that is being submitted.
/// </summary>
internal sealed class CredentialsStore(Store store, SecretRows secrets, BlockStore blocks, TimeProvider clock)
{
    public async Task<Credentials> CreateAsync(CredentialsCreate request, CancellationToken cancellationToken)
    {
        ResourceName.Validate(request.Name);
        var type = RequireType(request.Type);
        var (fields, secretNames) = CredentialsData.Check(type, request.Data);
        var now = StorageTime.Now(clock);
        var row = new CredentialsRecord
        {
            Id = SequentialGuid.Next(clock.GetUtcNow()),
            Created = now,
            Updated = now,
            Name = request.Name,
            Type = type.Slug,
            PlainData = "",
            SecretData = "",
            SecretNames = "",
            BlockSchemaId = await blocks.SystemSchemaIdAsync(type.Slug, cancellationToken),
        };
        secrets.Write(row, fields, secretNames);
        try
        {
            await store.WriteAsync(async (db, ct) =>
            {
                db.Credentials.Add(row);
                await db.SaveChangesAsync(ct);
            }, cancellationToken);
        }
        catch (DbUpdateException e) when (Store.IsUniqueViolation(e))
        {
            throw new ReeveConflictException($"'{type.Slug}' credentials named '{request.Name}' already exist.", e);
        }

        return ToWire(row);
    }

    public async Task<Credentials> ReadAsync(Guid id, CancellationToken cancellationToken) =>
        ToWire(await store.Db.Credentials.FirstOrDefaultAsync(c => c.Id == id, cancellationToken)
            ?? throw new ReeveNotFoundException("Credentials", id.ToString()));

    public async Task<Credentials> ReadAsync(string type, string name, CancellationToken cancellationToken) =>
        ToWire(await store.Db.Credentials.FirstOrDefaultAsync(c => c.Type == type && c.Name == name, cancellationToken)
            ?? throw new ReeveNotFoundException("Credentials", $"{type}/{name}"));

    public async Task<IReadOnlyList<Credentials>> FilterAsync(CredentialsFilterRequest request, CancellationToken cancellationToken)
    {
        var limit = Paging.Resolve(request.Limit, request.Offset);
        var rows = store.Db.Credentials.Where(c => !c.IsAnonymous);
        if (request.Type is { } type)
        {
            rows = rows.Where(c => c.Type == type);
        }

        var page = await rows.OrderBy(c => c.Type).ThenBy(c => c.Name).Skip(request.Offset).Take(limit).ToListAsync(cancellationToken);
        return [.. page.Select(ToWire)];
    }

    public async Task<Credentials> UpdateAsync(Guid id, CredentialsUpdate request, CancellationToken cancellationToken)
    {
        CredentialsRecord? updated = null;
        await store.WriteAsync(async (db, ct) =>
        {
            var row = await db.Credentials.AsTracking().FirstOrDefaultAsync(c => c.Id == id, ct)
                ?? throw new ReeveNotFoundException("Credentials", id.ToString());
            var type = RequireType(row.Type);
            var stored = secrets.Full(row);
            var (fields, secretNames) = CredentialsData.Check(type, CredentialsData.Merge(stored, request.Data));
            secrets.Write(row, fields, secretNames);
            row.Updated = StorageTime.Now(clock);
            await db.SaveChangesAsync(ct);
            updated = row;
        }, cancellationToken);
        return ToWire(updated!);
    }

    public async Task DeleteAsync(Guid id, CancellationToken cancellationToken) =>
        await store.WriteAsync(async (db, ct) =>
        {
            if (await db.Credentials.Where(c => c.Id == id).ExecuteDeleteAsync(ct) == 0)
            {
                throw new ReeveNotFoundException("Credentials", id.ToString());
            }
        }, cancellationToken);

    /// <summary>
    /// Replaces the credentials references of a job configuration by the credentials' values, for a flow run that
    /// is being submitted (PENDING: claimed, not yet started) or in flight (RUNNING, CANCELLING: a worker following it
    /// again after a restart). The only place secrets are decrypted.
    /// </summary>
    public async Task<JsonObject> ResolveAsync(CredentialsResolveRequest request, CancellationToken cancellationToken)
    {
        var state = await store.Db.FlowRuns.Where(r => r.Id == request.FlowRunId).Select(r => new { r.StateType }).FirstOrDefaultAsync(cancellationToken)
            ?? throw new ReeveNotFoundException("Flow run", request.FlowRunId.ToString());
        // PENDING: being submitted. RUNNING or CANCELLING: in flight on its infrastructure, which a worker taking the run
        // back after a restart must reach again (a cluster's kubeconfig, a cloud key) to follow or stop it.
        if (state.StateType is not (StateType.Pending or StateType.Running or StateType.Cancelling))
        {
            throw new ReeveConflictException(
                $"Flow run {request.FlowRunId} is {state.StateType?.WireName() ?? "without a state"}: credentials are resolved only for a run being submitted (PENDING) or in flight (RUNNING, CANCELLING).");
        }

        var references = CredentialsReferences.Find(request.Configuration);
        var resolved = new Dictionary<CredentialsReference, JsonObject>();
        var used = new HashSet<Guid>();
        foreach (var reference in references)
        {
            var row = reference.Id is { } id
                ? await store.Db.Credentials.FirstOrDefaultAsync(c => c.Id == id, cancellationToken)
                : await store.Db.Credentials.FirstOrDefaultAsync(c => c.Type == reference.Type && c.Name == reference.Name, cancellationToken);
            resolved[reference] = row is null
                ? throw new ReeveValidationException("configuration", $"{reference} refers to credentials that do not exist.")
                : secrets.Full(row);
            used.Add(row.Id);
        }

        await RememberAsync(request.FlowRunId, used, cancellationToken);

        return (JsonObject)CredentialsReferences.Replace(request.Configuration, r => resolved[r])!;
    }

    /// <summary>Records which credentials a run was given, so that their secret values are masked in its logs.</summary>
    private async Task RememberAsync(Guid runId, HashSet<Guid> credentialsIds, CancellationToken cancellationToken)
    {
        if (credentialsIds.Count == 0)
        {
            return;
        }

        try
        {
            await store.WriteAsync(async (db, ct) =>
            {
                var known = await db.FlowRunCredentials.Where(u => u.FlowRunId == runId).Select(u => u.CredentialsId).ToListAsync(ct);
                db.FlowRunCredentials.AddRange(credentialsIds.Except(known).Select(id => new FlowRunCredentialsRecord { FlowRunId = runId, CredentialsId = id }));
                await db.SaveChangesAsync(ct);
            }, cancellationToken);
        }
        catch (DbUpdateException e) when (Store.IsUniqueViolation(e))
        {
            // Another submission of the same run recorded them first.
        }
        catch (DbUpdateException e) when (Store.IsForeignKeyViolation(e))
        {
            throw new ReeveConflictException($"Flow run {runId}, or credentials it refers to, was deleted while its credentials were resolved.");
        }
    }

    /// <summary>
    /// The secret values (every string inside a secret field, of <see cref="MinMaskedLength"/> characters or more) of
    /// the credentials each of <paramref name="runIds"/> was given, longest first; runs given none are left out.
    /// </summary>
    public async Task<Dictionary<Guid, List<string>>> SecretValuesOfRunsAsync(IReadOnlyCollection<Guid> runIds, CancellationToken cancellationToken)
    {
        var used = await store.Db.FlowRunCredentials.Where(u => runIds.Contains(u.FlowRunId)).ToListAsync(cancellationToken);
        if (used.Count == 0)
        {
            return [];
        }

        var ids = used.Select(u => u.CredentialsId).Distinct().ToList();
        var values = (await store.Db.Credentials.Where(c => ids.Contains(c.Id)).ToListAsync(cancellationToken))
            .ToDictionary(c => c.Id, c => BlockRules.SecretStrings(secrets.Full(c), SecretRows.Paths(c)).Where(v => v.Length >= MinMaskedLength).ToList());
        return used.GroupBy(u => u.FlowRunId).ToDictionary(g => g.Key,
            g => g.SelectMany(u => values.GetValueOrDefault(u.CredentialsId) ?? []).Distinct(StringComparer.Ordinal).OrderByDescending(v => v.Length).ToList());
    }

    /// <summary>Shorter secret values are not masked in logs: every "1" or "yes" of every line would be.</summary>
    public const int MinMaskedLength = 4;

    private static CredentialsType RequireType(string? slug) => CredentialsTypeCatalog.Find(slug)
        ?? throw new ReeveValidationException("type", $"Unknown credentials type '{slug}'; known types: {CredentialsTypeCatalog.KnownTypes}.");

    private static Credentials ToWire(CredentialsRecord row) => new()
    {
        Id = row.Id,
        Created = StorageTime.ToWire(row.Created),
        Updated = StorageTime.ToWire(row.Updated),
        Name = row.Name,
        Type = row.Type,
        Data = CredentialsData.Mask(CredentialsTypeCatalog.Find(row.Type), SecretRows.Shown(row), SecretRows.Paths(row)),
    };
}
