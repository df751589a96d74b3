using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reeve.Core.Deployments;
using Reeve.Core.Errors;
using Reeve.Core.Filters;
using Reeve.Core.FlowRuns;
using Reeve.Core.Ids;
using Reeve.Core.JobTemplates;
using Reeve.Core.Naming;
using Reeve.Core.Schemas;
using Reeve.Core.States;
using Reeve.Server.Storage.Entities;

namespace Reeve.Server.Storage;

internal sealed partial class DeploymentStore
{
    /// <summary>A deployment with its queue and the queue's pool, as a new run of it needs them.</summary>
    private static readonly PerModelQuery<Func<ReeveDbContext, Guid, CancellationToken, Task<DeploymentRecord?>>> WithQueueAndPool = new(() =>
        EF.CompileAsyncQuery((ReeveDbContext d, Guid id, CancellationToken _) =>
            d.Deployments.Include(x => x.WorkQueue).ThenInclude(q => q!.WorkPool).FirstOrDefault(x => x.Id == id)));

    /// <summary>
    /// Creates a run of a deployment: its parameters merged over the deployment's and checked against the
    /// parameter schema (when enforced), its job variables checked with required ones enforced, in the
    /// deployment's queue (or another queue of its pool), Scheduled now unless a state is given.
    /// </summary>
    public async Task<(FlowRun Run, bool Created)> CreateFlowRunAsync(Guid id, DeploymentFlowRunCreate request, CancellationToken cancellationToken)
    {
        if (request.Name is not null)
        {
            ResourceName.Validate(request.Name);
        }

        var deployment = await WithQueueAndPool.For(store.Db)(store.Db, id, cancellationToken) ?? throw NotFound();

        var parameters = JsonVariablesMerge(JsonText.Object(deployment.Parameters), request.Parameters);
        var schema = JsonText.Object(deployment.ParameterOpenapiSchema);
        if ((request.EnforceParameterSchema ?? deployment.EnforceParameterSchema) && schema.Count > 0)
        {
            ParameterRules.Validate(schema, parameters, enforceRequired: true);
        }

        var queue = deployment.WorkQueue;
        if (request.WorkQueueName is { } queueName)
        {
            if (queue?.WorkPool is not { } pool)
            {
                throw new ReeveValidationException("work_queue_name",
                    $"Cannot create flow run in work queue '{queueName}' because deployment {deployment.Id} is not associated with a work pool.");
            }

            var queueId = await ResolveQueueAsync(pool.Name, queueName, cancellationToken);
            queue = await store.Db.WorkQueues.Include(q => q.WorkPool).FirstAsync(q => q.Id == queueId, cancellationToken);
        }

        if (queue?.WorkPool is { } runPool)
        {
            JobVariableChecks.ForRun(store, runPool.BaseJobTemplate, deployment.JobVariables, request.JobVariables);
        }

        var now = clock.GetUtcNow();
        var run = new FlowRunRecord
        {
            Id = SequentialGuid.Next(now),
            Name = request.Name ?? RunNames.Next(),
            FlowId = deployment.FlowId,
            DeploymentId = deployment.Id,
            DeploymentVersion = deployment.Version,
            Parameters = parameters.ToJsonString(),
            Context = JsonText.Write(request.Context ?? []),
            EmpiricalPolicy = JsonText.Write(request.EmpiricalPolicy ?? new FlowRunPolicy()),
            Tags = deployment.Tags.Union(request.Tags ?? []).ToList(),
            Labels = JsonVariablesMerge(JsonText.Object(deployment.Labels), request.Labels).ToJsonString(),
            ParentTaskRunId = request.ParentTaskRunId,
            IdempotencyKey = request.IdempotencyKey,
            InfrastructureDocumentId = request.InfrastructureDocumentId ?? deployment.InfrastructureDocumentId,
            WorkPoolId = queue?.WorkPoolId,
            WorkQueueId = queue?.Id,
            JobVariables = JsonText.Write(request.JobVariables ?? []),
        };
        var names = queue?.WorkPool is { } named ? new QueueNames(queue.Name, named.Name) : null;
        return await runs.InsertAsync(run, request.State ?? new StateCreate { Type = StateType.Scheduled }, cancellationToken, names);
    }

    /// <summary>
    /// The SCHEDULED runs of some deployments due by a time, earliest first, for serving processes; marks the
    /// deployments polled (READY).
    /// </summary>
    public async Task<IReadOnlyList<FlowRun>> ScheduledRunsAsync(DeploymentScheduledRunsRequest request, CancellationToken cancellationToken)
    {
        var limit = Paging.Resolve(request.Limit, 0);
        await MarkPolledAsync(request.DeploymentIds, cancellationToken);
        return await ToWireAsync(await DueRuns(store.Db, request.DeploymentIds, request.ScheduledBefore, limit).ToListAsync(cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Claims the deployments' due runs (PENDING) for a serving process, in one transaction that holds the
    /// deployments' rows (see <see cref="FlowRunStore.ClaimAsync"/>): of several processes serving the same
    /// deployments, each is handed different runs. Runs due by
    /// <see cref="DeploymentScheduledRunsRequest.ScheduledBefore"/>, now when absent.
    /// </summary>
    public async Task<IReadOnlyList<FlowRun>> ClaimRunsAsync(DeploymentScheduledRunsRequest request, CancellationToken cancellationToken)
    {
        var limit = Paging.Resolve(request.Limit, 0);
        await MarkPolledAsync(request.DeploymentIds, cancellationToken);
        var before = request.ScheduledBefore ?? clock.GetUtcNow();
        var ids = request.DeploymentIds;
        var pools = await DueRuns(store.Db, ids, before, limit).Where(r => r.WorkPoolId != null).Select(r => r.WorkPoolId!.Value).Distinct().ToListAsync(cancellationToken);
        var claimed = await runs.ClaimAsync(pools, ids, (db, ct) => DueRuns(db, ids, before, limit).ToListAsync(ct), null, cancellationToken);
        return await ToWireAsync(claimed, cancellationToken);
    }

    private static IQueryable<FlowRunRecord> DueRuns(ReeveDbContext db, List<Guid> ids, DateTimeOffset? before, int limit)
    {
        var query = db.FlowRuns.Where(r => r.DeploymentId != null && ids.Contains(r.DeploymentId.Value) && r.StateType == StateType.Scheduled && r.RetryType != "in_process");
        if (before is { } dueBy)
        {
            var b = StorageTime.ToStorage(dueBy);
            query = query.Where(r => r.NextScheduledStartTime <= b);
        }

        return query.OrderBy(r => r.NextScheduledStartTime).ThenBy(r => r.Id).Take(limit);
    }

    /// <summary>Marks the deployments polled (READY), at most every few seconds: a busy serving process polls far more often than that.</summary>
    private async Task MarkPolledAsync(List<Guid> ids, CancellationToken cancellationToken)
    {
        var now = StorageTime.Now(clock);
        var cutoff = now - WorkerRunsStore.PolledRefresh;
        var stale = await store.Db.Deployments.Where(d => ids.Contains(d.Id) && (d.LastPolled == null || d.LastPolled < cutoff)).Select(d => d.Id).ToListAsync(cancellationToken);
        if (stale.Count > 0)
        {
            await store.WriteAsync((db, ct) => db.Deployments.Where(d => stale.Contains(d.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.LastPolled, now), ct), cancellationToken);
        }
    }

    private async Task<IReadOnlyList<FlowRun>> ToWireAsync(IReadOnlyList<FlowRunRecord> rows, CancellationToken cancellationToken)
    {
        var names = await FlowRunMapper.QueueNamesAsync(store.Db, rows, cancellationToken);
        var wireNow = clock.GetUtcNow();
        return rows.Select(r => FlowRunMapper.ToWire(r, wireNow, FlowRunMapper.NamesOf(r, names))).ToList();
    }

    /// <summary>A shallow merge: the top-level keys of <paramref name="over"/> replace those of <paramref name="under"/>.</summary>
    private static JsonObject JsonVariablesMerge(JsonObject under, JsonObject? over)
    {
        var merged = (JsonObject)under.DeepClone();
        foreach (var (key, value) in over ?? [])
        {
            merged[key] = value?.DeepClone();
        }

        return merged;
    }
}
