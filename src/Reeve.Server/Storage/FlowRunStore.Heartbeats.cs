using Microsoft.EntityFrameworkCore;
using Reeve.Core.Errors;
using Reeve.Core.FlowRuns;
using Reeve.Core.States;
using Reeve.Server.Storage.Entities;

namespace Reeve.Server.Storage;

internal sealed partial class FlowRunStore
{
    /// <summary>A run's engine is alive: the run is not lost before three of its intervals pass.</summary>
    public async Task HeartbeatAsync(Guid id, FlowRunHeartbeat heartbeat, CancellationToken cancellationToken)
    {
        var interval = heartbeat.IntervalSeconds ?? FlowRunHeartbeat.DefaultIntervalSeconds;
        if (interval < 1)
        {
            throw new ReeveValidationException("interval_seconds", "Input should be greater than 0");
        }

        var expires = Expiry(interval);
        var touched = await store.WriteGroupedAsync((db, ct) => Extend(db.FlowRuns.Where(r => r.Id == id), expires, ct), cancellationToken);
        if (touched == 0 && !await store.Db.FlowRuns.AnyAsync(r => r.Id == id, cancellationToken))
        {
            throw NotFound();
        }
    }

    /// <summary>A worker is alive and holds these runs of its pool: none of them is lost before three of its intervals pass.</summary>
    public Task<int> HeartbeatFromWorkerAsync(Guid poolId, IReadOnlyCollection<Guid> ids, int intervalSeconds, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return Task.FromResult(0);
        }

        var expires = Expiry(intervalSeconds);
        return store.WriteGroupedAsync((db, ct) => Extend(db.FlowRuns.Where(r => r.WorkPoolId == poolId && ids.Contains(r.Id)), expires, ct), cancellationToken);
    }

    private DateTime Expiry(int intervalSeconds) =>
        StorageTime.Now(clock).AddSeconds((double)intervalSeconds * FlowRunHeartbeat.MissedBeforeLost);

    /// <summary>Moves the expiry of the active ones of <paramref name="runs"/> later, never earlier (two senders may beat for one run).</summary>
    private static Task<int> Extend(IQueryable<FlowRunRecord> runs, DateTime expires, CancellationToken ct) =>
        runs.Where(r => r.StateType == StateType.Pending || r.StateType == StateType.Running || r.StateType == StateType.Cancelling)
            .Where(r => r.HeartbeatExpires == null || r.HeartbeatExpires < expires)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.HeartbeatExpires, expires), ct);

    /// <summary>Active runs whose heartbeats stopped, oldest expiry first.</summary>
    public async Task<IReadOnlyList<(Guid Id, StateType State, DateTime Expired)>> LostAsync(int limit, CancellationToken cancellationToken)
    {
        var now = StorageTime.Now(clock);
        var lost = await store.Db.FlowRuns
            .Where(r => r.HeartbeatExpires != null && r.HeartbeatExpires < now)
            .Where(r => r.StateType == StateType.Pending || r.StateType == StateType.Running || r.StateType == StateType.Cancelling)
            .OrderBy(r => r.HeartbeatExpires)
            .Take(limit)
            .Select(r => new { r.Id, r.StateType, r.HeartbeatExpires })
            .ToListAsync(cancellationToken);
        return lost.Select(r => (r.Id, r.StateType!.Value, r.HeartbeatExpires!.Value)).ToList();
    }
}
