using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Reeve.Core.States;
using Reeve.Core.Json;
using System.Text.Json.Serialization;

namespace Reeve.Core.TaskRuns;

/// <summary>
/// A task run as the engine ran it, with the states it went through, for <c>POST /api/task_runs/batch</c>
/// (a Reeve addition). Engines decide their tasks' states themselves, as Prefect 3's client-side task
/// orchestration does, and report them in batches so a flow never waits on the network per task.
/// </summary>
public sealed record TaskRunReport
{
    /// <summary>The task run's id, chosen by the engine.</summary>
    public required Guid Id { get; init; }

    /// <summary>The flow run it belongs to.</summary>
    public required Guid FlowRunId { get; init; }

    /// <summary>Its name.</summary>
    public required string Name { get; init; }

    /// <summary>Identifies the task in the flow.</summary>
    public required string TaskKey { get; init; }

    /// <summary>Tells apart several runs of one task in one flow run.</summary>
    public required string DynamicKey { get; init; }

    /// <summary>Tags.</summary>
    [MaxLength(InputLimits.MaxTags)]
    public List<string>? Tags { get; init; }

    /// <summary>Retry settings.</summary>
    public TaskRunPolicy? EmpiricalPolicy { get; init; }

    /// <summary>Where its inputs came from.</summary>
    [MaxLength(InputLimits.DataJsonLength)]
    public JsonObject? TaskInputs { get; init; }

    /// <summary>The states it entered since the last report, oldest first, each with its time.</summary>
    public required List<ReportedState> States { get; init; }
}

/// <summary>A state an engine entered, with the time it entered it.</summary>
public sealed record ReportedState
{
    /// <summary>The state's type.</summary>
    public required StateType Type { get; init; }

    /// <summary>The state's name.</summary>
    public string? Name { get; init; }

    /// <summary>When it was entered.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>A message (why it failed).</summary>
    [MaxLength(InputLimits.LongTextLength)]
    [JsonConverter(typeof(FreeTextConverter))]
    public string? Message { get; init; }

    /// <summary>Details (the scheduled time of an AwaitingRetry).</summary>
    public StateDetails? StateDetails { get; init; }
}

/// <summary>The body of <c>POST /api/task_runs/batch</c>.</summary>
public sealed record TaskRunReportBatch
{
    /// <summary>The task runs, each created on its first report.</summary>
    public required List<TaskRunReport> TaskRuns { get; init; }
}
