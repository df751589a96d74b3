using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Reeve.Core.Json;

namespace Reeve.Core.WorkPools;

/// <summary>
/// The body of <c>PATCH /api/work_pools/{name}</c>: only the fields present change; a field sent as
/// null is cleared (<c>{"concurrency_limit": null}</c> removes the limit).
/// </summary>
public sealed record WorkPoolUpdate
{
    /// <summary>A new description.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    [MaxLength(InputLimits.LongTextLength)]
    public Optional<string?> Description { get; init; }

    /// <summary>Pause or resume the pool.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<bool> IsPaused { get; init; }

    /// <summary>A new base job template; <c>{}</c> restores the type's default.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    [MaxLength(InputLimits.SchemaJsonLength)]
    public Optional<JsonObject?> BaseJobTemplate { get; init; }

    /// <summary>A new concurrency limit, or null to remove it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<int?> ConcurrencyLimit { get; init; }

    /// <summary>Reeve only: seconds after which a late scheduled run is given up, or null for never.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<double?> ExpireLateRunsAfter { get; init; }

    /// <summary>A new storage configuration.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<WorkPoolStorageConfiguration?> StorageConfiguration { get; init; }
}
