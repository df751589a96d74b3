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
}
