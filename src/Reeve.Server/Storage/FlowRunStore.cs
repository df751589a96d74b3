using Microsoft.EntityFrameworkCore;
using Reeve.Core.Errors;
using Reeve.Core.Filters;
using Reeve.Core.FlowRuns;
using Reeve.Core.Ids;
using Reeve.Core.Naming;
using Reeve.Core.Orchestration;
using Reeve.Core.States;
using Reeve.Server.Storage.Entities;

namespace Reeve.Server.Storage;

/// <summary>Reads and writes flow runs and their states.</summary>
internal sealed partial class FlowRunStore(Store store, TimeProvider clock, Events.RunEventHub events, Telemetry.ReeveMetrics metrics)
{
    /// <summary>Creates an ad-hoc run (Pending unless a state is given), or returns the run with the same idempotency key.</summary>
    public async Task<(FlowRun Run, bool Created)> CreateAsync(FlowRunCreate request, CancellationToken cancellationToken)
    {
        if (request.Name is not null)
        {
            ResourceName.Validate(request.Name);
        }

        if (!await store.Db.Flows.AnyAsync(f => f.Id == request.FlowId, cancellationToken))
        {
            throw new ReeveNotFoundException($"Flow '{request.FlowId}' not found.");
        }

        if (await ExistingAsync(request.FlowId, request.IdempotencyKey, cancellationToken) is { } existing)
        {
            return (existing, false);
        }

        Guid? poolId = null;
        Guid? queueId = null;
        if (request.WorkPoolName is { } poolName)
        {
            var pool = await store.Db.WorkPools.Where(p => p.Name == poolName).Select(p => new { p.Id, p.DefaultQueueId }).FirstOrDefaultAsync(cancellationToken)
                ?? throw WorkPoolStore.NotFound(poolName);
            poolId = pool.Id;
            queueId = request.WorkQueueName is { } queueName
                ? await store.Db.WorkQueues.Where(q => q.WorkPoolId == pool.Id && q.Name == queueName).Select(q => (Guid?)q.Id).FirstOrDefaultAsync(cancellationToken)
                    ?? throw WorkQueueStore.NotFound(poolName, queueName)
                : pool.DefaultQueueId;
        }
        else if (request.WorkQueueName is not null)
        {
            throw new ReeveValidationException("work_queue_name", "a queue needs its work_pool_name");
        }

        if (request.DeploymentId is { } deploymentId && !await store.Db.Deployments.AnyAsync(d => d.Id == deploymentId, cancellationToken))
        {
            throw new ReeveNotFoundException($"Deployment '{deploymentId}' not found.");
        }

        // An ad-hoc run in a pool is held to the pool's variables as a deployment's run is.
        await JobVariableChecks.ForRunAsync(store, store.Db, poolId, request.DeploymentId, request.JobVariables, cancellationToken);
        var now = clock.GetUtcNow();
        var run = new FlowRunRecord
        {
            Id = SequentialGuid.Next(now),
            Name = request.Name ?? RunNames.Next(),
            FlowId = request.FlowId,
            DeploymentId = request.DeploymentId,
            FlowVersion = request.FlowVersion,
            Parameters = JsonText.Write(request.Parameters ?? []),
            Context = JsonText.Write(request.Context ?? []),
            EmpiricalPolicy = JsonText.Write(request.EmpiricalPolicy ?? new FlowRunPolicy()),
            Tags = request.Tags ?? [],
            Labels = JsonText.Write(request.Labels ?? []),
            ParentTaskRunId = request.ParentTaskRunId,
            IdempotencyKey = request.IdempotencyKey,
            InfrastructureDocumentId = request.InfrastructureDocumentId,
            WorkPoolId = poolId,
            WorkQueueId = queueId,
            JobVariables = JsonText.Write(request.JobVariables ?? []),
        };
        return await InsertAsync(run, request.State ?? new StateCreate { Type = StateType.Pending }, cancellationToken);
    }

    /// <summary>
    /// Inserts a new run with its first state, or returns the existing run with its idempotency key. A caller that has
    /// read the run's queue and pool passes their <paramref name="names"/>, which spares reading them again.
    /// </summary>
    internal async Task<(FlowRun Run, bool Created)> InsertAsync(FlowRunRecord run, StateCreate initial, CancellationToken cancellationToken, QueueNames? names = null)
    {
        var now = StorageTime.ToWire(StorageTime.ToStorage(clock.GetUtcNow()));
        var firstState = FlowRunMapper.Begin(run, initial, now);
        try
        {
            await store.WriteGroupedAsync(async (db, ct) =>
            {
                if (store.Provider == StorageProvider.Sqlite)
                {
                    await BulkInsert.InsertSqliteRowAsync(db, run, ct);
                    await BulkInsert.InsertSqliteRowAsync(db, firstState, ct);
                    return;
                }

                await new PostgresRows(db).Insert(run).Insert(firstState).RunAsync(ct);
            }, cancellationToken);
        }
        catch (DbUpdateException e) when (Store.IsUniqueViolation(e) && run.IdempotencyKey is not null)
        {
            return ((await ExistingAsync(run.FlowId, run.IdempotencyKey, cancellationToken))!, false);
        }

        Publish(run);
        if (names is null && run.WorkQueueId is not null)
        {
            names = FlowRunMapper.NamesOf(run, await FlowRunMapper.QueueNamesAsync(store.Db, [run], cancellationToken));
        }

        return (FlowRunMapper.ToWire(run, now, names), true);
    }

    private async Task<FlowRun?> ExistingAsync(Guid flowId, string? idempotencyKey, CancellationToken cancellationToken)
    {
        if (idempotencyKey is null)
        {
            return null;
        }

        var run = await store.Db.FlowRuns.FirstOrDefaultAsync(r => r.FlowId == flowId && r.IdempotencyKey == idempotencyKey, cancellationToken);
        return run is null ? null : await ToWireAsync(run, cancellationToken);
    }

    public async Task<FlowRun> ReadAsync(Guid id, CancellationToken cancellationToken) =>
        await ToWireAsync(await store.Db.FlowRuns.FirstOrDefaultAsync(r => r.Id == id, cancellationToken) ?? throw NotFound(), cancellationToken);

    public async Task UpdateAsync(Guid id, FlowRunUpdate update, CancellationToken cancellationToken)
    {
        if (update.Name is { IsSet: true, Value: { } name })
        {
            ResourceName.Validate(name);
        }

        await store.WriteAsync(async (db, ct) =>
        {
            var run = await db.FlowRuns.AsTracking().FirstOrDefaultAsync(r => r.Id == id, ct) ?? throw NotFound();
            if (update.JobVariables.IsSet)
            {
                if (run.StateType != StateType.Scheduled)
                {
                    throw new ReeveConflictException($"Job variables for a flow run in state {run.StateType?.WireName() ?? "none"} cannot be updated.");
                }

                await JobVariableChecks.ForRunAsync(store, db, run.WorkPoolId, run.DeploymentId, update.JobVariables.Value, ct);
                run.JobVariables = JsonText.Write(update.JobVariables.Value ?? []);
            }

            if (update.Name is { IsSet: true, Value: { } newName })
            {
                run.Name = newName;
            }

            if (update.FlowVersion.IsSet)
            {
                run.FlowVersion = update.FlowVersion.Value;
            }

            if (update.Parameters.IsSet)
            {
                run.Parameters = JsonText.Write(update.Parameters.Value ?? []);
            }

            if (update.EmpiricalPolicy.IsSet)
            {
                var policy = update.EmpiricalPolicy.Value ?? new FlowRunPolicy();
                run.EmpiricalPolicy = JsonText.Write(policy);
                run.RetryType = policy.RetryType;
            }

            if (update.Tags.IsSet)
            {
                run.Tags = update.Tags.Value ?? [];
            }

            if (update.InfrastructurePid.IsSet)
            {
                run.InfrastructurePid = update.InfrastructurePid.Value;
            }

            run.Updated = StorageTime.Now(clock);
            await db.SaveChangesAsync(ct);
        }, cancellationToken);
    }

    /// <summary>Deletes a run with its states, task runs and logs; its concurrency slot is free at once.</summary>
    public async Task DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        var deleted = await store.WriteAsync(async (db, ct) =>
        {
            await db.Logs.Where(l => l.FlowRunId == id).ExecuteDeleteAsync(ct);
            return await db.FlowRuns.Where(r => r.Id == id).ExecuteDeleteAsync(ct);
        }, cancellationToken);
        if (deleted == 0)
        {
            throw NotFound();
        }
    }

    /// <summary>The matching runs, read and written a few at a time (<see cref="ResponseChunks"/>).</summary>
    public async Task<IAsyncEnumerable<FlowRun>> FilterAsync(FlowRunFilterRequest request, CancellationToken cancellationToken)
    {
        var limit = Paging.Resolve(request.Limit, request.Offset);
        var ids = await Sort(Query(request), request.Sort).Skip(request.Offset).Take(limit).Select(r => r.Id).ToListAsync(cancellationToken);
        var now = clock.GetUtcNow();
        return ResponseChunks.StreamAsync(ids, async (chunk, ct) =>
        {
            var rows = await store.Db.FlowRuns.Where(r => chunk.Contains(r.Id)).ToListAsync(ct);
            var names = await FlowRunMapper.QueueNamesAsync(store.Db, rows, ct);
            return rows.ToDictionary(r => r.Id, r => FlowRunMapper.ToWire(r, now, FlowRunMapper.NamesOf(r, names)));
        }, cancellationToken);
    }

    public Task<int> CountAsync(FlowRunFilterRequest request, CancellationToken cancellationToken) =>
        Query(request).CountAsync(cancellationToken);

    /// <summary>The runs matching the filters counted by state in intervals of their expected start (Core's <see cref="RunHistory"/>).</summary>
    public async Task<List<HistoryInterval>> HistoryAsync(FlowRunHistoryRequest request, CancellationToken cancellationToken)
    {
        var (start, end, interval) = RunHistory.Range(request);
        var from = StorageTime.ToStorage(start);
        var to = StorageTime.ToStorage(end);

        // Only the columns the counts need, not the runs' JSON: a day of a busy server is many thousands of rows.
        var rows = await Query(request.ToFilter())
            .Where(r => r.ExpectedStartTime >= from && r.ExpectedStartTime < to && r.StateType != null)
            .Select(r => new { r.ExpectedStartTime, r.StateType, r.StateName, r.StateTimestamp, r.StartTime, r.EndTime, r.TotalRunTime })
            .ToListAsync(cancellationToken);
        var facts = rows.Select(r => new RunFacts
        {
            State = new State { Type = r.StateType!.Value, Name = r.StateName ?? r.StateType.Value.DefaultName(), Timestamp = StorageTime.ToWire(r.StateTimestamp) ?? default },
            ExpectedStartTime = StorageTime.ToWire(r.ExpectedStartTime),
            StartTime = StorageTime.ToWire(r.StartTime),
            EndTime = StorageTime.ToWire(r.EndTime),
            TotalRunTime = r.TotalRunTime,
        });
        return RunHistory.Build(start, end, interval, facts, clock.GetUtcNow());
    }

    public async Task<IReadOnlyList<State>> StatesAsync(Guid runId, CancellationToken cancellationToken) =>
        (await store.Db.FlowRunStates.Where(s => s.FlowRunId == runId).OrderBy(s => s.Timestamp).ToListAsync(cancellationToken))
        .Select(FlowRunMapper.FromRow).ToList();

    public async Task<State> ReadStateAsync(Guid stateId, CancellationToken cancellationToken) =>
        FlowRunMapper.FromRow(await store.Db.FlowRunStates.FirstOrDefaultAsync(s => s.Id == stateId, cancellationToken)
            ?? throw new ReeveNotFoundException("Flow run state not found"));

    private IQueryable<FlowRunRecord> Query(FlowRunFilterRequest request)
    {
        var db = store.Db;
        var runs = QueryFilters.FlowRuns(db, db.FlowRuns, request.FlowRuns);
        if (request.Flows is not null)
        {
            var flows = QueryFilters.Flows(db, db.Flows, request.Flows);
            runs = runs.Where(r => flows.Any(f => f.Id == r.FlowId));
        }

        if (request.Deployments is not null)
        {
            var deployments = QueryFilters.Deployments(db.Deployments, request.Deployments);
            runs = runs.Where(r => deployments.Any(d => d.Id == r.DeploymentId));
        }

        if (request.WorkPools is not null)
        {
            var pools = WorkPoolStore.Apply(db.WorkPools, request.WorkPools);
            runs = runs.Where(r => pools.Any(p => p.Id == r.WorkPoolId));
        }

        if (request.WorkPoolQueues is not null)
        {
            var queues = WorkQueueStore.Apply(db.WorkQueues, request.WorkPoolQueues);
            runs = runs.Where(r => queues.Any(q => q.Id == r.WorkQueueId));
        }

        return runs;
    }

    private static IQueryable<FlowRunRecord> Sort(IQueryable<FlowRunRecord> runs, string? sort) => (sort ?? FlowRunSort.IdDesc) switch
    {
        FlowRunSort.IdDesc => runs.OrderByDescending(r => r.Id),
        FlowRunSort.StartTimeAsc => runs.OrderBy(r => r.StartTime ?? r.ExpectedStartTime).ThenBy(r => r.Id),
        FlowRunSort.StartTimeDesc => runs.OrderByDescending(r => r.StartTime ?? r.ExpectedStartTime).ThenByDescending(r => r.Id),
        FlowRunSort.ExpectedStartTimeAsc => runs.OrderBy(r => r.ExpectedStartTime).ThenBy(r => r.Id),
        FlowRunSort.ExpectedStartTimeDesc => runs.OrderByDescending(r => r.ExpectedStartTime).ThenByDescending(r => r.Id),
        FlowRunSort.NameAsc => runs.OrderBy(r => r.Name),
        FlowRunSort.NameDesc => runs.OrderByDescending(r => r.Name),
        FlowRunSort.NextScheduledStartTimeAsc => runs.OrderBy(r => r.NextScheduledStartTime).ThenBy(r => r.Id),
        FlowRunSort.EndTimeDesc => runs.OrderByDescending(r => r.EndTime).ThenByDescending(r => r.Id),
        var other => throw new ReeveValidationException("sort", $"'{other}' is not a flow run sort; use one of {string.Join(", ", FlowRunSort.All)}"),
    };

    internal async Task<FlowRun> ToWireAsync(FlowRunRecord run, CancellationToken cancellationToken)
    {
        var names = await FlowRunMapper.QueueNamesAsync(store.Db, [run], cancellationToken);
        return FlowRunMapper.ToWire(run, clock.GetUtcNow(), FlowRunMapper.NamesOf(run, names));
    }

    internal static ReeveNotFoundException NotFound() => new("Flow run not found");

    /// <summary>Tells the event streams, and the metrics, about a committed change of a run.</summary>
    private void Publish(FlowRunRecord run)
    {
        events.Publish(FlowRunMapper.EventOf(run, clock.GetUtcNow()));
        if (run.StateType is { } type)
        {
            metrics.StateEntered(type, run.StateName, run.ExpectedStartTime, StorageTime.Now(clock));
        }
    }
}
