using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Reeve.Core.Access;
using Reeve.Core.Errors;
using Reeve.Core.Filters;
using Reeve.Core.Ids;
using Reeve.Core.Naming;
using Reeve.Server.Storage.Entities;

namespace Reeve.Server.Storage;

/// <summary>
/// Creates, lists and revokes API keys. A key is 32 random bytes, shown once when it is created; the database keeps
/// only its SHA-256 (a key has 256 bits of entropy, so a fast hash cannot be reversed by guessing).
/// </summary>
internal sealed class ApiKeyStore(Store store, TimeProvider clock)
{
    /// <summary>What every key starts with, so that a leaked one is recognisable (secret scanners, logs).</summary>
    public const string KeyPrefix = "reeve_";

    /// <summary>How many pools a worker key may name.</summary>
    public const int MaxPools = 100;

    public async Task<ApiKeyCreated> CreateAsync(ApiKeyCreate request, CancellationToken cancellationToken)
    {
        ResourceName.Validate(request.Name);
        var role = ApiRoles.Parse(request.Role);
        var pools = request.WorkPools ?? [];
        if (pools.Count > 0 && role != ApiRoles.Worker)
        {
            throw new ReeveValidationException("work_pools", $"only worker keys are limited to pools (this key's role is {role}).");
        }

        if (pools.Count > MaxPools)
        {
            throw new ReeveValidationException("work_pools", $"at most {MaxPools} pools (got {pools.Count}).");
        }

        for (var i = 0; i < pools.Count; i++)
        {
            ResourceName.Validate(pools[i], $"work_pools[{i}]");
        }

        var now = clock.GetUtcNow();
        if (request.Expires is { } expires && (expires <= now || expires > now.AddYears(100)))
        {
            throw new ReeveValidationException("expires", "must be in the future and within 100 years.");
        }

        var key = KeyPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var row = new ApiKeyRecord
        {
            Id = SequentialGuid.Next(now),
            Created = StorageTime.ToStorage(now),
            Name = request.Name,
            Role = role,
            WorkPools = JsonSerializer.Serialize(pools.Distinct(StringComparer.Ordinal).ToArray()),
            Expires = StorageTime.ToStorage(request.Expires),
            KeyHash = Hash(key),
            Prefix = key[..(KeyPrefix.Length + 4)],
        };
        try
        {
            await store.WriteAsync(async (db, ct) =>
            {
                db.ApiKeys.Add(row);
                await db.SaveChangesAsync(ct);
            }, cancellationToken);
        }
        catch (DbUpdateException e) when (Store.IsUniqueViolation(e))
        {
            throw new ReeveConflictException($"An API key named '{request.Name}' already exists.", e);
        }

        var wire = ToWire(row);
        return new ApiKeyCreated
        {
            Id = wire.Id, Created = wire.Created, Name = wire.Name, Role = wire.Role, WorkPools = wire.WorkPools,
            Expires = wire.Expires, Prefix = wire.Prefix, Key = key,
        };
    }

    public async Task<IReadOnlyList<ApiKey>> FilterAsync(ApiKeyFilterRequest request, CancellationToken cancellationToken)
    {
        var limit = Paging.Resolve(request.Limit, request.Offset);
        var page = await store.Db.ApiKeys.OrderBy(k => k.Name).Skip(request.Offset).Take(limit).ToListAsync(cancellationToken);
        return [.. page.Select(ToWire)];
    }

    /// <summary>Revokes a key: it is deleted, and refused from then on.</summary>
    public async Task<ApiKey> DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        ApiKey? deleted = null;
        await store.WriteAsync(async (db, ct) =>
        {
            var row = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id, ct) ?? throw new ReeveNotFoundException("API key", id.ToString());
            await db.ApiKeys.Where(k => k.Id == id).ExecuteDeleteAsync(ct);
            deleted = ToWire(row);
        }, cancellationToken);
        return deleted!;
    }

    /// <summary>The key whose SHA-256 is <paramref name="hash"/>, or null.</summary>
    public async Task<ApiKey?> FindAsync(string hash, CancellationToken cancellationToken) =>
        await store.Db.ApiKeys.FirstOrDefaultAsync(k => k.KeyHash == hash, cancellationToken) is { } row ? ToWire(row) : null;

    /// <summary>The SHA-256 of a key, lowercase hex.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static ApiKey ToWire(ApiKeyRecord row) => new()
    {
        Id = row.Id,
        Created = StorageTime.ToWire(row.Created),
        Name = row.Name,
        Role = row.Role,
        WorkPools = JsonSerializer.Deserialize<string[]>(row.WorkPools) ?? [],
        Expires = StorageTime.ToWire(row.Expires),
        Prefix = row.Prefix,
    };
}
