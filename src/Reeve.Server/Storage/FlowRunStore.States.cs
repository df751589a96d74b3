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
    // The run a decision is about, tracked: compiled once per model (SQLite's and PostgreSQL's differ, and a compiled
    // query serves only the model it was compiled for), so each decision skips EF's query-cache lookup (the
    // expression's walk for its parameters and its cache key), which a profile put at a tenth of a decision's time.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Microsoft.EntityFrameworkCore.Metadata.IModel,
        Func<ReeveDbContext, Guid, CancellationToken, Task<FlowRunRecord?>>> TrackedRunByModel = [];

    private static Task<FlowRunRecord?> TrackedRunAsync(ReeveDbContext db, Guid id, CancellationToken ct) =>
        TrackedRunByModel.GetValue(db.Model, _ =>
            EF.CompileAsyncQuery((ReeveDbContext d, Guid i, CancellationToken _) => d.FlowRuns.AsTracking().FirstOrDefault(r => r.Id == i)))(db, id, ct);

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
        var run = await TrackedRunAsync(db, id, ct) ?? throw NotFound();

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

        db.FlowRunStates.Add(FlowRunMapper.StateRow(id, written));
        await db.SaveChangesAsync(ct);
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

    /// <summary>The limits the run is under and their slots in use, counted now, with the pool's and deployment's rows locked.</summary>
    private async Task<ConcurrencySnapshot> SnapshotAsync(ReeveDbContext db, FlowRunRecord run, CancellationToken ct, bool locking = true)
    {
        SlotUsage? pool = null;
        SlotUsage? queue = null;
        SlotUsage? deployment = null;
        string? paused = null;
        var strategy = CollisionStrategy.Enqueue;

        if (run.WorkPoolId is { } poolId)
        {
            if (locking)
            {
                await store.LockAsync(LockedTable.WorkPool, poolId, ct);
            }

            var p = await db.WorkPools.Where(x => x.Id == poolId).Select(x => new { x.Name, x.ConcurrencyLimit, x.IsPaused }).FirstOrDefaultAsync(ct);
            if (p is not null)
            {
                paused = p.IsPaused ? $"work pool '{p.Name}'" : null;
                if (p.ConcurrencyLimit is { } limit)
                {
                    pool = new SlotUsage($"work pool '{p.Name}'", limit, await CountActiveAsync(db.FlowRuns.Where(r => r.WorkPoolId == poolId), ct));
                }
            }
        }

        if (run.WorkQueueId is { } queueId)
        {
            var q = await db.WorkQueues.Where(x => x.Id == queueId).Select(x => new { x.Name, x.ConcurrencyLimit, x.IsPaused }).FirstOrDefaultAsync(ct);
            if (q is not null)
            {
                paused ??= q.IsPaused ? $"work queue '{q.Name}'" : null;
                if (q.ConcurrencyLimit is { } limit)
                {
                    queue = new SlotUsage($"work queue '{q.Name}'", limit, await CountActiveAsync(db.FlowRuns.Where(r => r.WorkQueueId == queueId), ct));
                }
            }
        }

        if (run.DeploymentId is { } deploymentId)
        {
            var d = await db.Deployments.Where(x => x.Id == deploymentId).Select(x => new { x.Name, x.ConcurrencyLimit, x.CollisionStrategy }).FirstOrDefaultAsync(ct);
            if (d?.ConcurrencyLimit is { } limit)
            {
                if (locking)
                {
                    await store.LockAsync(LockedTable.Deployment, deploymentId, ct);
                }

                strategy = d.CollisionStrategy == nameof(CollisionStrategy.CancelNew) ? CollisionStrategy.CancelNew : CollisionStrategy.Enqueue;
                deployment = new SlotUsage($"deployment '{d.Name}'", limit, await CountActiveAsync(db.FlowRuns.Where(r => r.DeploymentId == deploymentId), ct));
            }
        }

        return new ConcurrencySnapshot { Pool = pool, Queue = queue, Deployment = deployment, PausedBy = paused, CollisionStrategy = strategy };
    }

    /// <summary>Runs holding a slot: PENDING, RUNNING or CANCELLING.</summary>
    internal static Task<int> CountActiveAsync(IQueryable<FlowRunRecord> runs, CancellationToken ct) =>
        runs.CountAsync(r => r.StateType == StateType.Pending || r.StateType == StateType.Running || r.StateType == StateType.Cancelling, ct);
}
