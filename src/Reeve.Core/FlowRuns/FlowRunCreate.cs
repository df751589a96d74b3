using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Reeve.Core.States;
using Reeve.Core.Json;

namespace Reeve.Core.FlowRuns;

/// <summary>The body of <c>POST /api/flow_runs/</c>: an ad-hoc run of a flow.</summary>
public sealed record FlowRunCreate
{
    /// <summary>The flow to run.</summary>
    public required Guid FlowId { get; init; }

    /// <summary>The initial state; Pending when absent.</summary>
    public StateCreate? State { get; init; }

    /// <summary>The run's name; a memorable one when absent.</summary>
    public string? Name { get; init; }

    /// <summary>The flow's version.</summary>
    public string? FlowVersion { get; init; }

    /// <summary>Parameters.</summary>
    [MaxLength(InputLimits.DataJsonLength)]
    public JsonObject? Parameters { get; init; }

    /// <summary>Context.</summary>
    public JsonObject? Context { get; init; }

    /// <summary>The task run that starts it as a subflow.</summary>
    public Guid? ParentTaskRunId { get; init; }

    /// <summary>Kept for Prefect compatibility.</summary>
    public Guid? InfrastructureDocumentId { get; init; }

    /// <summary>Retries and their delay.</summary>
    public FlowRunPolicy? EmpiricalPolicy { get; init; }

    /// <summary>Tags.</summary>
    [MaxLength(InputLimits.MaxTags)]
    public List<string>? Tags { get; init; }

    /// <summary>Labels.</summary>
    public JsonObject? Labels { get; init; }

    /// <summary>A second create with the same flow and key returns the first run.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>A pool to run it in.</summary>
    public string? WorkPoolName { get; init; }

    /// <summary>A queue of that pool (its default when absent).</summary>
    public string? WorkQueueName { get; init; }

    /// <summary>Job variables.</summary>
    [MaxLength(InputLimits.DataJsonLength)]
    public JsonObject? JobVariables { get; init; }

    /// <summary>The deployment it belongs to (deprecated in Prefect; use the deployment's create_flow_run).</summary>
    public Guid? DeploymentId { get; init; }
}
