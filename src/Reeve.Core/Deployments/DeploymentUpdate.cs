using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Reeve.Core.Json;

namespace Reeve.Core.Deployments;

/// <summary>The body of <c>PATCH /api/deployments/{id}</c>: only the fields present change.</summary>
public sealed record DeploymentUpdate
{
    /// <summary>A version label.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<string?> Version { get; init; }

    /// <summary>A description.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    [MaxLength(InputLimits.LongTextLength)]
    public Optional<string?> Description { get; init; }

    /// <summary>Pause or resume.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<bool> Paused { get; init; }

    /// <summary>Replaces the schedules.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<List<DeploymentScheduleCreate>?> Schedules { get; init; }

    /// <summary>Reeve only: seconds after which a late scheduled run is given up, or null for the pool's setting.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<double?> ExpireLateRunsAfter { get; init; }

    /// <summary>A new concurrency limit, or null for none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<int?> ConcurrencyLimit { get; init; }

    /// <summary>New concurrency options.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<ConcurrencyOptions?> ConcurrencyOptions { get; init; }

    /// <summary>New default parameters.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    [MaxLength(InputLimits.DataJsonLength)]
    public Optional<JsonObject?> Parameters { get; init; }

    /// <summary>A new parameter schema.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    [MaxLength(InputLimits.SchemaJsonLength)]
    public Optional<JsonObject?> ParameterOpenapiSchema { get; init; }

    /// <summary>New tags.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    [MaxLength(InputLimits.MaxTags)]
    public Optional<List<string>?> Tags { get; init; }

    /// <summary>A new queue.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<string?> WorkQueueName { get; init; }

    /// <summary>A new pool.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<string?> WorkPoolName { get; init; }

    /// <summary>A new path.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<string?> Path { get; init; }

    /// <summary>New job variables.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    [MaxLength(InputLimits.DataJsonLength)]
    public Optional<JsonObject?> JobVariables { get; init; }

    /// <summary>New pull steps.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<JsonArray?> PullSteps { get; init; }

    /// <summary>A new entrypoint.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<string?> Entrypoint { get; init; }

    /// <summary>Kept for Prefect compatibility.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<Guid?> StorageDocumentId { get; init; }

    /// <summary>Kept for Prefect compatibility.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<Guid?> InfrastructureDocumentId { get; init; }

    /// <summary>Whether parameters are checked.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<bool> EnforceParameterSchema { get; init; }

    /// <summary>Prefect 2's name for <see cref="JobVariables"/> (<c>update_deployment</c> sends it): taken as them.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    [MaxLength(InputLimits.DataJsonLength)]
    public Optional<JsonObject?> InfraOverrides { get; init; }

    /// <summary>Prefect 2's single schedule: when sent without <see cref="Schedules"/>, the deployment's one schedule from now on.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<JsonObject?> Schedule { get; init; }

    /// <summary>Prefect 2: whether the deployment's schedule runs; the opposite of <see cref="Paused"/>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<bool?> IsScheduleActive { get; init; }

    /// <summary>Prefect 2's manifest of <c>prefect deployment build</c>: taken, not kept.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<string?> ManifestPath { get; init; }

    /// <summary>
    /// The body with Prefect 2's fields put where Reeve keeps them, as <see cref="DeploymentCreate.WithPrefectFieldsResolved"/>
    /// does for a new deployment: <see cref="InfraOverrides"/> as the job variables (both, differing, is refused),
    /// <see cref="Schedule"/> as the one schedule, active as <see cref="IsScheduleActive"/> says (a null one removes the
    /// schedules), and <see cref="IsScheduleActive"/> alone (Prefect 2's <c>pause-schedule</c>) as not <see cref="Paused"/>
    /// (both, disagreeing, is refused).
    /// </summary>
    public DeploymentUpdate WithPrefectFieldsResolved()
    {
        var resolved = this with { ManifestPath = default };
        if (InfraOverrides.IsSet)
        {
            if (JobVariables.IsSet && !JsonNode.DeepEquals(JobVariables.Value, InfraOverrides.Value))
            {
                throw new Errors.ReeveValidationException("infra_overrides", "infra_overrides and job_variables differ; send job_variables only");
            }

            resolved = resolved with { JobVariables = InfraOverrides.Value, InfraOverrides = default };
        }

        if (Schedule.IsSet && !Schedules.IsSet)
        {
            resolved = resolved with
            {
                Schedules = Schedule.Value is { } schedule
                    ? new List<DeploymentScheduleCreate> { new() { Schedule = schedule, Active = !IsScheduleActive.IsSet || (IsScheduleActive.Value ?? true) } }
                    : new List<DeploymentScheduleCreate>(),
            };
        }

        resolved = resolved with { Schedule = default };
        if (IsScheduleActive is { IsSet: true, Value: { } active } && !Schedule.IsSet)
        {
            if (Paused.IsSet && Paused.Value == active)
            {
                throw new Errors.ReeveValidationException("is_schedule_active", "is_schedule_active and paused disagree; send paused only");
            }

            resolved = resolved with { Paused = !active };
        }

        return resolved with { IsScheduleActive = default };
    }
}
