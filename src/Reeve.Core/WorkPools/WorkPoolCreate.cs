using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Reeve.Core.Json;

namespace Reeve.Core.WorkPools;

/// <summary>The body of <c>POST /api/work_pools/</c>.</summary>
public sealed record WorkPoolCreate
{
    /// <summary>The pool's unique name.</summary>
    public required string Name { get; init; }

    /// <summary>A description.</summary>
    [MaxLength(InputLimits.LongTextLength)]
    public string? Description { get; init; }

    /// <summary>The pool's type; see <c>GET /api/collections/views/aggregate-worker-metadata</c>.</summary>
    public required string Type { get; init; }

    /// <summary>The base job template; when absent or <c>{}</c>, the type's default.</summary>
    [MaxLength(InputLimits.SchemaJsonLength)]
    public JsonObject? BaseJobTemplate { get; init; }

    /// <summary>Create the pool paused.</summary>
    public bool IsPaused { get; init; }

    /// <summary>A concurrency limit (0 or more); null for none.</summary>
    public int? ConcurrencyLimit { get; init; }

    /// <summary>Reeve only: seconds after which a late scheduled run is given up (CANCELLED, named Expired); null: never.</summary>
    public double? ExpireLateRunsAfter { get; init; }

    /// <summary>Storage configuration.</summary>
    public WorkPoolStorageConfiguration? StorageConfiguration { get; init; }
}
