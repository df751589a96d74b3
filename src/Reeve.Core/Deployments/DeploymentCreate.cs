using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Reeve.Core.Json;

namespace Reeve.Core.Deployments;

/// <summary>
/// The body of <c>POST /api/deployments/</c>: creates the deployment, or updates the one with the same
/// flow and name with the fields sent.
/// </summary>
public sealed record DeploymentCreate
{
    /// <summary>The deployment's name.</summary>
    public required string Name { get; init; }

    /// <summary>The flow it runs.</summary>
    public required Guid FlowId { get; init; }

    /// <summary>Pause it (no scheduled runs).</summary>
    public bool? Paused { get; init; }

    /// <summary>Its schedules.</summary>
    public List<DeploymentScheduleCreate>? Schedules { get; init; }

    /// <summary>Reeve only: seconds after which a late scheduled run is given up (CANCELLED, named Expired); null for the pool's setting.</summary>
    public double? ExpireLateRunsAfter { get; init; }

    /// <summary>A concurrency limit (1 or more).</summary>
    public int? ConcurrencyLimit { get; init; }

    /// <summary>What happens to runs over the limit.</summary>
    public ConcurrencyOptions? ConcurrencyOptions { get; init; }

    /// <summary>Whether parameters are checked against the schema (default true).</summary>
    public bool? EnforceParameterSchema { get; init; }

    /// <summary>The JSON Schema of the flow's parameters.</summary>
    [MaxLength(InputLimits.SchemaJsonLength)]
    public JsonObject? ParameterOpenapiSchema { get; init; }

    /// <summary>Default parameters.</summary>
    [MaxLength(InputLimits.DataJsonLength)]
    public JsonObject? Parameters { get; init; }

    /// <summary>Tags.</summary>
    [MaxLength(InputLimits.MaxTags)]
    public List<string>? Tags { get; init; }

    /// <summary>Labels.</summary>
    public JsonObject? Labels { get; init; }

    /// <summary>Steps that fetch the flow's code.</summary>
    public JsonArray? PullSteps { get; init; }

    /// <summary>The queue; with only a pool, the pool's default queue. Created when missing.</summary>
    public string? WorkQueueName { get; init; }

    /// <summary>The pool.</summary>
    public string? WorkPoolName { get; init; }

    /// <summary>Kept for Prefect compatibility.</summary>
    public Guid? StorageDocumentId { get; init; }

    /// <summary>Kept for Prefect compatibility.</summary>
    public Guid? InfrastructureDocumentId { get; init; }

    /// <summary>A description.</summary>
    [MaxLength(InputLimits.LongTextLength)]
    public string? Description { get; init; }

    /// <summary>The folder the entrypoint is relative to.</summary>
    public string? Path { get; init; }

    /// <summary>A version label.</summary>
    public string? Version { get; init; }

    /// <summary>Where the flow is.</summary>
    public string? Entrypoint { get; init; }

    /// <summary>Overrides of the pool's job variables, checked against its schema.</summary>
    [MaxLength(InputLimits.DataJsonLength)]
    public JsonObject? JobVariables { get; init; }

    /// <summary>Prefect 2's name for <see cref="JobVariables"/>, which its <c>prefect deploy</c> sends: taken as them.</summary>
    [MaxLength(InputLimits.DataJsonLength)]
    public JsonObject? InfraOverrides { get; init; }

    /// <summary>
    /// Prefect 2's single schedule: when no <see cref="Schedules"/> are given, the deployment's one schedule, active as
    /// <see cref="IsScheduleActive"/> says (as Prefect's server turns it into <c>schedules</c>); ignored beside them.
    /// </summary>
    public JsonObject? Schedule { get; init; }

    /// <summary>Prefect 2: whether <see cref="Schedule"/> is active (by default it is).</summary>
    public bool? IsScheduleActive { get; init; }

    /// <summary>Prefect 2's manifest of <c>prefect deployment build</c>: taken, not kept.</summary>
    public string? ManifestPath { get; init; }

    /// <summary>
    /// The body with Prefect 2's fields put where Reeve keeps them: <see cref="InfraOverrides"/> as the job variables
    /// (both at once, differing, is refused: which would win?) and <see cref="Schedule"/> as the one schedule.
    /// </summary>
    public DeploymentCreate WithPrefectFieldsResolved()
    {
        var resolved = this;
        if (InfraOverrides is { } overrides)
        {
            if (JobVariables is { } variables && !JsonNode.DeepEquals(variables, overrides))
            {
                throw new Errors.ReeveValidationException("infra_overrides", "infra_overrides and job_variables differ; send job_variables only");
            }

            resolved = resolved with { JobVariables = overrides, InfraOverrides = null };
        }

        if (Schedule is { } schedule && Schedules is not { Count: > 0 })
        {
            resolved = resolved with { Schedules = [new DeploymentScheduleCreate { Schedule = schedule, Active = IsScheduleActive ?? true }], Schedule = null };
        }

        return resolved;
    }
}
