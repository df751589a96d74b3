using System.Text.Json.Nodes;

namespace Reeve.Core.Deployments;

/// <summary>
/// A deployment: how to run a flow remotely, with its entrypoint, parameters, schedules, work pool and
/// queue, job variables and pull steps (Prefect's <c>DeploymentResponse</c>).
/// </summary>
public sealed record Deployment
{
    /// <summary>The deployment's id.</summary>
    public required Guid Id { get; init; }

    /// <summary>When it was created.</summary>
    public required DateTimeOffset Created { get; init; }

    /// <summary>When it last changed.</summary>
    public required DateTimeOffset Updated { get; init; }

    /// <summary>The deployment's name, unique for its flow.</summary>
    public required string Name { get; init; }

    /// <summary>The flow it runs.</summary>
    public required Guid FlowId { get; init; }

    /// <summary>A version label.</summary>
    public string? Version { get; init; }

    /// <summary>A description.</summary>
    public string? Description { get; init; }

    /// <summary>A paused deployment makes no scheduled runs.</summary>
    public bool Paused { get; init; }

    /// <summary>The deployment's schedules.</summary>
    public List<DeploymentSchedule> Schedules { get; init; } = [];

    /// <summary>
    /// Reeve only: seconds after which a late scheduled run of this deployment is given up (CANCELLED, named
    /// Expired) instead of started; null to fall back to its pool's setting. An outage then ends without a stampede
    /// of stale runs.
    /// </summary>
    public double? ExpireLateRunsAfter { get; init; }

    /// <summary>The most runs of this deployment that may be PENDING, RUNNING or CANCELLING at once.</summary>
    public int? ConcurrencyLimit { get; init; }

    /// <summary>What happens to a run over the limit.</summary>
    public ConcurrencyOptions? ConcurrencyOptions { get; init; }

    /// <summary>Overrides of the pool's job variables.</summary>
    public JsonObject JobVariables { get; init; } = [];

    /// <summary>Default parameters of its runs.</summary>
    public JsonObject Parameters { get; init; } = [];

    /// <summary>Tags.</summary>
    public List<string> Tags { get; init; } = [];

    /// <summary>Labels.</summary>
    public JsonObject Labels { get; init; } = [];

    /// <summary>The queue its runs go to.</summary>
    public string? WorkQueueName { get; init; }

    /// <summary>The queue's id.</summary>
    public Guid? WorkQueueId { get; init; }

    /// <summary>When a worker or serving process last asked for its runs.</summary>
    public DateTimeOffset? LastPolled { get; init; }

    /// <summary>The JSON Schema of the flow's parameters.</summary>
    public JsonObject ParameterOpenapiSchema { get; init; } = [];

    /// <summary>The folder the entrypoint is relative to.</summary>
    public string? Path { get; init; }

    /// <summary>Steps that fetch the flow's code before it runs (a git clone).</summary>
    public JsonArray? PullSteps { get; init; }

    /// <summary>Where the flow is: <c>path/File.cs:Method</c>, <c>Project.csproj:Namespace.Type.Method</c>, ...</summary>
    public string? Entrypoint { get; init; }

    /// <summary>Kept for Prefect compatibility.</summary>
    public Guid? StorageDocumentId { get; init; }

    /// <summary>Kept for Prefect compatibility.</summary>
    public Guid? InfrastructureDocumentId { get; init; }

    /// <summary>Who created it, when known.</summary>
    public JsonObject? CreatedBy { get; init; }

    /// <summary>Who last changed it, when known.</summary>
    public JsonObject? UpdatedBy { get; init; }

    /// <summary>The pool its runs go to.</summary>
    public string? WorkPoolName { get; init; }

    /// <summary>READY when polled in the last 60 seconds.</summary>
    public DeploymentStatus Status { get; init; } = DeploymentStatus.NotReady;

    /// <summary>Whether parameters are checked against <see cref="ParameterOpenapiSchema"/>.</summary>
    public bool EnforceParameterSchema { get; init; } = true;

    /// <summary>Prefect 2's view of <see cref="Paused"/>, for Prefect 2 clients: whether its schedules make runs.</summary>
    public bool IsScheduleActive => !Paused;

    /// <summary>Prefect 2's single schedule, for Prefect 2 clients: the first schedule's, if any.</summary>
    public JsonObject? Schedule => Schedules.Count > 0 ? Schedules[0].Schedule : null;

    /// <summary>Prefect 2's name for <see cref="JobVariables"/>, for Prefect 2 clients.</summary>
    public JsonObject InfraOverrides => JobVariables;

    /// <summary>Prefect 2's manifest path, for Prefect 2 clients: Reeve keeps none, so it is null.</summary>
    public string? ManifestPath { get; init; }
}
