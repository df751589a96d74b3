using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Reeve.Core.Access;
using Reeve.Core.Errors;
using Reeve.Server.Storage;

namespace Reeve.Server.Api;

/// <summary>Who made a request: the API key's name, its role and, for a worker key, its pools.</summary>
internal sealed record ApiCaller(string Name, string Role, IReadOnlyList<string> Pools)
{
    /// <summary>The caller of a server without an API key: anyone who reaches it may do everything.</summary>
    public static readonly ApiCaller Open = new("anonymous", ApiRoles.Admin, []);

    /// <summary>The holder of the server's own key (<c>REEVE_SERVER_API_KEY</c>).</summary>
    public static readonly ApiCaller Bootstrap = new("REEVE_SERVER_API_KEY", ApiRoles.Admin, []);

    /// <summary>True for a worker key limited to some pools.</summary>
    public bool IsPoolLimited => Role == ApiRoles.Worker && Pools.Count > 0;

    /// <summary>The caller of <paramref name="context"/>'s request (<see cref="Open"/> when no key was needed).</summary>
    public static ApiCaller Of(HttpContext context) => context.Features.Get<ApiCaller>() ?? Open;

    private string PoolList => string.Join(", ", Pools.Select(p => $"'{p}'"));

    /// <summary>Refuses a pool-limited worker key for a pool that is not one of its own.</summary>
    public void EnsurePool(string? pool)
    {
        if (IsPoolLimited && (pool is null || !Pools.Contains(pool, StringComparer.Ordinal)))
        {
            throw new ReeveForbiddenException(
                $"The API key '{Name}' works for the pools {PoolList} only{(pool is null ? "" : $", not '{pool}'")}.");
        }
    }

    /// <summary>Refuses a pool-limited worker key for a flow run that is not in one of its pools.</summary>
    public Task EnsureRunAsync(ReeveDbContext db, Guid runId, CancellationToken cancellationToken) =>
        EnsureRunsAsync(db, [runId], cancellationToken);

    /// <summary>
    /// Refuses a pool-limited worker key when any of <paramref name="runIds"/> is not a flow run in one of its pools
    /// (what a batch of logs or task runs names; lines and task runs of no flow run are let through).
    /// </summary>
    public async Task EnsureRunsAsync(ReeveDbContext db, IEnumerable<Guid?> runIds, CancellationToken cancellationToken)
    {
        if (!IsPoolLimited)
        {
            return;
        }

        var ids = runIds.OfType<Guid>().Distinct().ToList();
        if (ids.Count == 0)
        {
            return;
        }

        var inPools = await (from run in db.FlowRuns
                             where ids.Contains(run.Id)
                             join p in db.WorkPools on run.WorkPoolId equals p.Id
                             where Pools.Contains(p.Name)
                             select run.Id).CountAsync(cancellationToken);
        if (inPools != ids.Count)
        {
            throw new ReeveForbiddenException(ids.Count == 1
                ? $"The API key '{Name}' works for the pools {PoolList} only; flow run {ids[0]} is not in one of them."
                : $"The API key '{Name}' works for the pools {PoolList} only; some of the {ids.Count} flow runs named are not in one of them.");
        }
    }

    /// <summary>Refuses a pool-limited worker key for a task run whose flow run is not in one of its pools.</summary>
    public async Task EnsureTaskRunAsync(ReeveDbContext db, Guid taskRunId, CancellationToken cancellationToken)
    {
        if (IsPoolLimited)
        {
            var runId = await db.TaskRuns.Where(t => t.Id == taskRunId).Select(t => t.FlowRunId).FirstOrDefaultAsync(cancellationToken);
            await EnsureRunAsync(db, runId ?? Guid.Empty, cancellationToken);
        }
    }
}

/// <summary>
/// The keys recently seen, by hash, so that a request does not read the database each time. An entry is trusted for
/// <see cref="Freshness"/>; a key revoked on another replica is refused there once its entry is that old, one
/// revoked on this server at once. Only valid keys are kept, so made-up keys cannot grow it.
/// </summary>
internal sealed class ApiKeyCache(TimeProvider clock)
{
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, (ApiKey Key, DateTimeOffset Seen)> _keys = new(StringComparer.Ordinal);

    public bool TryGet(string hash, out ApiKey key)
    {
        if (_keys.TryGetValue(hash, out var entry) && clock.GetUtcNow() - entry.Seen < Freshness)
        {
            key = entry.Key;
            return true;
        }

        key = null!;
        return false;
    }

    public void Keep(string hash, ApiKey key) => _keys[hash] = (key, clock.GetUtcNow());

    /// <summary>Forgets every key (after a revocation).</summary>
    public void Clear() => _keys.Clear();
}
