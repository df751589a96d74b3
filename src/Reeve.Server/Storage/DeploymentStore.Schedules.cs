using Microsoft.EntityFrameworkCore;
using Reeve.Core.Deployments;
using Reeve.Core.Errors;
using Reeve.Server.Storage.Entities;

namespace Reeve.Server.Storage;

/// <summary><c>/deployments/{id}/schedules</c>: one deployment's schedules, each changed on its own.</summary>
internal sealed partial class DeploymentStore
{
    public async Task<IReadOnlyList<DeploymentSchedule>> ReadSchedulesAsync(Guid id, CancellationToken cancellationToken)
    {
        var deployment = await store.Db.Deployments.Include(d => d.Schedules).FirstOrDefaultAsync(d => d.Id == id, cancellationToken) ?? throw NotFound();
        return deployment.Schedules.OrderBy(s => s.Created).ThenBy(s => s.Id).Select(ToWire).ToList();
    }

    /// <summary>Adds schedules to a deployment; the scheduler makes their runs at once.</summary>
    public async Task<IReadOnlyList<DeploymentSchedule>> AddSchedulesAsync(Guid id, List<DeploymentScheduleCreate> schedules, CancellationToken cancellationToken)
    {
        var read = ReadSchedules(schedules, string.Empty);
        var added = await store.WriteAsync(async (db, ct) =>
        {
            var deployment = await db.Deployments.AsTracking().Include(d => d.Schedules).FirstOrDefaultAsync(d => d.Id == id, ct) ?? throw NotFound();
            var now = StorageTime.Now(clock);
            var records = new List<DeploymentScheduleRecord>();
            foreach (var schedule in read)
            {
                if (schedule.Slug is { } slug && deployment.Schedules.Any(s => s.Slug == slug))
                {
                    throw new ReeveConflictException($"Deployment {id} already has a schedule with slug '{slug}'.");
                }

                var record = db.DeploymentSchedules.Add(NewSchedule(id, schedule, now)).Entity;
                deployment.Schedules.Add(record);
                records.Add(record);
            }

            deployment.Updated = now;
            await db.SaveChangesAsync(ct);
            return records.Select(ToWire).ToList();
        }, cancellationToken);
        changes.Notify();
        return added;
    }

    /// <summary>Changes one schedule; the runs it made that have not started are made again from the new values.</summary>
    public async Task UpdateScheduleAsync(Guid id, Guid scheduleId, DeploymentScheduleUpdate update, CancellationToken cancellationToken)
    {
        Core.Schedules.Schedule? parsed = null;
        if (update.Schedule.IsSet)
        {
            parsed = Core.Schedules.Schedule.Validate(update.Schedule.Value, clock.GetUtcNow(), "schedule");
        }

        if (update.MaxScheduledRuns is { IsSet: true, Value: < 1 })
        {
            throw new ReeveValidationException("max_scheduled_runs", "Input should be greater than 0");
        }

        if (update.Slug is { IsSet: true, Value: { } newSlug })
        {
            Core.Naming.ResourceName.Validate(newSlug, "slug");
        }

        await store.WriteAsync(async (db, ct) =>
        {
            var deployment = await db.Deployments.AsTracking().Include(d => d.Schedules).FirstOrDefaultAsync(d => d.Id == id, ct) ?? throw NotFound();
            var schedule = deployment.Schedules.FirstOrDefault(s => s.Id == scheduleId) ?? throw ScheduleNotFound();
            var before = RunShaping.Of(deployment);
            if (parsed is not null)
            {
                schedule.Schedule = parsed.ToJson().ToJsonString();
            }

            Set(update.Active, v => schedule.Active = v);
            Set(update.MaxScheduledRuns, v => schedule.MaxScheduledRuns = v);
            Set(update.Parameters, v => schedule.Parameters = (v ?? []).ToJsonString());
            if (update.Slug.IsSet)
            {
                if (update.Slug.Value is { } slug && deployment.Schedules.Any(s => s.Id != scheduleId && s.Slug == slug))
                {
                    throw new ReeveConflictException($"Deployment {id} already has a schedule with slug '{slug}'.");
                }

                schedule.Slug = update.Slug.Value;
            }

            var now = StorageTime.Now(clock);
            schedule.Updated = now;
            deployment.Updated = now;
            await db.SaveChangesAsync(ct);
            await ReplanIfChangedAsync(db, deployment, before, ct);
        }, cancellationToken);
    }

    /// <summary>Deletes one schedule and the runs it made that have not started.</summary>
    public async Task DeleteScheduleAsync(Guid id, Guid scheduleId, CancellationToken cancellationToken)
    {
        await store.WriteAsync(async (db, ct) =>
        {
            var deployment = await db.Deployments.AsTracking().Include(d => d.Schedules).FirstOrDefaultAsync(d => d.Id == id, ct) ?? throw NotFound();
            var schedule = deployment.Schedules.FirstOrDefault(s => s.Id == scheduleId) ?? throw ScheduleNotFound();
            var before = RunShaping.Of(deployment);
            deployment.Schedules.Remove(schedule);
            db.DeploymentSchedules.Remove(schedule);
            deployment.Updated = StorageTime.Now(clock);
            await db.SaveChangesAsync(ct);
            await ReplanIfChangedAsync(db, deployment, before, ct);
        }, cancellationToken);
    }

    private static DeploymentScheduleRecord NewSchedule(Guid deploymentId, DeploymentScheduleCreate schedule, DateTime now) => new()
    {
        Id = Core.Ids.SequentialGuid.Next(now),
        Created = now,
        Updated = now,
        DeploymentId = deploymentId,
        Schedule = schedule.Schedule.ToJsonString(),
        Active = schedule.Active,
        MaxScheduledRuns = schedule.MaxScheduledRuns,
        Parameters = (schedule.Parameters ?? []).ToJsonString(),
        Slug = schedule.Slug,
    };

    private static ReeveNotFoundException ScheduleNotFound() => new("Schedule not found");

    private static DeploymentSchedule ToWire(DeploymentScheduleRecord s) => new()
    {
        Id = s.Id,
        Created = StorageTime.ToWire(s.Created),
        Updated = StorageTime.ToWire(s.Updated),
        DeploymentId = s.DeploymentId,
        Schedule = JsonText.Object(s.Schedule),
        Active = s.Active,
        MaxScheduledRuns = s.MaxScheduledRuns,
        Parameters = JsonText.Object(s.Parameters),
        Slug = s.Slug,
    };
}
