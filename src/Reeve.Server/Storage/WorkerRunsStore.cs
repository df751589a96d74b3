using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Reeve.Core.Filters;
using Reeve.Core.FlowRuns;
using Reeve.Core.States;

namespace Reeve.Server.Storage;

/// <summary>
/// Hands a pool's due runs to a worker (<c>get_scheduled_flow_runs</c>). The page holds no more runs than the
/// pool has free slots, no more of a queue's runs than the queue has, and no more of a deployment's runs than
/// the deployment has — so runs a full deployment blocks never crowd out runs that could start (no head-of-line
/// blocking). The runs stay SCHEDULED: a worker claims one by proposing PENDING, where the limits are checked
/// again, race-free.
/// </summary>
internal sealed class WorkerRunsStore(Store store, TimeProvider clock)
{
    public async Task<IReadOnlyList<WorkerFlowRun>> ScheduledAsync(string poolName, WorkerScheduledRunsRequest request, CancellationToken cancellationToken)
    {
        var limit = Paging.Resolve(request.Limit, 0);
        var db = store.Db;
        var pool = await db.WorkPools.Where(p => p.Name == poolName).Select(p => new { p.Id, p.IsPaused, p.ConcurrencyLimit }).FirstOrDefaultAsync(cancellationToken)
            ?? throw WorkPoolStore.NotFound(poolName);
        var queues = await db.WorkQueues.Where(q => q.WorkPoolId == pool.Id).Select(q => new { q.Id, q.Name, q.IsPaused }).ToListAsync(cancellationToken);
        var selected = queues;
        if (request.WorkQueueNames is { Count: > 0 } names)
        {
            selected = names.Distinct().Select(n => queues.FirstOrDefault(q => q.Name == n) ?? throw WorkQueueStore.NotFound(poolName, n)).ToList();
        }

        // Polling makes the queues READY (and with them the deployments in them), whatever it returns.
        var now = StorageTime.Now(clock);
        var polled = selected.Select(q => q.Id).ToList();
        await store.WriteAsync((d, ct) => d.WorkQueues.Where(q => polled.Contains(q.Id)).ExecuteUpdateAsync(s => s.SetProperty(q => q.LastPolled, now), ct), cancellationToken);

        var open = selected.Where(q => !q.IsPaused).Select(q => q.Id).ToList();
        if (pool.IsPaused || open.Count == 0 || limit == 0)
        {
            return [];
        }

        if (pool.ConcurrencyLimit is { } poolLimit)
        {
            var room = poolLimit - await FlowRunStore.CountActiveAsync(db.FlowRuns.Where(r => r.WorkPoolId == pool.Id), cancellationToken);
            limit = Math.Min(limit, Math.Max(0, room));
            if (limit == 0)
            {
                return [];
            }
        }

        var before = StorageTime.ToStorage(request.ScheduledBefore ?? clock.GetUtcNow());
        DateTime? after = request.ScheduledAfter is { } a ? StorageTime.ToStorage(a) : null;
        var ids = await db.Database.SqlQuery<Guid>(DueRunsQuery(pool.Id, open, before, after, limit)).ToListAsync(cancellationToken);
        if (ids.Count == 0)
        {
            return [];
        }

        var rows = await db.FlowRuns.Where(r => ids.Contains(r.Id)).ToListAsync(cancellationToken);
        var order = ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
        rows.Sort((x, y) => order[x.Id].CompareTo(order[y.Id]));
        var queueNames = await FlowRunMapper.QueueNamesAsync(db, rows, cancellationToken);
        var wireNow = clock.GetUtcNow();
        return rows.Select(r => new WorkerFlowRun
        {
            WorkPoolId = pool.Id,
            WorkQueueId = r.WorkQueueId!.Value,
            FlowRun = FlowRunMapper.ToWire(r, wireNow, FlowRunMapper.NamesOf(r, queueNames)),
        }).ToList();
    }

    /// <summary>
    /// Due SCHEDULED runs of the open queues, ranked within their deployment and then within their queue, keeping
    /// only ranks within each one's free slots, ordered by queue priority and then due time. One statement for
    /// both engines (window functions and LIMIT are common to SQLite and PostgreSQL).
    /// </summary>
    private static FormattableString DueRunsQuery(Guid poolId, List<Guid> queueIds, DateTime before, DateTime? after, int limit)
    {
        var args = new List<object?> { poolId, before, limit };
        var queueList = new StringBuilder();
        foreach (var id in queueIds)
        {
            queueList.Append(queueList.Length == 0 ? "" : ", ").Append('{').Append(args.Count).Append('}');
            args.Add(id);
        }

        var afterClause = "";
        if (after is { } a)
        {
            afterClause = $" AND r.next_scheduled_start_time >= {{{args.Count}}}";
            args.Add(a);
        }

        var active = $"('{nameof(StateType.Pending)}', '{nameof(StateType.Running)}', '{nameof(StateType.Cancelling)}')";
        var sql = $$"""
            WITH candidates AS (
                SELECT r.id AS id, r.work_queue_id AS work_queue_id, r.deployment_id AS deployment_id,
                       r.next_scheduled_start_time AS due, q.priority AS priority,
                       ROW_NUMBER() OVER (PARTITION BY r.deployment_id ORDER BY r.next_scheduled_start_time, r.id) AS deployment_rank
                FROM flow_run r
                JOIN work_queue q ON q.id = r.work_queue_id
                WHERE r.work_pool_id = {0}
                  AND r.state_type = '{{nameof(StateType.Scheduled)}}'
                  AND (r.retry_type IS NULL OR r.retry_type <> 'in_process')
                  AND r.next_scheduled_start_time <= {1}{{afterClause}}
                  AND r.work_queue_id IN ({{queueList}})
            ),
            deployment_room AS (
                SELECT d.id AS id,
                       d.concurrency_limit - (SELECT COUNT(*) FROM flow_run a WHERE a.deployment_id = d.id AND a.state_type IN {{active}}) AS room
                FROM deployment d
                WHERE d.concurrency_limit IS NOT NULL AND d.id IN (SELECT c.deployment_id FROM candidates c)
            ),
            eligible AS (
                SELECT c.id AS id, c.work_queue_id AS work_queue_id, c.due AS due, c.priority AS priority,
                       ROW_NUMBER() OVER (PARTITION BY c.work_queue_id ORDER BY c.due, c.id) AS queue_rank
                FROM candidates c
                LEFT JOIN deployment_room dr ON dr.id = c.deployment_id
                WHERE dr.id IS NULL OR c.deployment_rank <= dr.room
            ),
            queue_room AS (
                SELECT q.id AS id,
                       q.concurrency_limit - (SELECT COUNT(*) FROM flow_run a WHERE a.work_queue_id = q.id AND a.state_type IN {{active}}) AS room
                FROM work_queue q
                WHERE q.concurrency_limit IS NOT NULL AND q.id IN ({{queueList}})
            )
            SELECT e.id AS "Value"
            FROM eligible e
            LEFT JOIN queue_room qr ON qr.id = e.work_queue_id
            WHERE qr.id IS NULL OR e.queue_rank <= qr.room
            ORDER BY e.priority, e.due, e.id
            LIMIT {2}
            """;
        return FormattableStringFactory.Create(sql, [.. args]);
    }
}
