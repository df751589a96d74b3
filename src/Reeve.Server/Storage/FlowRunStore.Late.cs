using Microsoft.EntityFrameworkCore;
using Reeve.Core.Schedules;
using Reeve.Core.States;

namespace Reeve.Server.Storage;

/// <summary>A run waiting past its time, with the expiry that applies to it.</summary>
internal readonly record struct LateRun(Guid Id, DateTime Scheduled, string? StateName, double? Expiry);

internal sealed partial class FlowRunStore
{
    /// <summary>
    /// SCHEDULED runs that have not started and are past <paramref name="before"/>: named Scheduled (to be marked
    /// Late) or Late, each with its deployment's (else its pool's) expiry. Earliest first, <paramref name="limit"/>
    /// at most, after <paramref name="after"/> when paging.
    /// </summary>
    public async Task<List<LateRun>> LateAsync(DateTime before, DateTime? after, bool expiringOnly, int limit, CancellationToken cancellationToken)
    {
        var db = store.Db;
        var query =
            from r in db.FlowRuns
            where r.StateType == StateType.Scheduled && r.NextScheduledStartTime <= before
                && (r.StateName == "Scheduled" || r.StateName == LateRuns.LateName)
            join d in db.Deployments on r.DeploymentId equals d.Id into deployments
            from d in deployments.DefaultIfEmpty()
            join p in db.WorkPools on r.WorkPoolId equals p.Id into pools
            from p in pools.DefaultIfEmpty()
            select new { r.Id, Scheduled = r.NextScheduledStartTime!.Value, r.StateName, Expiry = d != null && d.ExpireLateRunsAfter != null ? d.ExpireLateRunsAfter : p != null ? p.ExpireLateRunsAfter : null };
        if (expiringOnly)
        {
            query = query.Where(r => r.Expiry != null);
        }
        else
        {
            query = query.Where(r => r.StateName == "Scheduled");
        }

        if (after is { } a)
        {
            query = query.Where(r => r.Scheduled > a);
        }

        var rows = await query.OrderBy(r => r.Scheduled).Take(limit).ToListAsync(cancellationToken);
        return rows.Select(r => new LateRun(r.Id, r.Scheduled, r.StateName, r.Expiry)).ToList();
    }
}
