using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Reeve.Core.States;
using Reeve.Core.Json;

namespace Reeve.Core.TaskRuns;

/// <summary>A run of a task inside a flow run (Prefect's <c>TaskRun</c>).</summary>
public sealed record TaskRun
{
    /// <summary>The task run's id.</summary>
    public required Guid Id { get; init; }

    /// <summary>When it was created.</summary>
    public required DateTimeOffset Created { get; init; }

    /// <summary>When it last changed.</summary>
    public required DateTimeOffset Updated { get; init; }

    /// <summary>Its name.</summary>
    public required string Name { get; init; }

    /// <summary>The flow run it belongs to.</summary>
    public Guid? FlowRunId { get; init; }

    /// <summary>Identifies the task in the flow.</summary>
    public required string TaskKey { get; init; }

    /// <summary>Tells apart several runs of one task in one flow run.</summary>
    public required string DynamicKey { get; init; }

    /// <summary>A cache key.</summary>
    public string? CacheKey { get; init; }

    /// <summary>When the cache expires.</summary>
    public DateTimeOffset? CacheExpiration { get; init; }

    /// <summary>The task's version.</summary>
    public string? TaskVersion { get; init; }

    /// <summary>Retries and their delays.</summary>
    public TaskRunPolicy EmpiricalPolicy { get; init; } = new();

    /// <summary>Tags.</summary>
    [MaxLength(InputLimits.MaxTags)]
    public List<string> Tags { get; init; } = [];

    /// <summary>Labels.</summary>
    public JsonObject Labels { get; init; } = [];

    /// <summary>Where its inputs came from.</summary>
    public JsonObject TaskInputs { get; init; } = [];

    /// <summary>The current state's id.</summary>
    public Guid? StateId { get; init; }

    /// <summary>The current state's type.</summary>
    public StateType? StateType { get; init; }

    /// <summary>The current state's name.</summary>
    public string? StateName { get; init; }

    /// <summary>How many times it entered RUNNING.</summary>
    public int RunCount { get; init; }

    /// <summary>The flow run's run count when the task last ran.</summary>
    public int FlowRunRunCount { get; init; }

    /// <summary>When it was first meant to start.</summary>
    public DateTimeOffset? ExpectedStartTime { get; init; }

    /// <summary>When it is next due, while SCHEDULED.</summary>
    public DateTimeOffset? NextScheduledStartTime { get; init; }

    /// <summary>When it first entered RUNNING.</summary>
    public DateTimeOffset? StartTime { get; init; }

    /// <summary>When it ended.</summary>
    public DateTimeOffset? EndTime { get; init; }

    /// <summary>Seconds spent RUNNING.</summary>
    public double TotalRunTime { get; init; }

    /// <summary>Seconds spent RUNNING, counting the current stretch.</summary>
    public double EstimatedRunTime { get; init; }

    /// <summary>Seconds late.</summary>
    public double EstimatedStartTimeDelta { get; init; }

    /// <summary>The current state.</summary>
    public State? State { get; init; }
}

/// <summary>A task run's retry settings.</summary>
public sealed record TaskRunPolicy
{
    /// <summary>How many times a failed task is retried.</summary>
    public int? Retries { get; init; }

    /// <summary>Seconds before each retry: one number, or a list (the last one repeats).</summary>
    public JsonNode? RetryDelay { get; init; }

    /// <summary>Spread of the delays (accepted for Prefect clients; Reeve applies the delays as given).</summary>
    public double? RetryJitterFactor { get; init; }

    /// <summary>Deprecated alias of <see cref="Retries"/>.</summary>
    public int MaxRetries { get; init; }

    /// <summary>Deprecated alias of <see cref="RetryDelay"/>.</summary>
    public double RetryDelaySeconds { get; init; }
}

/// <summary>The body of <c>POST /api/task_runs/</c>.</summary>
public sealed record TaskRunCreate
{
    /// <summary>An id chosen by the client (the engine picks its own so it never waits for this call).</summary>
    public Guid? Id { get; init; }

    /// <summary>The initial state; Pending when absent.</summary>
    public StateCreate? State { get; init; }

    /// <summary>The name; a memorable one when absent.</summary>
    public string? Name { get; init; }

    /// <summary>The flow run it belongs to.</summary>
    public Guid? FlowRunId { get; init; }

    /// <summary>Identifies the task in the flow.</summary>
    public required string TaskKey { get; init; }

    /// <summary>Tells apart several runs of one task in one flow run.</summary>
    public required string DynamicKey { get; init; }

    /// <summary>A cache key.</summary>
    public string? CacheKey { get; init; }

    /// <summary>When the cache expires.</summary>
    public DateTimeOffset? CacheExpiration { get; init; }

    /// <summary>The task's version.</summary>
    public string? TaskVersion { get; init; }

    /// <summary>Retries and their delays.</summary>
    public TaskRunPolicy? EmpiricalPolicy { get; init; }

    /// <summary>Tags.</summary>
    [MaxLength(InputLimits.MaxTags)]
    public List<string>? Tags { get; init; }

    /// <summary>Labels.</summary>
    public JsonObject? Labels { get; init; }

    /// <summary>Where its inputs came from.</summary>
    [MaxLength(InputLimits.DataJsonLength)]
    public JsonObject? TaskInputs { get; init; }
}

/// <summary>Criteria on task runs.</summary>
public sealed record TaskRunFilter
{
    /// <summary>How the criteria combine.</summary>
    public Filters.FilterOperator Operator { get; init; }

    /// <summary>Task runs with these ids.</summary>
    public Filters.IdFilter? Id { get; init; }

    /// <summary>Task runs with these names.</summary>
    public Filters.NameFilter? Name { get; init; }

    /// <summary>Task runs in these states.</summary>
    public FlowRuns.FlowRunStateFilter? State { get; init; }

    /// <summary>Task runs of these flow runs.</summary>
    public Filters.OptionalIdFilter? FlowRunId { get; init; }
}

/// <summary>The body of <c>POST /api/task_runs/filter</c> and <c>/count</c>.</summary>
public sealed record TaskRunFilterRequest
{
    /// <summary>Criteria on the task runs' flow runs.</summary>
    public FlowRuns.FlowRunFilter? FlowRuns { get; init; }

    /// <summary>Criteria on task runs.</summary>
    public TaskRunFilter? TaskRuns { get; init; }

    /// <summary><c>ID_DESC</c> (default), <c>EXPECTED_START_TIME_ASC</c>, <c>EXPECTED_START_TIME_DESC</c>, <c>NAME_ASC</c>, <c>NAME_DESC</c>, <c>END_TIME_DESC</c>.</summary>
    public string? Sort { get; init; }

    /// <summary>Prefect's filter on the task runs' flows: Prefect's client sends it null; any other value is refused, as Reeve does not filter by it yet.</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(Json.NotFilteredYetConverter))]
    public System.Text.Json.Nodes.JsonObject? Flows { get; init; }

    /// <summary>Prefect's filter on the task runs' deployments: Prefect's client sends it null; any other value is refused, as Reeve does not filter by it yet.</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(Json.NotFilteredYetConverter))]
    public System.Text.Json.Nodes.JsonObject? Deployments { get; init; }

    /// <summary>The most task runs to return (at most 200).</summary>
    public int? Limit { get; init; }

    /// <summary>How many to skip.</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(Json.DefaultWhenNullConverter<int>))]
    public int Offset { get; init; }
}
