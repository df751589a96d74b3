using Microsoft.EntityFrameworkCore;
using Reeve.Core.Deployments;
using Reeve.Core.Errors;
using Reeve.Core.FlowRuns;
using Reeve.Core.Orchestration;
using Reeve.Core.Orchestration.Rules;
using Reeve.Core.States;
using Reeve.Server.Storage.Entities;

namespace Reeve.Server.Storage;

internal sealed partial class FlowRunStore
{
    /// <summary>The run a decision is about, untracked: its new state is written by <see cref="RowUpdate"/>.</summary>
    private static readonly PerModelQuery<Func<ReeveDbContext, Guid, CancellationToken, Task<FlowRunRecord?>>> Run = new(() =>
        EF.CompileAsyncQuery((ReeveDbContext d, Guid id, CancellationToken _) => d.FlowRuns.FirstOrDefault(r => r.Id == id)));

    private static readonly PerModelQuery<Func<ReeveDbContext, Guid, CancellationToken, Task<LimitRow?>>> PoolLimit = new(() =>
        EF.CompileAsyncQuery((ReeveDbContext d, Guid id, CancellationToken _) =>
            d.WorkPools.Where(x => x.Id == id).Select(x => new LimitRow(x.Name, x.ConcurrencyLimit, x.IsPaused, null)).FirstOrDefault()));

    private static readonly PerModelQuery<Func<ReeveDbContext, Guid, CancellationToken, Task<LimitRow?>>> QueueLimit = new(() =>
        EF.CompileAsyncQuery((ReeveDbContext d, Guid id, CancellationToken _) =>
            d.WorkQueues.Where(x => x.Id == id).Select(x => new LimitRow(x.Name, x.ConcurrencyLimit, x.IsPaused, null)).FirstOrDefault()));

    private static readonly PerModelQuery<Func<ReeveDbContext, Guid, CancellationToken, Task<LimitRow?>>> DeploymentLimit = new(() =>
        EF.CompileAsyncQuery((ReeveDbContext d, Guid id, CancellationToken _) =>
            d.Deployments.Where(x => x.Id == id).Select(x => new LimitRow(x.Name, x.ConcurrencyLimit, false, x.CollisionStrategy)).FirstOrDefault()));

    /// <summary>Runs holding a slot: PENDING, RUNNING or CANCELLING.</summary>
    private static readonly System.Linq.Expressions.Expression<Func<FlowRunRecord, bool>> HoldsSlot =
        r => r.StateType == StateType.Pending || r.StateType == StateType.Running || r.StateType == StateType.Cancelling;

    private static readonly PerModelQuery<Func<ReeveDbContext, Guid, CancellationToken, Task<int>>> ActiveInPool = new(() =>
        EF.CompileAsyncQuery((ReeveDbContext d, Guid id, CancellationToken _) => d.FlowRuns.Where(r => r.WorkPoolId == id).Count(HoldsSlot)));

    private static readonly PerModelQuery<Func<ReeveDbContext, Guid, CancellationToken, Task<int>>> ActiveInQueue = new(() =>
        EF.CompileAsyncQuery((ReeveDbContext d, Guid id, CancellationToken _) => d.FlowRuns.Where(r => r.WorkQueueId == id).Count(HoldsSlot)));

    private static readonly PerModelQuery<Func<ReeveDbContext, Guid, CancellationToken, Task<int>>> ActiveInDeployment = new(() =>
        EF.CompileAsyncQuery((ReeveDbContext d, Guid id, CancellationToken _) => d.FlowRuns.Where(r => r.DeploymentId == id).Count(HoldsSlot)));

    /// <summary>
    /// Decides a proposed state for a run and writes it, in one transaction that holds the run's row (and,
    /// when the run asks for a slot, its pool's and deployment's rows) until it commits: of racing claimers
    /// exactly one wins, and limits are counted from run states no other claim can change meanwhile.
    /// </summary>
    /// <returns>The answer, and whether a state was written (the API then answers 201).</returns>
    public async Task<(OrchestrationResult Result, bool Written)> SetStateAsync(Guid id, SetStateRequest request, CancellationToken cancellationToken)
    {
        using var activity = Telemetry.ReeveMetrics.Activities.StartActivity("flow_run set_state");
        activity?.SetTag("reeve.flow_run.id", id.ToString());
        activity?.SetTag("reeve.state.proposed", request.State.Type.WireName());
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        if (request.HeartbeatIntervalSeconds < 1)
        {
            throw new ReeveValidationException("heartbeat_interval_seconds", "Input should be greater than 0");
        }

        var claim = !request.Force && request.State.Type == StateType.Pending;
        if (claim && await RefuseClaimEarlyAsync(id, request, cancellationToken) is { } refused)
        {
            metrics.Claimed(System.Diagnostics.Stopwatch.GetElapsedTime(started));
            activity?.SetTag("reeve.orchestration.status", refused.Status.ToString().ToUpperInvariant());
            return (refused, false);
        }

        var (answer, changed) = await store.WriteGroupedAsync((db, ct) => DecideAsync(db, id, request, ct), cancellationToken);
        if (claim)
        {
            metrics.Claimed(System.Diagnostics.Stopwatch.GetElapsedTime(started));
        }

        if (changed is not null)
        {
            Publish(changed);
        }

        activity?.SetTag("reeve.orchestration.status", answer.Status.ToString().ToUpperInvariant());
        return (answer, changed is not null);
    }

    /// <summary>
    /// Claims runs for a worker or a serving process, in one transaction: locks the rows of
    /// <paramref name="pools"/>, then of <paramref name="deployments"/>, each in id order (an order no other writer
    /// reverses); picks the runs afresh with <paramref name="pick"/> (racing claims that share a lock are served one
    /// after the other, each from what the one before left); and proposes PENDING for each, decided by the same
    /// rules as a single proposal, so limits hold. A picked run is skipped when its pool or deployment is not among
    /// the locked ones, or when another transaction holds its row (a run being decided elsewhere is left to that
    /// decision, and the claim never waits for it). With <paramref name="heartbeatIntervalSeconds"/>, each claimed
    /// run is held by its claimer as if it had sent a heartbeat for it.
    /// </summary>
    /// <returns>The runs claimed, now PENDING.</returns>
    public async Task<IReadOnlyList<FlowRunRecord>> ClaimAsync(IReadOnlyCollection<Guid> pools, IReadOnlyCollection<Guid> deployments,
        Func<ReeveDbContext, CancellationToken, Task<List<FlowRunRecord>>> pick, int? heartbeatIntervalSeconds, CancellationToken cancellationToken)
    {
        if (heartbeatIntervalSeconds is < 1)
        {
            throw new ReeveValidationException("heartbeat_interval_seconds", "Input should be greater than 0");
        }

        var lockedPools = pools.ToHashSet();
        var lockedDeployments = deployments.ToHashSet();
        var claim = new SetStateRequest { State = new StateCreate { Type = StateType.Pending } };
        DateTime? heldUntil = heartbeatIntervalSeconds is { } interval ? Expiry(interval) : null;
        var claimed = await store.WriteGroupedAsync(async (db, ct) =>
        {
            foreach (var poolId in lockedPools.Order())
            {
                await store.LockAsync(LockedTable.WorkPool, poolId, ct);
            }

            foreach (var deploymentId in lockedDeployments.Order())
            {
                await store.LockAsync(LockedTable.Deployment, deploymentId, ct);
            }

            var won = new List<FlowRunRecord>();
            foreach (var run in await pick(db, ct))
            {
                if ((run.WorkPoolId is { } p && !lockedPools.Contains(p))
                    || (run.DeploymentId is { } d && !lockedDeployments.Contains(d))
                    || !await store.TryLockRunAsync(run.Id, ct))
                {
                    continue;
                }

                var (_, changed) = await DecideAsync(db, run.Id, claim, ct, heldUntil);
                if (changed is { StateType: StateType.Pending })
                {
                    won.Add(changed);
                }
            }

            return won;
        }, cancellationToken);

        foreach (var run in claimed)
        {
            Publish(run);
        }

        return claimed;
    }

    /// <summary>
    /// Decides a proposed state for one run and writes it, inside the caller's write transaction: the run's row
    /// is locked first, and, when the run asks for a slot, its pool's and deployment's rows. Returns the answer and
    /// the run's row when a state was written. A run claimed (PENDING) with <paramref name="heldUntil"/> is held by
    /// its claimer until then, as a heartbeat would hold it.
    /// </summary>
    private async Task<(OrchestrationResult Result, FlowRunRecord? Changed)> DecideAsync(ReeveDbContext db, Guid id, SetStateRequest request, CancellationToken ct,
        DateTime? heldUntil = null)
    {
        await store.LockAsync(LockedTable.FlowRun, id, ct);
        var run = await Run.For(db)(db, id, ct) ?? throw NotFound();

        var now = StorageTime.ToWire(StorageTime.Now(clock));
        var proposed = StateFactory.FromProposal(request.State, now);
        proposed = proposed with { StateDetails = proposed.StateDetails with { FlowRunId = id } };

        var snapshot = !request.Force && SecureConcurrencySlots.NeedsSlot(run.StateType, proposed.Type)
            ? await SnapshotAsync(db, run, ct)
            : null;
        var outcome = Orchestrator.FlowRuns.Decide(FlowRunMapper.Facts(run), proposed, now, snapshot, request.Force);
        if (outcome.Written is not { } written)
        {
            return (outcome.ToResult(), null);
        }

        written = written with { StateDetails = written.StateDetails with { FlowRunId = id } };
        var after = outcome.Run with { State = written };
        FlowRunMapper.Apply(run, after, StorageTime.ToStorage(now));
        if (heldUntil is not null && written.Type == StateType.Pending)
        {
            run.HeartbeatExpires = heldUntil;
        }

        if (request.HeartbeatIntervalSeconds is { } interval && written.Type == StateType.Running
            && Expiry(interval) is var expires && (run.HeartbeatExpires is null || run.HeartbeatExpires < expires))
        {
            // The engine beats from now on: entering RUNNING is its first heartbeat.
            run.HeartbeatExpires = expires;
        }

        // The state change is the hottest write: two statements bound by position, without the change tracker.
        var stateRow = FlowRunMapper.StateRow(id, written);
        var update = RowUpdate.Of<FlowRunRecord>(db.Model, FlowRunMapper.StateColumns);
        if (store.Provider == StorageProvider.Sqlite)
        {
            update.Run(db, run);
            await BulkInsert.InsertSqliteRowAsync(db, stateRow, ct);
        }
        else
        {
            await new PostgresRows(db).Update(update, run).Insert(stateRow).RunAsync(ct);
        }

        return ((outcome with { Written = written, Run = after }).ToResult(), run);
    }

    /// <summary>
    /// Claims are many (every worker tries the runs it was offered) and most lose. A claim that loses against
    /// what is committed now — the run is no longer SCHEDULED, or its pool or queue is full — is answered from a
    /// plain read, without queueing for the write transaction. Only a claim that may win is decided under the
    /// locks; a claim refused here on a reading that changed a moment later is simply made again by its worker.
    /// </summary>
    private async Task<OrchestrationResult?> RefuseClaimEarlyAsync(Guid id, SetStateRequest request, CancellationToken ct)
    {
        var db = store.Db;
        var run = await db.FlowRuns.FirstOrDefaultAsync(r => r.Id == id, ct) ?? throw NotFound();
        var now = StorageTime.ToWire(StorageTime.Now(clock));
        var proposed = StateFactory.FromProposal(request.State, now);
        var snapshot = SecureConcurrencySlots.NeedsSlot(run.StateType, proposed.Type) ? await SnapshotAsync(db, run, ct, locking: false) : null;
        var outcome = Orchestrator.FlowRuns.Decide(FlowRunMapper.Facts(run), proposed, now, snapshot);
        return outcome.Written is null && outcome.Status is OrchestrationStatus.Abort or OrchestrationStatus.Reject ? outcome.ToResult() : null;
    }

    /// <summary>
    /// The limits the run is under and their slots in use, counted now: under the pool's lock when the pool or the run's
    /// queue has a limit, and the deployment's when it has one (PostgreSQL; SQLite's writes are one at a time already).
    /// </summary>
    private async Task<ConcurrencySnapshot> SnapshotAsync(ReeveDbContext db, FlowRunRecord run, CancellationToken ct, bool locking = true)
    {
        SlotUsage? pool = null;
        SlotUsage? queue = null;
        SlotUsage? deployment = null;
        string? paused = null;
        var strategy = CollisionStrategy.Enqueue;

        var p = run.WorkPoolId is { } poolId ? await PoolLimit.For(db)(db, poolId, ct) : null;
        var q = run.WorkQueueId is { } queueId ? await QueueLimit.For(db)(db, queueId, ct) : null;
        if (locking && run.WorkPoolId is { } lockedPool && (p?.ConcurrencyLimit is not null || q?.ConcurrencyLimit is not null))
        {
            // Slots are counted under the pool's lock, so that two decisions cannot both take the last one: the pool's
            // slots, and its queues' (a queue is in one pool). A pool and queue without limits count nothing, and
            // their runs no longer queue behind one another for the lock. A limit set while this runs is as if set
            // just after it.
            await store.LockAsync(LockedTable.WorkPool, lockedPool, ct);
        }

        if (p is not null)
        {
            paused = p.IsPaused ? $"work pool '{p.Name}'" : null;
            if (p.ConcurrencyLimit is { } limit)
            {
                pool = new SlotUsage($"work pool '{p.Name}'", limit, await ActiveInPool.For(db)(db, run.WorkPoolId!.Value, ct));
            }
        }

        if (q is not null)
        {
            paused ??= q.IsPaused ? $"work queue '{q.Name}'" : null;
            if (q.ConcurrencyLimit is { } limit)
            {
                queue = new SlotUsage($"work queue '{q.Name}'", limit, await ActiveInQueue.For(db)(db, run.WorkQueueId!.Value, ct));
            }
        }

        if (run.DeploymentId is { } deploymentId)
        {
            var d = await DeploymentLimit.For(db)(db, deploymentId, ct);
            if (d?.ConcurrencyLimit is { } limit)
            {
                if (locking)
                {
                    await store.LockAsync(LockedTable.Deployment, deploymentId, ct);
                }

                strategy = d.CollisionStrategy == nameof(CollisionStrategy.CancelNew) ? CollisionStrategy.CancelNew : CollisionStrategy.Enqueue;
                deployment = new SlotUsage($"deployment '{d.Name}'", limit, await ActiveInDeployment.For(db)(db, deploymentId, ct));
            }
        }

        return new ConcurrencySnapshot { Pool = pool, Queue = queue, Deployment = deployment, PausedBy = paused, CollisionStrategy = strategy };
    }

    /// <summary>A pool's, a queue's or a deployment's name and limits, as a decision reads them.</summary>
    private sealed record LimitRow(string Name, int? ConcurrencyLimit, bool IsPaused, string? CollisionStrategy);

    /// <summary>Runs of a pool holding a slot (PENDING, RUNNING or CANCELLING), by a compiled query.</summary>
    internal static Task<int> CountActiveInPoolAsync(ReeveDbContext db, Guid poolId, CancellationToken ct) => ActiveInPool.For(db)(db, poolId, ct);

    /// <summary>Runs of a queue holding a slot (PENDING, RUNNING or CANCELLING), by a compiled query.</summary>
    internal static Task<int> CountActiveInQueueAsync(ReeveDbContext db, Guid queueId, CancellationToken ct) => ActiveInQueue.For(db)(db, queueId, ct);
}
