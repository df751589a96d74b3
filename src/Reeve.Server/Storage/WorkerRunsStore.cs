using Microsoft.EntityFrameworkCore;
using Reeve.Core.Filters;
using Reeve.Core.FlowRuns;
using Reeve.Core.States;
using Reeve.Server.Storage.Entities;

namespace Reeve.Server.Storage;

/// <summary>
/// Hands a pool's due runs to a worker (<c>get_scheduled_flow_runs</c>). The page holds no more runs than the
/// pool has free slots, no more of a queue's runs than the queue has, and no more of a deployment's runs than
/// the deployment has — so runs a full deployment blocks never crowd out runs that could start (no head-of-line
/// blocking). Offered runs stay SCHEDULED: a worker claims one by proposing PENDING, where the limits are checked
/// again, race-free; or it asks for them claimed at once (<see cref="ClaimAsync"/>).
/// </summary>
internal sealed class WorkerRunsStore(Store store, FlowRunStore runs, ClaimLine line, Telemetry.ReeveMetrics metrics, TimeProvider clock)
{
    internal static readonly TimeSpan PolledRefresh = TimeSpan.FromSeconds(5);

    /// <summary>The due runs a worker of the pool may start now, still SCHEDULED.</summary>
    public async Task<IReadOnlyList<WorkerFlowRun>> ScheduledAsync(string poolName, WorkerScheduledRunsRequest request, CancellationToken cancellationToken)
    {
        var offer = await OfferAsync(poolName, request, cancellationToken);
        return await ToWireAsync(offer.PoolId, await offer.PickAsync(store.Db, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// The same runs, claimed for the asking worker (PENDING) in one transaction that holds the pool's row, so that
    /// racing workers are served one after the other, each from what the one before left: different runs, none
    /// twice, and the limits counted afresh for each.
    /// </summary>
    public async Task<IReadOnlyList<WorkerFlowRun>> ClaimAsync(string poolName, WorkerClaimRequest request, CancellationToken cancellationToken)
    {
        using var activity = Telemetry.ReeveMetrics.Activities.StartActivity("work_pool claim");
        activity?.SetTag("reeve.work_pool.name", poolName);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var claimed = await ClaimCoreAsync(poolName, request, cancellationToken);
        metrics.Claimed(System.Diagnostics.Stopwatch.GetElapsedTime(started));
        activity?.SetTag("reeve.claimed", claimed.Count);
        activity?.SetTag("reeve.flow_run.ids", string.Join(',', claimed.Select(c => c.FlowRun.Id)));
        return claimed;
    }

    private async Task<IReadOnlyList<WorkerFlowRun>> ClaimCoreAsync(string poolName, WorkerClaimRequest request, CancellationToken cancellationToken)
    {
        var offer = await OfferAsync(poolName, request.ToScheduledRequest(), cancellationToken);
        if ((await offer.PickAsync(store.Db, cancellationToken)).Count == 0)
        {
            return [];
        }

        // In line with this server's other claims on the pool; when the turn comes, the runs may be gone.
        using var turn = await line.EnterAsync(offer.PoolId, cancellationToken);
        if (turn is null)
        {
            return [];
        }

        var candidates = await offer.PickAsync(store.Db, cancellationToken);
        if (candidates.Count == 0)
        {
            return [];
        }

        var claimed = await runs.ClaimAsync(
            [offer.PoolId],
            [.. candidates.Select(r => r.DeploymentId).OfType<Guid>()],
            offer.PickAsync,
            // A claim always holds its runs for a while: without a heartbeat they are freed (CRASHED) after three intervals.
            request.HeartbeatIntervalSeconds ?? Core.Workers.WorkerLiveness.DefaultHeartbeatIntervalSeconds,
            cancellationToken);
        return await ToWireAsync(offer.PoolId, claimed, cancellationToken);
    }

    private async Task<IReadOnlyList<WorkerFlowRun>> ToWireAsync(Guid poolId, IReadOnlyList<FlowRunRecord> picked, CancellationToken cancellationToken)
    {
        var queueNames = await FlowRunMapper.QueueNamesAsync(store.Db, picked, cancellationToken);
        var wireNow = clock.GetUtcNow();
        return picked.Select(r => new WorkerFlowRun
        {
            WorkPoolId = poolId,
            WorkQueueId = r.WorkQueueId!.Value,
            FlowRun = FlowRunMapper.ToWire(r, wireNow, FlowRunMapper.NamesOf(r, queueNames)),
        }).ToList();
    }

    /// <summary>Checks the request against the pool and its queues and marks the queues polled; the runs are picked by the <see cref="Offer"/>.</summary>
    private async Task<Offer> OfferAsync(string poolName, WorkerScheduledRunsRequest request, CancellationToken cancellationToken)
    {
        var limit = Paging.Resolve(request.Limit, 0);
        var db = store.Db;
        var pool = await PoolNamed.For(db)(db, poolName, cancellationToken) ?? throw WorkPoolStore.NotFound(poolName);
        var queues = new List<QueueRow>();
        await foreach (var queue in QueuesOf.For(db)(db, pool.Id).WithCancellation(cancellationToken))
        {
            queues.Add(queue);
        }

        var selected = queues;
        if (request.WorkQueueNames is { Count: > 0 } names)
        {
            selected = names.Distinct().Select(n => queues.FirstOrDefault(q => q.Name == n) ?? throw WorkQueueStore.NotFound(poolName, n)).ToList();
        }

        // Polling makes the queues READY (and with them the deployments in them), whatever it returns. READY lasts
        // 60 s, so the time is written at most every few seconds: workers poll often, and a write per poll would
        // queue every poll behind the claims.
        var now = StorageTime.Now(clock);
        var stale = selected.Where(q => q.LastPolled is null || now - q.LastPolled.Value > PolledRefresh).Select(q => q.Id).ToList();
        if (stale.Count > 0)
        {
            await store.WriteAsync((d, ct) => d.WorkQueues.Where(q => stale.Contains(q.Id)).ExecuteUpdateAsync(s => s.SetProperty(q => q.LastPolled, now), ct), cancellationToken);
        }

        var open = selected.Where(q => !q.IsPaused).Select(q => q.Id).ToList();
        var before = StorageTime.ToStorage(request.ScheduledBefore ?? clock.GetUtcNow());
        DateTime? after = request.ScheduledAfter is { } a ? StorageTime.ToStorage(a) : null;
        return new Offer(pool.Id, pool.IsPaused || open.Count == 0 ? 0 : limit, pool.ConcurrencyLimit, open, before, after);
    }

    // A worker's poll reads its pool and the pool's queues: compiled, since most polls of a busy pool find it full.
    private static readonly PerModelQuery<Func<ReeveDbContext, string, CancellationToken, Task<PoolRow?>>> PoolNamed = new(() =>
        EF.CompileAsyncQuery((ReeveDbContext d, string name, CancellationToken _) =>
            d.WorkPools.Where(p => p.Name == name).Select(p => new PoolRow(p.Id, p.IsPaused, p.ConcurrencyLimit)).FirstOrDefault()));

    private static readonly PerModelQuery<Func<ReeveDbContext, Guid, IAsyncEnumerable<QueueRow>>> QueuesOf = new(() =>
        EF.CompileAsyncQuery((ReeveDbContext d, Guid poolId) =>
            d.WorkQueues.Where(q => q.WorkPoolId == poolId).Select(q => new QueueRow(q.Id, q.Name, q.IsPaused, q.LastPolled))));

    private sealed record PoolRow(Guid Id, bool IsPaused, int? ConcurrencyLimit);

    private sealed record QueueRow(Guid Id, string Name, bool IsPaused, DateTime? LastPolled);

    /// <summary>What a worker asked for, checked: which open queues of which pool, due when, how many at most.</summary>
    private sealed record Offer(Guid PoolId, int Limit, int? PoolLimit, List<Guid> OpenQueues, DateTime Before, DateTime? After)
    {
        /// <summary>Picks the runs from what <paramref name="db"/> holds now (reads only: it may run inside a claim's transaction).</summary>
        public async Task<List<FlowRunRecord>> PickAsync(ReeveDbContext db, CancellationToken ct)
        {
            var limit = Limit;
            if (limit > 0 && PoolLimit is { } poolLimit)
            {
                var poolId = PoolId;
                var room = poolLimit - await FlowRunStore.CountActiveInPoolAsync(db, poolId, ct);
                limit = Math.Min(limit, Math.Max(0, room));
            }

            return limit == 0 ? [] : await WorkerRunsStore.PickAsync(db, PoolId, OpenQueues, Before, After, limit, ct);
        }
    }

    /// <summary>
    /// Walks the open queues by priority and each queue's due runs by time (an index range each), taking runs
    /// while the pool, the queue and the run's deployment have room. A deployment that runs out of room is left
    /// out of the rest of the walk, so its waiting runs cost one skipped row at most.
    /// </summary>
    private static async Task<List<FlowRunRecord>> PickAsync(ReeveDbContext db, Guid poolId, List<Guid> queueIds, DateTime before, DateTime? after,
        int limit, CancellationToken ct)
    {
        var due = db.FlowRuns.Where(r => r.WorkPoolId == poolId && r.StateType == StateType.Scheduled
            && (r.RetryType == null || r.RetryType != "in_process")
            && r.NextScheduledStartTime <= before
            && (after == null || r.NextScheduledStartTime >= after));

        // Room left in each limited deployment that has due runs here, and in each limited queue.
        var deployments = await db.Deployments
            .Where(d => d.ConcurrencyLimit != null && due.Any(r => r.DeploymentId == d.Id))
            .Select(d => new { d.Id, Limit = d.ConcurrencyLimit!.Value })
            .ToListAsync(ct);
        var deploymentIds = deployments.Select(d => (Guid?)d.Id).ToList();
        var deploymentActive = deploymentIds.Count == 0 ? [] : await db.FlowRuns
            .Where(r => deploymentIds.Contains(r.DeploymentId) && (r.StateType == StateType.Pending || r.StateType == StateType.Running || r.StateType == StateType.Cancelling))
            .GroupBy(r => r.DeploymentId!.Value).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var deploymentRoom = deployments.ToDictionary(d => d.Id, d => d.Limit - deploymentActive.GetValueOrDefault(d.Id));
        var excluded = deploymentRoom.Where(d => d.Value <= 0).Select(d => (Guid?)d.Key).ToList();

        var queues = await db.WorkQueues.Where(q => queueIds.Contains(q.Id)).OrderBy(q => q.Priority)
            .Select(q => new { q.Id, q.ConcurrencyLimit }).ToListAsync(ct);
        var picked = new List<FlowRunRecord>();
        foreach (var queue in queues)
        {
            var budget = limit - picked.Count;
            if (queue.ConcurrencyLimit is { } queueLimit)
            {
                var queueId = queue.Id;
                budget = Math.Min(budget, queueLimit - await FlowRunStore.CountActiveInQueueAsync(db, queueId, ct));
            }

            var seen = new List<Guid>();
            DateTime? from = null;
            while (budget > 0)
            {
                var queueId = queue.Id;
                var excludedNow = excluded.ToList();
                var start = from;
                var seenNow = seen.ToList();
                var page = await due
                    .Where(r => r.WorkQueueId == queueId
                        && (r.DeploymentId == null || !excludedNow.Contains(r.DeploymentId))
                        && (start == null || r.NextScheduledStartTime >= start)
                        && !seenNow.Contains(r.Id))
                    .OrderBy(r => r.NextScheduledStartTime).ThenBy(r => r.Id)
                    .Take(budget)
                    .ToListAsync(ct);

                var restart = false;
                foreach (var run in page)
                {
                    seen.Add(run.Id);
                    from = run.NextScheduledStartTime;
                    if (run.DeploymentId is { } deploymentId && deploymentRoom.TryGetValue(deploymentId, out var room))
                    {
                        deploymentRoom[deploymentId] = --room;
                        if (room <= 0)
                        {
                            // Full now: query again without its runs, from this point on.
                            excluded.Add(deploymentId);
                            restart = true;
                        }
                    }

                    picked.Add(run);
                    budget--;
                    if (budget == 0 || restart)
                    {
                        break;
                    }
                }

                // Without a restart, the page either filled the budget or was the last of the queue's due runs.
                if (!restart)
                {
                    break;
                }
            }

            if (picked.Count >= limit)
            {
                break;
            }
        }

        return picked;
    }
}
