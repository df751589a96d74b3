using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
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
internal sealed class SchedulerStore(Store store, TimeProvider clock, Events.RunEventHub events)
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
    /// <param name="deploymentIds">The deployments to plan.</param>
    /// <param name="plan">What a schedule needs at an instant, or null when it cannot be planned (it is then skipped).</param>
    /// <param name="cancellationToken">Stops the work.</param>
    public async Task<int> ScheduleAsync(IReadOnlyCollection<Guid> deploymentIds, Func<ActiveSchedule, DateTimeOffset, (Schedule Schedule, SchedulePlan Plan)?> plan,
        CancellationToken cancellationToken)
    {
        var wanted = deploymentIds.Order().ToArray();
        return await store.WriteAsync(async (db, ct) =>
        {
            var ids = store.Provider == StorageProvider.Postgres
                ? (await db.Database.SqlQuery<Guid>($"SELECT id AS \"Value\" FROM deployment WHERE id = ANY({wanted}) ORDER BY id FOR NO KEY UPDATE SKIP LOCKED")
                    .ToListAsync(ct)).ToArray()
                : wanted;

            // Read without tracking, only what runs are made of: under the lock, so plans start from what is stored.
            var deployments = await db.Deployments.Where(d => ids.Contains(d.Id) && !d.Paused)
                .Select(d => new Shaping(d.Id, d.FlowId, d.Version, d.Parameters, d.Tags, d.Labels, d.InfrastructureDocumentId, d.WorkQueueId,
                    d.WorkQueue == null ? null : d.WorkQueue.WorkPoolId))
                .ToDictionaryAsync(d => d.Id, ct);
            var schedules = await db.DeploymentSchedules.Where(s => ids.Contains(s.DeploymentId) && s.Active)
                .Select(s => new { Row = new ActiveSchedule(s.Id, s.DeploymentId, s.Schedule, s.Updated, s.MaxScheduledRuns, s.PlannedUntil), s.Parameters, s.Slug })
                .ToListAsync(ct);
            var now = StorageTime.ToWire(StorageTime.Now(clock));
            var runs = new List<FlowRunRecord>();
            var planned = new List<(Guid Id, DateTime Until)>();
            foreach (var schedule in schedules)
            {
                if (!deployments.TryGetValue(schedule.Row.DeploymentId, out var deployment))
                {
                    continue;
                }

                if (plan(schedule.Row, now) is not { Plan.Dates.Count: > 0 } due)
                {
                    continue;
                }

                var (parsed, needs) = due;
                planned.Add((schedule.Row.Id, StorageTime.ToStorage(needs.PlannedUntil!.Value)));
                var parameters = Merge(deployment.Parameters, schedule.Parameters);
                var createdBy = new JsonObject { ["id"] = schedule.Row.Id, ["display_value"] = schedule.Slug ?? parsed.Kind, ["type"] = "SCHEDULE" }.ToJsonString();
                runs.AddRange(needs.Dates.Select(at => NewRun(deployment, schedule.Row.Id, parameters, createdBy, at, now)));
            }

            var fresh = await WithoutExistingAsync(db, runs, ct);
            var states = fresh.Select(r => FlowRunMapper.Begin(r, Scheduled(r), now)).ToList();
            await BulkInsert.InsertAsync(db, fresh, ct);
            await BulkInsert.InsertAsync(db, states, ct);
            await SetPlannedUntilAsync(db, planned, ct);
            store.AfterCommit(() =>
            {
                // Subscribers (workers, serving processes, pages) hear of the new runs once they are stored.
                foreach (var run in fresh)
                {
                    events.Publish(FlowRunMapper.EventOf(run, now));
                }
            });
            return fresh.Count;
        }, cancellationToken);
    }

    /// <summary>What of a deployment its scheduled runs are made of.</summary>
    private sealed record Shaping(Guid Id, Guid FlowId, string? Version, string Parameters, List<string> Tags, string Labels, Guid? InfrastructureDocumentId,
        Guid? WorkQueueId, Guid? WorkPoolId);

    /// <summary>The deployment's parameters with the schedule's over them.</summary>
    private static string Merge(string deployment, string schedule)
    {
        if (schedule is "{}" or "")
        {
            return deployment;
        }

        var parameters = JsonText.Object(deployment);
        foreach (var (key, value) in JsonText.Object(schedule))
        {
            parameters[key] = value?.DeepClone();
        }

        return parameters.ToJsonString();
    }

    private static FlowRunRecord NewRun(Shaping deployment, Guid scheduleId, string parameters, string createdBy, DateTimeOffset at, DateTimeOffset now) => new()
    {
        Id = SequentialGuid.Next(now),
        Name = RunNames.Next(),
        FlowId = deployment.FlowId,
        DeploymentId = deployment.Id,
        DeploymentVersion = deployment.Version,
        Parameters = parameters,
        EmpiricalPolicy = EmptyPolicy,
        Tags = ["auto-scheduled", .. deployment.Tags.Where(t => t != "auto-scheduled")],
        Labels = deployment.Labels,
        IdempotencyKey = $"scheduled {deployment.Id} {scheduleId} {at.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'}",
        InfrastructureDocumentId = deployment.InfrastructureDocumentId,
        WorkPoolId = deployment.WorkPoolId,
        WorkQueueId = deployment.WorkQueueId,
        AutoScheduled = true,
        CreatedBy = createdBy,
        NextScheduledStartTime = StorageTime.ToStorage(at),
    };

    private static readonly string EmptyPolicy = JsonText.Write(new FlowRunPolicy());

    /// <summary>Records how far each schedule is planned: one prepared statement per schedule on SQLite, one statement on PostgreSQL.</summary>
    private static async Task SetPlannedUntilAsync(ReeveDbContext db, List<(Guid Id, DateTime Until)> planned, CancellationToken ct)
    {
        if (planned.Count == 0)
        {
            return;
        }

        if (db.Database.GetDbConnection() is Npgsql.NpgsqlConnection)
        {
            var ids = planned.Select(p => p.Id).ToArray();
            var untils = planned.Select(p => DateTime.SpecifyKind(p.Until, DateTimeKind.Utc)).ToArray();
            await db.Database.ExecuteSqlAsync(
                $"UPDATE deployment_schedule AS s SET planned_until = v.until FROM unnest({ids}, {untils}) AS v(id, until) WHERE s.id = v.id", ct);
            return;
        }

        // SQLite: one prepared statement, its values converted as the model stores them (ids and times are text).
        var entity = db.Model.FindEntityType(typeof(DeploymentScheduleRecord))!;
        var idMapping = entity.FindProperty(nameof(DeploymentScheduleRecord.Id))!.GetRelationalTypeMapping();
        var untilMapping = entity.FindProperty(nameof(DeploymentScheduleRecord.PlannedUntil))!.GetRelationalTypeMapping();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = "UPDATE deployment_schedule SET planned_until = @until WHERE id = @id";
        var untilParameter = untilMapping.CreateParameter(command, "@until", null, nullable: true);
        var idParameter = idMapping.CreateParameter(command, "@id", null, nullable: false);
        command.Parameters.Add(untilParameter);
        command.Parameters.Add(idParameter);
        await command.PrepareAsync(ct);
        foreach (var (id, until) in planned)
        {
            untilParameter.Value = untilMapping.Converter?.ConvertToProvider(until) ?? until;
            idParameter.Value = idMapping.Converter?.ConvertToProvider(id) ?? id;
            await command.ExecuteNonQueryAsync(ct);
        }
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
