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
    /// <summary>
    /// What a new run takes from its deployment, the deployment's queue and the queue's pool: only these columns (the
    /// whole rows cost SQLite twice the work to prepare and EF twice the work to read).
    /// </summary>
    private static readonly PerModelQuery<Func<ReeveDbContext, Guid, CancellationToken, Task<RunSource?>>> RunSourceOf = new(() =>
        EF.CompileAsyncQuery((ReeveDbContext d, Guid id, CancellationToken _) => d.Deployments.Where(x => x.Id == id).Select(x => new RunSource(
            x.FlowId, x.Version, x.Parameters, x.ParameterOpenapiSchema, x.EnforceParameterSchema, x.Tags, x.Labels, x.InfrastructureDocumentId,
            x.JobVariables,
            x.WorkQueue == null ? null : new RunQueue(x.WorkQueue.Id, x.WorkQueue.Name, x.WorkQueue.WorkPoolId, x.WorkQueue.WorkPool!.Name, x.WorkQueue.WorkPool.BaseJobTemplate)))
            .FirstOrDefault()));

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

        var deployment = await RunSourceOf.For(store.Db)(store.Db, id, cancellationToken) ?? throw NotFound();

        var parameters = JsonVariablesMerge(JsonText.Object(deployment.Parameters), request.Parameters);
        var schema = JsonText.Object(deployment.ParameterOpenapiSchema);
        if ((request.EnforceParameterSchema ?? deployment.EnforceParameterSchema) && schema.Count > 0)
        {
            ParameterRules.Validate(schema, parameters, enforceRequired: true);
        }

        var queue = deployment.Queue;
        if (request.WorkQueueName is { } queueName)
        {
            if (queue is null)
            {
                throw new ReeveValidationException("work_queue_name",
                    $"Cannot create flow run in work queue '{queueName}' because deployment {id} is not associated with a work pool.");
            }

            var queueId = await ResolveQueueAsync(queue.PoolName, queueName, cancellationToken);
            queue = await store.Db.WorkQueues.Where(q => q.Id == queueId)
                .Select(q => new RunQueue(q.Id, q.Name, q.WorkPoolId, q.WorkPool!.Name, q.WorkPool.BaseJobTemplate)).FirstAsync(cancellationToken);
        }

        if (queue is not null)
        {
            JobVariableChecks.ForRun(store, queue.PoolTemplate, deployment.JobVariables, request.JobVariables);
        }

        var now = clock.GetUtcNow();
        var run = new FlowRunRecord
        {
            Id = SequentialGuid.Next(now),
            Name = request.Name ?? RunNames.Next(),
            FlowId = deployment.FlowId,
            DeploymentId = id,
            DeploymentVersion = deployment.Version,
            Parameters = parameters.ToJsonString(),
            Context = JsonText.Write(request.Context ?? []),
            EmpiricalPolicy = JsonText.Write(request.EmpiricalPolicy ?? new FlowRunPolicy()),
            Tags = deployment.Tags.Union(request.Tags ?? []).ToList(),
            Labels = JsonVariablesMerge(JsonText.Object(deployment.Labels), request.Labels).ToJsonString(),
            ParentTaskRunId = request.ParentTaskRunId,
            IdempotencyKey = request.IdempotencyKey,
            InfrastructureDocumentId = request.InfrastructureDocumentId ?? deployment.InfrastructureDocumentId,
            WorkPoolId = queue?.PoolId,
            WorkQueueId = queue?.Id,
            JobVariables = JsonText.Write(request.JobVariables ?? []),
        };
        var names = queue is null ? null : new QueueNames(queue.Name, queue.PoolName);
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

    private sealed record RunSource(Guid FlowId, string? Version, string Parameters, string ParameterOpenapiSchema, bool EnforceParameterSchema,
        List<string> Tags, string Labels, Guid? InfrastructureDocumentId, string JobVariables, RunQueue? Queue);

    private sealed record RunQueue(Guid Id, string Name, Guid PoolId, string PoolName, string PoolTemplate);
}
