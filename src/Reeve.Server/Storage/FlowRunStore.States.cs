using Microsoft.EntityFrameworkCore;
using Reeve.Core.Deployments;
using Reeve.Core.FlowRuns;
using Reeve.Core.Orchestration;
using Reeve.Core.Orchestration.Rules;
using Reeve.Core.States;
using Reeve.Server.Storage.Entities;

namespace Reeve.Server.Storage;

internal sealed partial class FlowRunStore
{
    /// <summary>
    /// Decides a proposed state for a run and writes it, in one transaction that holds the run's row (and,
    /// when the run asks for a slot, its pool's and deployment's rows) until it commits: of racing claimers
    /// exactly one wins, and limits are counted from run states no other claim can change meanwhile.
    /// </summary>
    /// <returns>The answer, and whether a state was written (the API then answers 201).</returns>
    public async Task<(OrchestrationResult Result, bool Written)> SetStateAsync(Guid id, SetStateRequest request, CancellationToken cancellationToken)
    {
        if (!request.Force && request.State.Type == StateType.Pending && await RefuseClaimEarlyAsync(id, request, cancellationToken) is { } refused)
        {
            return (refused, false);
        }

        FlowRunRecord? changed = null;
        var answer = await store.WriteAsync(async (db, ct) =>
        {
            await store.LockAsync(LockedTable.FlowRun, id, ct);
            var run = await db.FlowRuns.AsTracking().FirstOrDefaultAsync(r => r.Id == id, ct) ?? throw NotFound();
            var now = StorageTime.ToWire(StorageTime.Now(clock));
            var proposed = StateFactory.FromProposal(request.State, now);
            proposed = proposed with { StateDetails = proposed.StateDetails with { FlowRunId = id } };

            var snapshot = !request.Force && SecureConcurrencySlots.NeedsSlot(run.StateType, proposed.Type)
                ? await SnapshotAsync(db, run, ct)
                : null;
            var outcome = Orchestrator.FlowRuns.Decide(FlowRunMapper.Facts(run), proposed, now, snapshot, request.Force);
            if (outcome.Written is not { } written)
            {
                return (outcome.ToResult(), false);
            }

            written = written with { StateDetails = written.StateDetails with { FlowRunId = id } };
            var after = outcome.Run with { State = written };
            FlowRunMapper.Apply(run, after, StorageTime.ToStorage(now));
            db.FlowRunStates.Add(FlowRunMapper.StateRow(id, written));
            await db.SaveChangesAsync(ct);
            changed = run;
            return ((outcome with { Written = written, Run = after }).ToResult(), true);
        }, cancellationToken);

        if (changed is not null)
        {
            Publish(changed);
        }

        return answer;
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
