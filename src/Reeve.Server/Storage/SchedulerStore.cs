using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reeve.Core.FlowRuns;
using Reeve.Core.Ids;
using Reeve.Core.Naming;
using Reeve.Core.Schedules;
using Reeve.Core.States;
using Reeve.Server.Storage.Entities;

namespace Reeve.Server.Storage;

/// <summary>An active schedule of an unpaused deployment, as the scheduler plans it.</summary>
internal readonly record struct ActiveSchedule(Guid Id, Guid DeploymentId, string Schedule, DateTime Updated, int? MaxScheduledRuns, DateTime? PlannedUntil);

/// <summary>
/// The scheduler's reads and writes: the active schedules, and the runs they need, inserted in bulk. Safe on
/// several replicas sharing one PostgreSQL database: a batch locks its deployments' rows, skipping those another
/// replica holds (it is planning them), and plans from what it reads under that lock, so a replica that reaches a
/// deployment later finds it planned; and every run carries the idempotency key
/// <c>scheduled {deployment} {schedule} {instant}</c>, unique per flow, so that even a plan made twice cannot
/// store a run twice.
/// </summary>
internal sealed class SchedulerStore(Store store, TimeProvider clock)
{
    public async Task<List<ActiveSchedule>> ActiveSchedulesAsync(CancellationToken cancellationToken)
    {
        var db = store.Db;
        return await db.DeploymentSchedules
            .Where(s => s.Active && db.Deployments.Any(d => d.Id == s.DeploymentId && !d.Paused))
            .Select(s => new ActiveSchedule(s.Id, s.DeploymentId, s.Schedule, s.Updated, s.MaxScheduledRuns, s.PlannedUntil))
            .ToListAsync(cancellationToken);
    }

    /// <summary>Makes the runs some deployments' schedules need, in one transaction; returns how many were made.</summary>
    public async Task<int> ScheduleAsync(IReadOnlyCollection<Guid> deploymentIds, Func<ActiveSchedule, Schedule> parse, SchedulerLimits limits, CancellationToken cancellationToken)
    {
        var wanted = deploymentIds.Order().ToArray();
        return await store.WriteAsync(async (db, ct) =>
        {
            var ids = store.Provider == StorageProvider.Postgres
                ? (await db.Database.SqlQuery<Guid>($"SELECT id AS \"Value\" FROM deployment WHERE id = ANY({wanted}) ORDER BY id FOR UPDATE SKIP LOCKED")
                    .ToListAsync(ct)).ToArray()
                : wanted;

            var deployments = await db.Deployments.AsTracking().Include(d => d.Schedules).Include(d => d.WorkQueue)
                .Where(d => ids.Contains(d.Id) && !d.Paused).AsSplitQuery().ToListAsync(ct);
            var now = StorageTime.ToWire(StorageTime.Now(clock));
            var runs = new List<FlowRunRecord>();
            foreach (var deployment in deployments)
            {
                foreach (var schedule in deployment.Schedules.Where(s => s.Active))
                {
                    var active = new ActiveSchedule(schedule.Id, deployment.Id, schedule.Schedule, schedule.Updated, schedule.MaxScheduledRuns, schedule.PlannedUntil);
                    var parsed = parse(active);
                    var plan = SchedulePlanner.Plan(parsed, now, StorageTime.ToWire(schedule.PlannedUntil), schedule.MaxScheduledRuns, limits);
                    if (plan.Dates.Count == 0)
                    {
                        continue;
                    }

                    schedule.PlannedUntil = StorageTime.ToStorage(plan.PlannedUntil);
                    runs.AddRange(plan.Dates.Select(at => NewRun(deployment, schedule, parsed, at, now)));
                }
            }

            var fresh = await WithoutExistingAsync(db, runs, ct);
            var states = fresh.Select(r => FlowRunMapper.Begin(r, Scheduled(r), now)).ToList();
            await BulkInsert.InsertAsync(db, fresh, ct);
            await BulkInsert.InsertAsync(db, states, ct);
            await db.SaveChangesAsync(ct);
            return fresh.Count;
        }, cancellationToken);
    }

    private static FlowRunRecord NewRun(DeploymentRecord deployment, DeploymentScheduleRecord schedule, Schedule parsed, DateTimeOffset at, DateTimeOffset now)
    {
        var parameters = JsonText.Object(deployment.Parameters);
        foreach (var (key, value) in JsonText.Object(schedule.Parameters))
        {
            parameters[key] = value?.DeepClone();
        }

        return new FlowRunRecord
        {
            Id = SequentialGuid.Next(now),
            Name = RunNames.Next(),
            FlowId = deployment.FlowId,
            DeploymentId = deployment.Id,
            DeploymentVersion = deployment.Version,
            Parameters = parameters.ToJsonString(),
            EmpiricalPolicy = JsonText.Write(new FlowRunPolicy()),
            Tags = ["auto-scheduled", .. deployment.Tags.Where(t => t != "auto-scheduled")],
            Labels = deployment.Labels,
            IdempotencyKey = $"scheduled {deployment.Id} {schedule.Id} {at.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'}",
            InfrastructureDocumentId = deployment.InfrastructureDocumentId,
            WorkPoolId = deployment.WorkQueue?.WorkPoolId,
            WorkQueueId = deployment.WorkQueueId,
            AutoScheduled = true,
            CreatedBy = new JsonObject { ["id"] = schedule.Id, ["display_value"] = schedule.Slug ?? parsed.Kind, ["type"] = "SCHEDULE" }.ToJsonString(),
            NextScheduledStartTime = StorageTime.ToStorage(at),
        };
    }

    private static StateCreate Scheduled(FlowRunRecord run) => new()
    {
        Type = StateType.Scheduled,
        Message = "Flow run scheduled",
        StateDetails = new StateDetails { ScheduledTime = StorageTime.ToWire(run.NextScheduledStartTime) },
    };

    /// <summary>The runs whose idempotency keys are not stored yet (a run made earlier may have started, or a replica made it).</summary>
    private static async Task<List<FlowRunRecord>> WithoutExistingAsync(ReeveDbContext db, List<FlowRunRecord> runs, CancellationToken ct)
    {
        var existing = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in runs.Chunk(500))
        {
            var flows = chunk.Select(r => r.FlowId).Distinct().ToArray();
            var keys = chunk.Select(r => r.IdempotencyKey!).ToArray();
            existing.UnionWith(await db.FlowRuns.Where(r => flows.Contains(r.FlowId) && keys.Contains(r.IdempotencyKey!))
                .Select(r => r.IdempotencyKey!).ToListAsync(ct));
        }

        return runs.Where(r => !existing.Contains(r.IdempotencyKey!)).ToList();
    }
}
