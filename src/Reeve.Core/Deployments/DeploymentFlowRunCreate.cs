using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Reeve.Core.FlowRuns;
using Reeve.Core.States;
using Reeve.Core.Json;

namespace Reeve.Core.Deployments;

/// <summary>The body of <c>POST /api/deployments/{id}/create_flow_run</c>.</summary>
public sealed record DeploymentFlowRunCreate
{
    /// <summary>The initial state; Scheduled now when absent.</summary>
    public StateCreate? State { get; init; }

    /// <summary>The run's name; a memorable one when absent.</summary>
    public string? Name { get; init; }

    /// <summary>Parameters, merged over the deployment's.</summary>
    [MaxLength(InputLimits.DataJsonLength)]
    public JsonObject? Parameters { get; init; }

    /// <summary>Overrides the deployment's <c>enforce_parameter_schema</c>.</summary>
    public bool? EnforceParameterSchema { get; init; }

    /// <summary>Context for the run.</summary>
    public JsonObject? Context { get; init; }

    /// <summary>Kept for Prefect compatibility.</summary>
    public Guid? InfrastructureDocumentId { get; init; }

    /// <summary>Retries and their delay.</summary>
    public FlowRunPolicy? EmpiricalPolicy { get; init; }

    /// <summary>Tags, added to the deployment's.</summary>
    [MaxLength(InputLimits.MaxTags)]
    public List<string>? Tags { get; init; }

    /// <summary>A second create with the same key returns the first run.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>Labels.</summary>
    public JsonObject? Labels { get; init; }

    /// <summary>The task run that started this run as a subflow.</summary>
    public Guid? ParentTaskRunId { get; init; }

    /// <summary>Another queue of the deployment's pool (created when missing).</summary>
    public string? WorkQueueName { get; init; }

    /// <summary>Overrides of the job variables for this run.</summary>
    [MaxLength(InputLimits.DataJsonLength)]
    public JsonObject? JobVariables { get; init; }
}

/// <summary>The body of <c>POST /api/deployments/get_scheduled_flow_runs</c>, used by serving processes.</summary>
public sealed record DeploymentScheduledRunsRequest
{
    /// <summary>The deployments whose runs are wanted.</summary>
    public required List<Guid> DeploymentIds { get; init; }

    /// <summary>Runs due at or before this time; all when absent.</summary>
    public DateTimeOffset? ScheduledBefore { get; init; }

    /// <summary>The most runs to return (at most 200).</summary>
    public int? Limit { get; init; }
}
