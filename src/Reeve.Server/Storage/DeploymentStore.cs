using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reeve.Core.Deployments;
using Reeve.Core.Errors;
using Reeve.Core.Filters;
using Reeve.Core.Ids;
using Reeve.Core.Naming;
using Reeve.Core.Schemas;
using Reeve.Core.WorkQueues;
using Reeve.Server.Storage.Entities;

namespace Reeve.Server.Storage;

/// <summary>Reads and writes deployments.</summary>
internal sealed partial class DeploymentStore(Store store, WorkQueueStore queues, FlowRunStore runs, TimeProvider clock, Services.ScheduleChanges changes)
{
    /// <summary>Creates the deployment, or updates the one of the same flow and name with the fields sent.</summary>
    public async Task<(Deployment Deployment, bool Created)> UpsertAsync(DeploymentCreate request, CancellationToken cancellationToken)
    {
        ResourceName.Validate(request.Name);
        if (!await store.Db.Flows.AnyAsync(f => f.Id == request.FlowId, cancellationToken))
        {
            throw new ReeveNotFoundException($"Flow '{request.FlowId}' not found.");
        }

        RequireLimit(request.ConcurrencyLimit);
        Core.Schedules.LateRuns.RequireExpiry(request.ExpireLateRunsAfter);
        var schedules = request.Schedules is { } given ? ReadSchedules(given) : null;
        var queueId = await ResolveQueueAsync(request.WorkPoolName, request.WorkQueueName, cancellationToken);
        var schema = request.ParameterOpenapiSchema;
        if (schema is not null)
        {
            SchemaValidation.RequireValidSchema(schema, "parameter_openapi_schema");
        }

        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await store.WriteAsync(async (db, ct) =>
                {
                    var now = StorageTime.Now(clock);
                    var deployment = await db.Deployments.AsTracking().Include(d => d.Schedules)
                        .FirstOrDefaultAsync(d => d.FlowId == request.FlowId && d.Name == request.Name, ct);
                    var created = deployment is null;
                    deployment ??= db.Deployments.Add(new DeploymentRecord
                    {
                        Id = SequentialGuid.Next(clock.GetUtcNow()),
                        Created = now,
                        Name = request.Name,
                        FlowId = request.FlowId,
                    }).Entity;

                    var before = created ? null : RunShaping.Of(deployment);
                    var previousVariables = created ? null : JsonText.ObjectOrNull(deployment.JobVariables);
                    var previousQueueId = deployment.WorkQueueId;
                    Apply(deployment, request, queueId, now);

                    // The variables the deployment ends with, in the pool it ends in: a redeploy that names no pool keeps its own.
                    await JobVariableChecks.ForDeploymentAsync(store, db, previousQueueId, deployment.WorkQueueId, JsonText.ObjectOrNull(deployment.JobVariables),
                        previousVariables, ct);
                    ValidateParameters(deployment);
                    if (schedules is not null)
                    {
                        ReplaceSchedules(db, deployment, schedules, now);
                    }

                    await db.SaveChangesAsync(ct);
                    if (before is not null)
                    {
                        await ReplanIfChangedAsync(db, deployment, before, ct);
                    }
                    else if (deployment.Schedules.Count > 0)
                    {
                        store.AfterCommit(changes.Notify);
                    }

                    return (await ToWireAsync(db, deployment, ct), created);
                }, cancellationToken);
            }
            catch (DbUpdateException e) when (Store.IsUniqueViolation(e) && attempt == 0)
            {
                // Created by a racing request in between: update that one instead.
            }
        }
    }

    private static void Apply(DeploymentRecord deployment, DeploymentCreate request, Guid? queueId, DateTime now)
    {
        deployment.Updated = now;
        deployment.ExpireLateRunsAfter = request.ExpireLateRunsAfter ?? deployment.ExpireLateRunsAfter;
        if (request.Paused is { } paused)
        {
            deployment.Paused = paused;
        }

        if (request.ConcurrencyLimit is not null || deployment.ConcurrencyLimit is null)
        {
            deployment.ConcurrencyLimit = request.ConcurrencyLimit;
        }

        if (request.ConcurrencyOptions is { } options)
        {
            deployment.CollisionStrategy = options.CollisionStrategy.ToString();
        }

        if (request.EnforceParameterSchema is { } enforce)
        {
            deployment.EnforceParameterSchema = enforce;
        }

        if (request.ParameterOpenapiSchema is { } schema)
        {
            deployment.ParameterOpenapiSchema = schema.ToJsonString();
        }

        if (request.Parameters is { } parameters)
        {
            deployment.Parameters = parameters.ToJsonString();
        }

        if (request.Tags is { } tags)
        {
            deployment.Tags = tags;
        }

        if (request.Labels is { } labels)
        {
            deployment.Labels = labels.ToJsonString();
        }

        if (request.PullSteps is { } steps)
        {
            deployment.PullSteps = steps.ToJsonString();
        }

        if (request.WorkPoolName is not null || request.WorkQueueName is not null)
        {
            deployment.WorkQueueId = queueId;
        }

        deployment.StorageDocumentId = request.StorageDocumentId ?? deployment.StorageDocumentId;
        deployment.InfrastructureDocumentId = request.InfrastructureDocumentId ?? deployment.InfrastructureDocumentId;
        deployment.Description = request.Description ?? deployment.Description;
        deployment.Path = request.Path ?? deployment.Path;
        deployment.Version = request.Version ?? deployment.Version;
        deployment.Entrypoint = request.Entrypoint ?? deployment.Entrypoint;
        if (request.JobVariables is { } variables)
        {
            deployment.JobVariables = variables.ToJsonString();
        }
    }

    public async Task<Deployment> ReadAsync(Guid id, CancellationToken cancellationToken) =>
        await ToWireAsync(store.Db, await Deployments().FirstOrDefaultAsync(d => d.Id == id, cancellationToken) ?? throw NotFound(), cancellationToken);

    public async Task<Deployment> ReadByNameAsync(string flowName, string name, CancellationToken cancellationToken) =>
        await ToWireAsync(store.Db, await Deployments().FirstOrDefaultAsync(d => d.Name == name && d.Flow!.Name == flowName, cancellationToken)
            ?? throw new ReeveNotFoundException($"Deployment '{flowName}/{name}' not found."), cancellationToken);

    public async Task UpdateAsync(Guid id, DeploymentUpdate update, CancellationToken cancellationToken)
    {
        if (update.ConcurrencyLimit.IsSet)
        {
            RequireLimit(update.ConcurrencyLimit.Value);
        }

        Guid? queueId = null;
        var moving = update.WorkPoolName.IsSet || update.WorkQueueName.IsSet;
        if (moving)
        {
            var current = await Deployments().Where(d => d.Id == id)
                .Select(d => new { Queue = d.WorkQueue!.Name, Pool = d.WorkQueue.WorkPool!.Name }).FirstOrDefaultAsync(cancellationToken);
            var pool = update.WorkPoolName.GetValueOrDefault(current?.Pool);
            var queue = update.WorkQueueName.IsSet ? update.WorkQueueName.Value : update.WorkPoolName.IsSet ? null : current?.Queue;
            queueId = await ResolveQueueAsync(pool, queue, cancellationToken);
        }

        if (update.ParameterOpenapiSchema is { IsSet: true, Value: { } schema })
        {
            SchemaValidation.RequireValidSchema(schema, "parameter_openapi_schema");
        }

        if (update.ExpireLateRunsAfter.IsSet)
        {
            Core.Schedules.LateRuns.RequireExpiry(update.ExpireLateRunsAfter.Value);
        }

        var schedules = update.Schedules is { IsSet: true } given ? ReadSchedules(given.Value ?? []) : null;
        await store.WriteAsync(async (db, ct) =>
        {
            var deployment = await db.Deployments.AsTracking().Include(d => d.Schedules).FirstOrDefaultAsync(d => d.Id == id, ct) ?? throw NotFound();
            var before = RunShaping.Of(deployment);
            var now = StorageTime.Now(clock);
            var previousQueueId = deployment.WorkQueueId;
            if (moving)
            {
                deployment.WorkQueueId = queueId;
            }

            if (update.JobVariables.IsSet || moving)
            {
                var stored = JsonText.ObjectOrNull(deployment.JobVariables);
                var variables = update.JobVariables.IsSet ? update.JobVariables.Value : stored;
                await JobVariableChecks.ForDeploymentAsync(store, db, previousQueueId, deployment.WorkQueueId, variables, stored, ct);
                deployment.JobVariables = (variables ?? []).ToJsonString();
            }

            Set(update.Version, v => deployment.Version = v);
            Set(update.Description, v => deployment.Description = v);
            Set(update.Paused, v => deployment.Paused = v);
            Set(update.ConcurrencyLimit, v => deployment.ConcurrencyLimit = v);
            Set(update.ConcurrencyOptions, v => deployment.CollisionStrategy = v?.CollisionStrategy.ToString());
            Set(update.Parameters, v => deployment.Parameters = (v ?? []).ToJsonString());
            Set(update.ParameterOpenapiSchema, v => deployment.ParameterOpenapiSchema = (v ?? []).ToJsonString());
            Set(update.Tags, v => deployment.Tags = v ?? []);
            Set(update.Path, v => deployment.Path = v);
            Set(update.PullSteps, v => deployment.PullSteps = v?.ToJsonString());
            Set(update.Entrypoint, v => deployment.Entrypoint = v);
            Set(update.StorageDocumentId, v => deployment.StorageDocumentId = v);
            Set(update.InfrastructureDocumentId, v => deployment.InfrastructureDocumentId = v);
            Set(update.EnforceParameterSchema, v => deployment.EnforceParameterSchema = v);
            Set(update.ExpireLateRunsAfter, v => deployment.ExpireLateRunsAfter = v);
            ValidateParameters(deployment);
            if (schedules is not null)
            {
                ReplaceSchedules(db, deployment, schedules, now);
            }

            deployment.Updated = now;
            await db.SaveChangesAsync(ct);
            await ReplanIfChangedAsync(db, deployment, before, ct);
        }, cancellationToken);
    }

    public async Task DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await store.WriteAsync((db, ct) => db.Deployments.Where(d => d.Id == id).ExecuteDeleteAsync(ct), cancellationToken) == 0)
        {
            throw NotFound();
        }
    }

    /// <summary>
    /// Pauses a deployment, removing the runs its schedules made that have not started, or resumes it, so that
    /// the scheduler makes them again at once.
    /// </summary>
    public async Task SetPausedAsync(Guid id, bool paused, CancellationToken cancellationToken)
    {
        var now = StorageTime.Now(clock);
        var changed = await store.WriteAsync(async (db, ct) =>
        {
            var count = await db.Deployments.Where(d => d.Id == id)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.Paused, paused).SetProperty(d => d.Updated, now), ct);
            if (count > 0)
            {
                await RemoveScheduledRunsAsync(db, id, futureOnly: false, ct);
            }

            return count;
        }, cancellationToken);
        if (changed == 0)
        {
            throw NotFound();
        }

        changes.Notify();
    }

    /// <summary>The matching deployments, read and written a few at a time (<see cref="ResponseChunks"/>).</summary>
    public async Task<IAsyncEnumerable<Deployment>> FilterAsync(DeploymentFilterRequest request, CancellationToken cancellationToken)
    {
        var limit = Paging.Resolve(request.Limit, request.Offset);
        var query = (request.Sort ?? "NAME_ASC") switch
        {
            "NAME_ASC" => Query(request).OrderBy(d => d.Flow!.Name).ThenBy(d => d.Name),
            "NAME_DESC" => Query(request).OrderByDescending(d => d.Flow!.Name).ThenByDescending(d => d.Name),
            "CREATED_DESC" => Query(request).OrderByDescending(d => d.Created),
            "UPDATED_DESC" => Query(request).OrderByDescending(d => d.Updated),
            var other => throw new ReeveValidationException("sort", $"'{other}' is not a deployment sort; use NAME_ASC, NAME_DESC, CREATED_DESC or UPDATED_DESC"),
        };
        var ids = await query.Skip(request.Offset).Take(limit).Select(d => d.Id).ToListAsync(cancellationToken);
        return ResponseChunks.StreamAsync(ids, async (chunk, ct) =>
        {
            var result = new Dictionary<Guid, Deployment>(chunk.Length);
            foreach (var row in await Query(request).Where(d => chunk.Contains(d.Id)).ToListAsync(ct))
            {
                result[row.Id] = await ToWireAsync(store.Db, row, ct);
            }

            return result;
        }, cancellationToken);
    }

    public Task<int> CountAsync(DeploymentFilterRequest request, CancellationToken cancellationToken) => Query(request).CountAsync(cancellationToken);

    private IQueryable<DeploymentRecord> Query(DeploymentFilterRequest request)
    {
        var db = store.Db;
        var deployments = QueryFilters.Deployments(Deployments(), request.Deployments);
        if (request.Flows is not null)
        {
            var flows = QueryFilters.Flows(db, db.Flows, request.Flows);
            deployments = deployments.Where(d => flows.Any(f => f.Id == d.FlowId));
        }

        if (request.WorkPools is not null)
        {
            var pools = WorkPoolStore.Apply(db.WorkPools, request.WorkPools);
            deployments = deployments.Where(d => d.WorkQueue != null && pools.Any(p => p.Id == d.WorkQueue.WorkPoolId));
        }

        return deployments;
    }

    private IQueryable<DeploymentRecord> Deployments() =>
        store.Db.Deployments.Include(d => d.Schedules).Include(d => d.WorkQueue).ThenInclude(q => q!.WorkPool).AsSplitQuery();

    /// <summary>The queue for a pool and queue name: the named queue (created when missing) or the pool's default.</summary>
    private async Task<Guid?> ResolveQueueAsync(string? poolName, string? queueName, CancellationToken cancellationToken)
    {
        if (poolName is null)
        {
            return queueName is null ? null : throw new ReeveValidationException("work_queue_name", "a queue needs its work_pool_name");
        }

        var pool = await store.Db.WorkPools.Where(p => p.Name == poolName).Select(p => new { p.Id, p.DefaultQueueId }).FirstOrDefaultAsync(cancellationToken)
            ?? throw WorkPoolStore.NotFound(poolName);
        if (queueName is null)
        {
            return pool.DefaultQueueId;
        }

        return await store.Db.WorkQueues.Where(q => q.WorkPoolId == pool.Id && q.Name == queueName).Select(q => (Guid?)q.Id).FirstOrDefaultAsync(cancellationToken)
            ?? await CreateQueueAsync(poolName, queueName, cancellationToken);
    }

    private async Task<Guid> CreateQueueAsync(string poolName, string queueName, CancellationToken cancellationToken)
    {
        try
        {
            return (await queues.CreateAsync(poolName, new WorkQueueCreate { Name = queueName }, cancellationToken)).Id;
        }
        catch (ReeveConflictException)
        {
            // Created by a racing request in between.
            return (await queues.ReadAsync(poolName, queueName, cancellationToken)).Id;
        }
    }

    /// <summary>With enforcement on, the deployment's own parameters must fit its schema (required ones may be left to runs).</summary>
    private static void ValidateParameters(DeploymentRecord deployment)
    {
        var schema = JsonText.Object(deployment.ParameterOpenapiSchema);
        if (deployment.EnforceParameterSchema && schema.Count > 0)
        {
            ParameterRules.Validate(schema, JsonText.Object(deployment.Parameters), enforceRequired: false);
        }
    }

    /// <summary>Checks a deployment's schedules and writes each in its full form (defaults filled in).</summary>
    private List<DeploymentScheduleCreate> ReadSchedules(List<DeploymentScheduleCreate> schedules, string field = "schedules")
    {
        var slugs = schedules.Where(s => s.Slug is not null).GroupBy(s => s.Slug).FirstOrDefault(g => g.Count() > 1);
        if (slugs is not null)
        {
            throw new ReeveValidationException(field.Length == 0 ? "slug" : field, $"Schedule slugs must be unique within a deployment ('{slugs.Key}' is used twice).");
        }

        return schedules.Select((s, i) => ReadSchedule(s, $"{field}[{i}]")).ToList();
    }

    private DeploymentScheduleCreate ReadSchedule(DeploymentScheduleCreate schedule, string field)
    {
        if (schedule.MaxScheduledRuns is < 1)
        {
            throw new ReeveValidationException($"{field}.max_scheduled_runs", "Input should be greater than 0");
        }

        if (schedule.MaxActiveRuns is < 1)
        {
            throw new ReeveValidationException($"{field}.max_active_runs", "Input should be greater than 0");
        }

        if (schedule.Slug is { } slug)
        {
            ResourceName.Validate(slug, $"{field}.slug");
        }

        return schedule with { Schedule = Core.Schedules.Schedule.Validate(schedule.Schedule, clock.GetUtcNow(), $"{field}.schedule").ToJson() };
    }

    /// <summary>
    /// Replaces a deployment's schedules. A schedule sent again unchanged keeps its record (and with it the runs
    /// it made), so deploying the same code twice changes nothing.
    /// </summary>
    private static void ReplaceSchedules(ReeveDbContext db, DeploymentRecord deployment, List<DeploymentScheduleCreate> schedules, DateTime now)
    {
        var kept = new List<DeploymentScheduleRecord>();
        var unused = deployment.Schedules.ToList();
        foreach (var schedule in schedules)
        {
            var json = schedule.Schedule.ToJsonString();
            var parameters = (schedule.Parameters ?? []).ToJsonString();
            var same = unused.FirstOrDefault(s => s.Schedule == json && s.Active == schedule.Active && s.MaxScheduledRuns == schedule.MaxScheduledRuns
                && s.Parameters == parameters && s.Slug == schedule.Slug);
            if (same is not null)
            {
                unused.Remove(same);
                kept.Add(same);
                continue;
            }

            kept.Add(db.DeploymentSchedules.Add(NewSchedule(deployment.Id, schedule, now)).Entity);
        }

        db.DeploymentSchedules.RemoveRange(unused);
        deployment.Schedules.Clear();
        deployment.Schedules.AddRange(kept);
    }

    /// <summary>
    /// When a change alters what a deployment's scheduled runs would be (schedules, parameters, tags, queue,
    /// version), its runs not yet started are removed and the scheduler makes them again from the new values.
    /// </summary>
    private async Task ReplanIfChangedAsync(ReeveDbContext db, DeploymentRecord deployment, RunShaping before, CancellationToken ct)
    {
        if (RunShaping.Of(deployment) == before)
        {
            return;
        }

        await RemoveScheduledRunsAsync(db, deployment.Id, futureOnly: !deployment.Paused, ct);
        store.AfterCommit(changes.Notify);
    }

    /// <summary>
    /// Removes the runs a deployment's schedules made that have not started (SCHEDULED, never run, not waiting
    /// for a slot): all of them, or only those still ahead; its schedules are then planned afresh.
    /// </summary>
    private async Task RemoveScheduledRunsAsync(ReeveDbContext db, Guid deploymentId, bool futureOnly, CancellationToken ct)
    {
        var now = StorageTime.Now(clock);
        var query = db.FlowRuns.Where(r => r.DeploymentId == deploymentId && r.AutoScheduled && r.StateType == Core.States.StateType.Scheduled
            && r.RunCount == 0 && r.StateName != "AwaitingConcurrencySlot");
        if (futureOnly)
        {
            query = query.Where(r => r.NextScheduledStartTime > now);
        }

        await query.ExecuteDeleteAsync(ct);
        await db.DeploymentSchedules.Where(s => s.DeploymentId == deploymentId).ExecuteUpdateAsync(s => s.SetProperty(x => x.PlannedUntil, (DateTime?)null), ct);
    }

    /// <summary>What of a deployment shapes the runs its schedules make; when it changes, those runs are made again.</summary>
    private sealed record RunShaping(string Schedules, string Parameters, string Tags, string Labels, string? Version, Guid? Queue, Guid? Infrastructure, bool Paused)
    {
        public static RunShaping Of(DeploymentRecord d) => new(
            string.Join('\n', d.Schedules.OrderBy(s => s.Id).Select(s => $"{s.Id} {s.Schedule} {s.Active} {s.MaxScheduledRuns} {s.Parameters} {s.Slug}")),
            d.Parameters,
            string.Join(',', d.Tags),
            d.Labels,
            d.Version,
            d.WorkQueueId,
            d.InfrastructureDocumentId,
            d.Paused);
    }

    private static void Set<T>(Core.Json.Optional<T> field, Action<T> apply)
    {
        if (field.IsSet)
        {
            apply(field.Value);
        }
    }

    private static void RequireLimit(int? limit)
    {
        if (limit is < 1)
        {
            throw new ReeveValidationException("concurrency_limit", "Input should be greater than 0");
        }
    }

    internal static ReeveNotFoundException NotFound() => new("Deployment not found");

    private async Task<Deployment> ToWireAsync(ReeveDbContext db, DeploymentRecord deployment, CancellationToken ct)
    {
        var queue = deployment.WorkQueue;
        if (queue is null && deployment.WorkQueueId is { } queueId)
        {
            queue = await db.WorkQueues.Include(q => q.WorkPool).FirstOrDefaultAsync(q => q.Id == queueId, ct);
        }

        var now = clock.GetUtcNow();
        var polled = new[] { deployment.LastPolled, queue?.LastPolled }.Where(p => p is not null).Max();
        return new Deployment
        {
            Id = deployment.Id,
            Created = StorageTime.ToWire(deployment.Created),
            Updated = StorageTime.ToWire(deployment.Updated),
            Name = deployment.Name,
            FlowId = deployment.FlowId,
            Version = deployment.Version,
            Description = deployment.Description,
            Paused = deployment.Paused,
            Schedules = deployment.Schedules.OrderBy(s => s.Created).ThenBy(s => s.Id).Select(ToWire).ToList(),
            ConcurrencyLimit = deployment.ConcurrencyLimit,
            ExpireLateRunsAfter = deployment.ExpireLateRunsAfter,
            ConcurrencyOptions = deployment.CollisionStrategy is { } strategy
                ? new ConcurrencyOptions { CollisionStrategy = Enum.Parse<CollisionStrategy>(strategy) }
                : null,
            JobVariables = JsonText.Object(deployment.JobVariables),
            Parameters = JsonText.Object(deployment.Parameters),
            Tags = deployment.Tags,
            Labels = JsonText.Object(deployment.Labels),
            WorkQueueName = queue?.Name,
            WorkQueueId = deployment.WorkQueueId,
            LastPolled = StorageTime.ToWire(deployment.LastPolled),
            ParameterOpenapiSchema = JsonText.Object(deployment.ParameterOpenapiSchema),
            Path = deployment.Path,
            PullSteps = JsonText.ArrayOrNull(deployment.PullSteps),
            Entrypoint = deployment.Entrypoint,
            StorageDocumentId = deployment.StorageDocumentId,
            InfrastructureDocumentId = deployment.InfrastructureDocumentId,
            CreatedBy = JsonText.ObjectOrNull(deployment.CreatedBy),
            UpdatedBy = JsonText.ObjectOrNull(deployment.UpdatedBy),
            WorkPoolName = queue?.WorkPool?.Name,
            Status = polled is { } p && now - StorageTime.ToWire(p) <= Core.WorkQueues.WorkQueueStatusRule.LastPolledTimeout
                ? DeploymentStatus.Ready
                : DeploymentStatus.NotReady,
            EnforceParameterSchema = deployment.EnforceParameterSchema,
        };
    }
}
