using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Reeve.Core.Json;

namespace Reeve.Core.Deployments;

/// <summary>A schedule of a deployment, as stored (the scheduler acts on it).</summary>
public sealed record DeploymentSchedule
{
    /// <summary>The schedule's id.</summary>
    public required Guid Id { get; init; }

    /// <summary>When it was created.</summary>
    public required DateTimeOffset Created { get; init; }

    /// <summary>When it last changed.</summary>
    public required DateTimeOffset Updated { get; init; }

    /// <summary>The deployment it belongs to.</summary>
    public required Guid DeploymentId { get; init; }

    /// <summary><c>{cron, timezone, day_or}</c>, <c>{interval, anchor_date, timezone}</c> or <c>{rrule, timezone}</c>.</summary>
    public required JsonObject Schedule { get; init; }

    /// <summary>Whether the schedule makes runs.</summary>
    public bool Active { get; init; } = true;

    /// <summary>The most future runs the schedule keeps.</summary>
    public int? MaxScheduledRuns { get; init; }

    /// <summary>Parameters merged over the deployment's for this schedule's runs.</summary>
    [MaxLength(InputLimits.DataJsonLength)]
    public JsonObject Parameters { get; init; } = [];

    /// <summary>A name unique within the deployment.</summary>
    public string? Slug { get; init; }
}

/// <summary>A schedule in a deployment's create or update body.</summary>
public sealed record DeploymentScheduleCreate
{
    /// <summary>The schedule.</summary>
    public required JsonObject Schedule { get; init; }

    /// <summary>Whether the schedule makes runs.</summary>
    public bool Active { get; init; } = true;

    /// <summary>The most future runs the schedule keeps.</summary>
    public int? MaxScheduledRuns { get; init; }

    /// <summary>Parameters merged over the deployment's.</summary>
    [MaxLength(InputLimits.DataJsonLength)]
    public JsonObject? Parameters { get; init; }

    /// <summary>A name unique within the deployment.</summary>
    public string? Slug { get; init; }

    /// <summary>Prefect's most active runs of the schedule (1 or more), which its server keeps but does not enforce: taken, not kept.</summary>
    public int? MaxActiveRuns { get; init; }

    /// <summary>Prefect's catch-up of Late runs, which its server keeps but does not act on: taken, not kept.</summary>
    public bool? Catchup { get; init; }
}

/// <summary>A change to one schedule of a deployment: the fields sent are changed, the others kept.</summary>
public sealed record DeploymentScheduleUpdate
{
    /// <summary>A new schedule.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<JsonObject?> Schedule { get; init; }

    /// <summary>Activate or deactivate.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<bool> Active { get; init; }

    /// <summary>A new most future runs, or null for the scheduler's.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<int?> MaxScheduledRuns { get; init; }

    /// <summary>New parameters merged over the deployment's.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    [MaxLength(InputLimits.DataJsonLength)]
    public Optional<JsonObject?> Parameters { get; init; }

    /// <summary>A new slug.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<string?> Slug { get; init; }
}
