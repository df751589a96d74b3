using Microsoft.EntityFrameworkCore;
using Reeve.Core.FlowRuns;
using Reeve.Core.Orchestration;
using Reeve.Core.States;
using Reeve.Server.Storage.Entities;

namespace Reeve.Server.Storage;

/// <summary>Turns flow run rows into wire records and rule facts, and rule outcomes back into rows.</summary>
internal static class FlowRunMapper
{
    public static RunFacts Facts(FlowRunRecord run) => new()
    {
        State = JsonText.ReadOrNull<State>(run.State),
        RunCount = run.RunCount,
        StartTime = StorageTime.ToWire(run.StartTime),
        EndTime = StorageTime.ToWire(run.EndTime),
        ExpectedStartTime = StorageTime.ToWire(run.ExpectedStartTime),
        NextScheduledStartTime = StorageTime.ToWire(run.NextScheduledStartTime),
        TotalRunTime = run.TotalRunTime,
        FlowPolicy = JsonText.Read<FlowRunPolicy>(run.EmpiricalPolicy),
        InfrastructurePid = run.InfrastructurePid,
        DeploymentId = run.DeploymentId,
    };

    /// <summary>
    /// The columns a state change writes: all that <see cref="Apply"/> sets, and the heartbeat expiry that entering
    /// PENDING or RUNNING sets. A state change on SQLite updates these and no others (<see cref="RowUpdate"/>).
    /// </summary>
    public static readonly string[] StateColumns =
    [
        nameof(FlowRunRecord.StateId), nameof(FlowRunRecord.StateType), nameof(FlowRunRecord.StateName),
        nameof(FlowRunRecord.StateTimestamp), nameof(FlowRunRecord.State), nameof(FlowRunRecord.RunCount),
        nameof(FlowRunRecord.StartTime), nameof(FlowRunRecord.EndTime), nameof(FlowRunRecord.ExpectedStartTime),
        nameof(FlowRunRecord.NextScheduledStartTime), nameof(FlowRunRecord.TotalRunTime),
        nameof(FlowRunRecord.EmpiricalPolicy), nameof(FlowRunRecord.RetryType), nameof(FlowRunRecord.HeartbeatExpires),
        nameof(FlowRunRecord.Updated),
    ];

    /// <summary>Copies what a decision changed onto the row (only the <see cref="StateColumns"/>).</summary>
    public static void Apply(FlowRunRecord run, RunFacts facts, DateTime now)
    {
        var state = facts.State!;
        run.StateId = state.Id;
        run.StateType = state.Type;
        run.StateName = state.Name;
        run.StateTimestamp = StorageTime.ToStorage(state.Timestamp);
        run.State = JsonText.Write(state);
        run.RunCount = facts.RunCount;
        run.StartTime = ToStorage(facts.StartTime);
        run.EndTime = ToStorage(facts.EndTime);
        run.ExpectedStartTime = ToStorage(facts.ExpectedStartTime);
        run.NextScheduledStartTime = ToStorage(facts.NextScheduledStartTime);
        run.TotalRunTime = facts.TotalRunTime;
        var policy = facts.FlowPolicy ?? new FlowRunPolicy();
        run.EmpiricalPolicy = JsonText.Write(policy);
        run.RetryType = policy.RetryType;
        if (state.Type is StateType.Scheduled or StateType.Pending)
        {
            // A new attempt: heartbeats of an earlier one say nothing about it; its claimer and engine beat afresh.
            run.HeartbeatExpires = null;
        }

        run.Updated = now;
    }

    /// <summary>Gives a new run its first state, as the rules decide it (forced), and returns that state's row.</summary>
    public static FlowRunStateRecord Begin(FlowRunRecord run, StateCreate initial, DateTimeOffset now)
    {
        run.Created = run.Updated = StorageTime.ToStorage(now);
        var proposed = StateFactory.FromProposal(initial, now);
        proposed = proposed with { StateDetails = proposed.StateDetails with { FlowRunId = run.Id } };
        var outcome = Orchestrator.FlowRuns.Decide(Facts(run), proposed, now, force: true);
        Apply(run, outcome.Run, run.Created);
        return StateRow(run.Id, outcome.Written!);
    }

    /// <summary>The event that tells subscribers of a run's new state (or of a new run).</summary>
    public static Core.Events.FlowRunEvent EventOf(FlowRunRecord run, DateTimeOffset now) => new()
    {
        FlowRunId = run.Id,
        DeploymentId = run.DeploymentId,
        WorkPoolId = run.WorkPoolId,
        WorkQueueId = run.WorkQueueId,
        StateType = run.StateType!.Value,
        StateName = run.StateName!,
        NextScheduledStartTime = StorageTime.ToWire(run.NextScheduledStartTime),
        Occurred = now,
    };

    public static FlowRunStateRecord StateRow(Guid runId, State state) => new()
    {
        Id = state.Id,
        FlowRunId = runId,
        Type = state.Type,
        Name = state.Name,
        Timestamp = StorageTime.ToStorage(state.Timestamp),
        Message = state.Message,
        StateDetails = JsonText.Write(state.StateDetails),
        Data = state.Data?.ToJsonString(),
    };

    public static State FromRow(RunStateRecord row) => new()
    {
        Id = row.Id,
        Type = row.Type,
        Name = row.Name,
        Timestamp = StorageTime.ToWire(row.Timestamp),
        Message = row.Message,
        StateDetails = JsonText.Read<StateDetails>(row.StateDetails),
        Data = row.Data is null ? null : System.Text.Json.Nodes.JsonNode.Parse(row.Data),
    };

    public static FlowRun ToWire(FlowRunRecord run, DateTimeOffset now, QueueNames? names)
    {
        var facts = Facts(run);
        var policy = facts.FlowPolicy ?? new FlowRunPolicy();
        return new FlowRun
        {
            Id = run.Id,
            Created = StorageTime.ToWire(run.Created),
            Updated = StorageTime.ToWire(run.Updated),
            Name = run.Name,
            FlowId = run.FlowId,
            StateId = run.StateId,
            DeploymentId = run.DeploymentId,
            DeploymentVersion = run.DeploymentVersion,
            WorkQueueId = run.WorkQueueId,
            WorkQueueName = names?.Queue,
            FlowVersion = run.FlowVersion,
            Parameters = JsonText.Object(run.Parameters),
            IdempotencyKey = run.IdempotencyKey,
            Context = JsonText.Object(run.Context),
            EmpiricalPolicy = policy with { MaxRetries = policy.Retries ?? 0, RetryDelaySeconds = policy.RetryDelay ?? 0 },
            Tags = run.Tags,
            Labels = JsonText.Object(run.Labels),
            ParentTaskRunId = run.ParentTaskRunId,
            StateType = run.StateType,
            StateName = run.StateName,
            RunCount = run.RunCount,
            ExpectedStartTime = facts.ExpectedStartTime,
            NextScheduledStartTime = facts.NextScheduledStartTime,
            StartTime = facts.StartTime,
            EndTime = facts.EndTime,
            TotalRunTime = run.TotalRunTime,
            EstimatedRunTime = RunBookkeeping.EstimatedRunTime(facts, now),
            EstimatedStartTimeDelta = RunBookkeeping.Lateness(facts, now),
            AutoScheduled = run.AutoScheduled,
            InfrastructureDocumentId = run.InfrastructureDocumentId,
            InfrastructurePid = run.InfrastructurePid,
            CreatedBy = JsonText.ObjectOrNull(run.CreatedBy),
            WorkPoolId = run.WorkPoolId,
            WorkPoolName = names?.Pool,
            State = facts.State,
            JobVariables = JsonText.Object(run.JobVariables),
        };
    }

    /// <summary>The queue and pool names of the runs' queues, in one query.</summary>
    public static async Task<Dictionary<Guid, QueueNames>> QueueNamesAsync(ReeveDbContext db, IEnumerable<FlowRunRecord> runs, CancellationToken ct)
    {
        var ids = runs.Where(r => r.WorkQueueId != null).Select(r => r.WorkQueueId!.Value).Distinct().ToList();
        if (ids.Count == 0)
        {
            return [];
        }

        return await db.WorkQueues.Where(q => ids.Contains(q.Id))
            .Select(q => new { q.Id, q.Name, Pool = q.WorkPool!.Name })
            .ToDictionaryAsync(q => q.Id, q => new QueueNames(q.Name, q.Pool), ct);
    }

    public static QueueNames? NamesOf(FlowRunRecord run, Dictionary<Guid, QueueNames> names) =>
        run.WorkQueueId is { } id && names.TryGetValue(id, out var n) ? n : null;

    private static DateTime? ToStorage(DateTimeOffset? value) => value is { } v ? StorageTime.ToStorage(v) : null;
}

/// <summary>The names of a run's queue and pool.</summary>
internal sealed record QueueNames(string Queue, string Pool);
