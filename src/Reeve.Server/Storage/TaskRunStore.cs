using Microsoft.EntityFrameworkCore;
using Reeve.Core.Errors;
using Reeve.Core.Filters;
using Reeve.Core.FlowRuns;
using Reeve.Core.Ids;
using Reeve.Core.Naming;
using Reeve.Core.Orchestration;
using Reeve.Core.States;
using Reeve.Core.TaskRuns;
using Reeve.Server.Storage.Entities;

namespace Reeve.Server.Storage;

/// <summary>Reads and writes task runs and their states.</summary>
internal sealed class TaskRunStore(Store store, TimeProvider clock)
{
    /// <summary>Creates a task run (Pending unless a state is given), or returns the one with the same flow run, task key and dynamic key.</summary>
    public async Task<(TaskRun Run, bool Created)> CreateAsync(TaskRunCreate request, CancellationToken cancellationToken)
    {
        if (request.Name is not null)
        {
            ResourceName.Validate(request.Name);
        }

        if (request.FlowRunId is { } flowRunId && !await store.Db.FlowRuns.AnyAsync(r => r.Id == flowRunId, cancellationToken))
        {
            throw new ReeveNotFoundException($"Flow run '{flowRunId}' not found.");
        }

        if (await ExistingAsync(request, cancellationToken) is { } existing)
        {
            return (ToWire(existing), false);
        }

        var now = StorageTime.ToWire(StorageTime.Now(clock));
        var run = new TaskRunRecord
        {
            Id = request.Id ?? SequentialGuid.Next(now),
            Created = StorageTime.ToStorage(now),
            Updated = StorageTime.ToStorage(now),
            Name = request.Name ?? RunNames.Next(),
            FlowRunId = request.FlowRunId,
            TaskKey = request.TaskKey,
            DynamicKey = request.DynamicKey,
            CacheKey = request.CacheKey,
            CacheExpiration = request.CacheExpiration is { } expires ? StorageTime.ToStorage(expires) : null,
            TaskVersion = request.TaskVersion,
            EmpiricalPolicy = JsonText.Write(request.EmpiricalPolicy ?? new TaskRunPolicy()),
            Tags = request.Tags ?? [],
            Labels = JsonText.Write(request.Labels ?? []),
            TaskInputs = JsonText.Write(request.TaskInputs ?? []),
        };
        var proposed = StateFactory.FromProposal(request.State ?? new StateCreate { Type = StateType.Pending }, now);
        proposed = proposed with { StateDetails = proposed.StateDetails with { TaskRunId = run.Id, FlowRunId = run.FlowRunId } };
        var outcome = Orchestrator.TaskRuns.Decide(Facts(run), proposed, now, force: true);
        Apply(run, outcome.Run, run.Created);
        try
        {
            await store.WriteGroupedAsync(async (db, ct) =>
            {
                db.TaskRuns.Add(run);
                db.TaskRunStates.Add(StateRow(run.Id, outcome.Written!));
                await db.SaveChangesAsync(ct);
            }, cancellationToken);
        }
        catch (DbUpdateException e) when (Store.IsUniqueViolation(e))
        {
            return (ToWire((await ExistingAsync(request, cancellationToken))
                ?? throw new ReeveConflictException($"A task run with id {run.Id} already exists.", e)), false);
        }

        return (ToWire(run), true);
    }

    /// <summary>The most task runs one report may carry.</summary>
    public const int MaxReport = 5_000;

    /// <summary>
    /// Stores task runs as engines ran them: each is created on its first report, and the states it went
    /// through are appended in order with their own times, keeping the books as set_state does. One
    /// transaction for the whole batch.
    /// </summary>
    public async Task ReportAsync(TaskRunReportBatch batch, CancellationToken cancellationToken)
    {
        if (batch.TaskRuns.Count > MaxReport)
        {
            throw new PayloadTooLargeException($"A report may carry at most {MaxReport} task runs (got {batch.TaskRuns.Count}).");
        }

        for (var i = 0; i < batch.TaskRuns.Count; i++)
        {
            var report = batch.TaskRuns[i];
            ResourceName.Validate(report.Name, $"task_runs[{i}].name");
            if (report.States.Count == 0)
            {
                throw new ReeveValidationException($"task_runs[{i}].states", "must hold at least one state");
            }
        }

        var flowRunIds = batch.TaskRuns.Select(r => (Guid?)r.FlowRunId).Distinct().ToList();
        var known = await store.Db.FlowRuns.Where(r => flowRunIds.Contains(r.Id)).Select(r => (Guid?)r.Id).ToListAsync(cancellationToken);
        var missing = batch.TaskRuns.FindIndex(r => !known.Contains(r.FlowRunId));
        if (missing >= 0)
        {
            throw new ReeveValidationException($"task_runs[{missing}].flow_run_id", $"flow run '{batch.TaskRuns[missing].FlowRunId}' does not exist");
        }

        // Most reports are of task runs the server has not seen. Their rows are built here, as if none were known, so
        // that the shared write only inserts them; a task run the write finds stored is worked out there instead.
        var built = new (TaskRunRecord? Created, List<TaskRunStateRecord> States)[batch.TaskRuns.Count];
        var fresh = new Dictionary<Guid, TaskRunRecord>();
        for (var i = 0; i < batch.TaskRuns.Count; i++)
        {
            var report = batch.TaskRuns[i];
            TaskRunRecord? created = null;
            if (!fresh.TryGetValue(report.Id, out var task))
            {
                task = created = NewRecord(report);
                fresh[report.Id] = task;
            }

            built[i] = (created, Decide(task, report));
        }

        await store.WriteGroupedAsync(async (db, ct) =>
        {
            var ids = fresh.Keys.ToList();
            // One JSON parameter for the ids: EF 10 would otherwise bind up to 5,000 parameters, each looked up by name.
            var existing = await db.TaskRuns.AsTracking().Where(t => EF.Parameter(ids).Contains(t.Id)).ToDictionaryAsync(t => t.Id, ct);
            // New task runs, and every state, are inserted in bulk; the few known task runs are updated through the
            // change tracker.
            var created = new List<TaskRunRecord>();
            var states = new List<TaskRunStateRecord>(built.Sum(b => b.States.Count));
            for (var i = 0; i < batch.TaskRuns.Count; i++)
            {
                var report = batch.TaskRuns[i];
                if (existing.TryGetValue(report.Id, out var known))
                {
                    states.AddRange(Decide(known, report));
                    continue;
                }

                if (built[i].Created is { } task)
                {
                    created.Add(task);
                }

                states.AddRange(built[i].States);
            }

            await db.SaveChangesAsync(ct);
            await BulkInsert.InsertAsync(db, created, ct);
            await BulkInsert.InsertAsync(db, states, ct);
        }, cancellationToken);
    }

    /// <summary>The row of a task run first told of by <paramref name="report"/>, as of its first state.</summary>
    private static TaskRunRecord NewRecord(TaskRunReport report)
    {
        var first = StorageTime.ToStorage(report.States[0].Timestamp);
        return new TaskRunRecord
        {
            Id = report.Id,
            Created = first,
            Updated = first,
            Name = report.Name,
            FlowRunId = report.FlowRunId,
            TaskKey = report.TaskKey,
            DynamicKey = report.DynamicKey,
            Tags = report.Tags ?? [],
            EmpiricalPolicy = JsonText.Write(report.EmpiricalPolicy ?? new TaskRunPolicy()),
            TaskInputs = JsonText.Write(report.TaskInputs ?? []),
        };
    }

    /// <summary>Appends the reported states to <paramref name="task"/> in order, as set_state would keep the books, and returns their rows.</summary>
    private List<TaskRunStateRecord> Decide(TaskRunRecord task, TaskRunReport report)
    {
        var rows = new List<TaskRunStateRecord>(report.States.Count);
        var facts = Facts(task);
        var now = clock.GetUtcNow();
        foreach (var reported in report.States)
        {
            var state = new State
            {
                Id = SequentialGuid.Next(now),
                Type = reported.Type,
                Name = string.IsNullOrWhiteSpace(reported.Name) ? reported.Type.DefaultName() : reported.Name,
                Timestamp = StorageTime.ToWire(StorageTime.ToStorage(reported.Timestamp)),
                Message = reported.Message,
                StateDetails = (reported.StateDetails ?? new StateDetails()) with { TaskRunId = task.Id, FlowRunId = task.FlowRunId },
            };
            var outcome = Orchestrator.TaskRuns.Decide(facts, state, state.Timestamp, force: true);
            facts = outcome.Run;
            rows.Add(StateRow(task.Id, outcome.Written!));
        }

        Apply(task, facts, facts.State is { } last ? StorageTime.ToStorage(last.Timestamp) : task.Updated);
        return rows;
    }

    private Task<TaskRunRecord?> ExistingAsync(TaskRunCreate request, CancellationToken cancellationToken) =>
        store.Db.TaskRuns.FirstOrDefaultAsync(t => t.FlowRunId == request.FlowRunId && t.TaskKey == request.TaskKey && t.DynamicKey == request.DynamicKey, cancellationToken);

    public async Task<TaskRun> ReadAsync(Guid id, CancellationToken cancellationToken) =>
        ToWire(await store.Db.TaskRuns.FirstOrDefaultAsync(t => t.Id == id, cancellationToken) ?? throw NotFound());

    public async Task DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        var deleted = await store.WriteAsync(async (db, ct) =>
        {
            await db.Logs.Where(l => l.TaskRunId == id).ExecuteDeleteAsync(ct);
            return await db.TaskRuns.Where(t => t.Id == id).ExecuteDeleteAsync(ct);
        }, cancellationToken);
        if (deleted == 0)
        {
            throw NotFound();
        }
    }

    /// <summary>The matching task runs, read and written a few at a time (<see cref="ResponseChunks"/>).</summary>
    public async Task<IAsyncEnumerable<TaskRun>> FilterAsync(TaskRunFilterRequest request, CancellationToken cancellationToken)
    {
        var limit = Paging.Resolve(request.Limit, request.Offset);
        var query = Query(request);
        query = (request.Sort ?? "ID_DESC") switch
        {
            "ID_DESC" => query.OrderByDescending(t => t.Id),
            "EXPECTED_START_TIME_ASC" => query.OrderBy(t => t.ExpectedStartTime).ThenBy(t => t.Id),
            "EXPECTED_START_TIME_DESC" => query.OrderByDescending(t => t.ExpectedStartTime).ThenByDescending(t => t.Id),
            "NAME_ASC" => query.OrderBy(t => t.Name),
            "NAME_DESC" => query.OrderByDescending(t => t.Name),
            "NEXT_SCHEDULED_START_TIME_ASC" => query.OrderBy(t => t.NextScheduledStartTime),
            "END_TIME_DESC" => query.OrderByDescending(t => t.EndTime),
            var other => throw new ReeveValidationException("sort", $"'{other}' is not a task run sort"),
        };
        var ids = await query.Skip(request.Offset).Take(limit).Select(t => t.Id).ToListAsync(cancellationToken);
        return ResponseChunks.StreamAsync(ids, async (chunk, ct) =>
            (await store.Db.TaskRuns.Where(t => chunk.Contains(t.Id)).ToListAsync(ct)).ToDictionary(t => t.Id, ToWire), cancellationToken);
    }

    public Task<int> CountAsync(TaskRunFilterRequest request, CancellationToken cancellationToken) => Query(request).CountAsync(cancellationToken);

    private IQueryable<TaskRunRecord> Query(TaskRunFilterRequest request)
    {
        var db = store.Db;
        IQueryable<TaskRunRecord> tasks = db.TaskRuns;
        if (request.TaskRuns is { } filter)
        {
            var p = new Predicates<TaskRunRecord>();
            if (filter.Id?.Any is { } ids)
            {
                p.Add(t => ids.Contains(t.Id));
            }

            if (filter.Name?.Any is { } names)
            {
                p.Add(t => names.Contains(t.Name));
            }

            if (filter.State?.Type?.Any is { } types)
            {
                var wanted = types.Cast<StateType?>().ToList();
                p.Add(t => wanted.Contains(t.StateType));
            }

            if (filter.State?.Name?.Any is { } stateNames)
            {
                p.Add(t => t.StateName != null && stateNames.Contains(t.StateName));
            }

            if (filter.FlowRunId?.Any is { } runs)
            {
                p.Add(t => t.FlowRunId != null && runs.Contains(t.FlowRunId.Value));
            }

            if (filter.FlowRunId?.IsNull is { } noRun)
            {
                p.Add(noRun ? t => t.FlowRunId == null : t => t.FlowRunId != null);
            }

            tasks = p.ApplyTo(tasks, filter.Operator);
        }

        if (request.FlowRuns is not null)
        {
            var flowRuns = QueryFilters.FlowRuns(db, db.FlowRuns, request.FlowRuns);
            tasks = tasks.Where(t => flowRuns.Any(r => r.Id == t.FlowRunId));
        }

        return tasks;
    }

    /// <summary>Decides a proposed state for a task run, as for flow runs, with the task policy.</summary>
    public async Task<(OrchestrationResult Result, bool Written)> SetStateAsync(Guid id, SetStateRequest request, CancellationToken cancellationToken) =>
        await store.WriteAsync(async (db, ct) =>
        {
            await store.LockAsync(LockedTable.TaskRun, id, ct);
            var task = await db.TaskRuns.AsTracking().FirstOrDefaultAsync(t => t.Id == id, ct) ?? throw NotFound();
            var flow = task.FlowRunId is { } flowRunId
                ? await db.FlowRuns.Where(r => r.Id == flowRunId).Select(r => new { r.StateType, r.RunCount }).FirstOrDefaultAsync(ct)
                : null;
            var now = StorageTime.ToWire(StorageTime.Now(clock));
            var proposed = StateFactory.FromProposal(request.State, now);
            var facts = Facts(task) with { FlowRunStateType = flow?.StateType, FlowRunRunCount = flow?.RunCount ?? 0 };
            var tagSlots = !request.Force && proposed.Type == StateType.Running
                ? await TagConcurrencyLimitStore.SlotsForStartAsync(store, db, task.Tags, id, ct)
                : null;
            var outcome = Orchestrator.TaskRuns.Decide(facts, proposed, now, tagSlots is null ? null : new ConcurrencySnapshot { Tags = tagSlots }, force: request.Force);
            if (outcome.Written is not { } written)
            {
                return (outcome.ToResult(), false);
            }

            await TagConcurrencyLimitStore.RecordAsync(db, task.Tags, id, written.Type == StateType.Running, StorageTime.ToStorage(now), ct);

            written = written with { StateDetails = written.StateDetails with { TaskRunId = id, FlowRunId = task.FlowRunId } };
            var after = outcome.Run with { State = written };
            Apply(task, after, StorageTime.ToStorage(now));
            if (written.Type == StateType.Running)
            {
                task.FlowRunRunCount = flow?.RunCount ?? 0;
            }

            db.TaskRunStates.Add(StateRow(id, written));
            await db.SaveChangesAsync(ct);
            return ((outcome with { Written = written, Run = after }).ToResult(), true);
        }, cancellationToken);

    public async Task<IReadOnlyList<State>> StatesAsync(Guid taskRunId, CancellationToken cancellationToken) =>
        (await store.Db.TaskRunStates.Where(s => s.TaskRunId == taskRunId).OrderBy(s => s.Timestamp).ToListAsync(cancellationToken))
        .Select(FlowRunMapper.FromRow).ToList();

    private static RunFacts Facts(TaskRunRecord task) => new()
    {
        State = JsonText.ReadOrNull<State>(task.State),
        RunCount = task.RunCount,
        StartTime = StorageTime.ToWire(task.StartTime),
        EndTime = StorageTime.ToWire(task.EndTime),
        ExpectedStartTime = StorageTime.ToWire(task.ExpectedStartTime),
        NextScheduledStartTime = StorageTime.ToWire(task.NextScheduledStartTime),
        TotalRunTime = task.TotalRunTime,
        TaskPolicy = JsonText.Read<TaskRunPolicy>(task.EmpiricalPolicy),
    };

    private static void Apply(TaskRunRecord task, RunFacts facts, DateTime now)
    {
        var state = facts.State!;
        task.StateId = state.Id;
        task.StateType = state.Type;
        task.StateName = state.Name;
        task.StateTimestamp = StorageTime.ToStorage(state.Timestamp);
        task.State = JsonText.Write(state);
        task.RunCount = facts.RunCount;
        task.StartTime = facts.StartTime is { } s ? StorageTime.ToStorage(s) : null;
        task.EndTime = facts.EndTime is { } e ? StorageTime.ToStorage(e) : null;
        task.ExpectedStartTime = facts.ExpectedStartTime is { } x ? StorageTime.ToStorage(x) : null;
        task.NextScheduledStartTime = facts.NextScheduledStartTime is { } n ? StorageTime.ToStorage(n) : null;
        task.TotalRunTime = facts.TotalRunTime;
        task.Updated = now;
    }

    private static TaskRunStateRecord StateRow(Guid taskRunId, State state) => new()
    {
        Id = state.Id,
        TaskRunId = taskRunId,
        Type = state.Type,
        Name = state.Name,
        Timestamp = StorageTime.ToStorage(state.Timestamp),
        Message = state.Message,
        StateDetails = JsonText.Write(state.StateDetails),
        Data = state.Data?.ToJsonString(),
    };

    private TaskRun ToWire(TaskRunRecord task)
    {
        var facts = Facts(task);
        var now = clock.GetUtcNow();
        var policy = facts.TaskPolicy ?? new TaskRunPolicy();
        return new TaskRun
        {
            Id = task.Id,
            Created = StorageTime.ToWire(task.Created),
            Updated = StorageTime.ToWire(task.Updated),
            Name = task.Name,
            FlowRunId = task.FlowRunId,
            TaskKey = task.TaskKey,
            DynamicKey = task.DynamicKey,
            CacheKey = task.CacheKey,
            CacheExpiration = StorageTime.ToWire(task.CacheExpiration),
            TaskVersion = task.TaskVersion,
            EmpiricalPolicy = policy with { MaxRetries = policy.Retries ?? 0 },
            Tags = task.Tags,
            Labels = JsonText.Object(task.Labels),
            TaskInputs = JsonText.Object(task.TaskInputs),
            StateId = task.StateId,
            StateType = task.StateType,
            StateName = task.StateName,
            RunCount = task.RunCount,
            FlowRunRunCount = task.FlowRunRunCount,
            ExpectedStartTime = facts.ExpectedStartTime,
            NextScheduledStartTime = facts.NextScheduledStartTime,
            StartTime = facts.StartTime,
            EndTime = facts.EndTime,
            TotalRunTime = task.TotalRunTime,
            EstimatedRunTime = RunBookkeeping.EstimatedRunTime(facts, now),
            EstimatedStartTimeDelta = RunBookkeeping.Lateness(facts, now),
            State = facts.State,
        };
    }

    internal static ReeveNotFoundException NotFound() => new("Task run not found");
}
