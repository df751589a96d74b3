using System.Text.Json.Nodes;

namespace Reeve.Core.WorkPools;

/// <summary>
/// A work pool: a typed bridge to infrastructure with a base job template that every run inherits, a
/// pause flag and a concurrency limit. The wire shape is Prefect 3's <c>WorkPoolResponse</c>.
/// </summary>
public sealed record WorkPool
{
    /// <summary>The pool's id.</summary>
    public required Guid Id { get; init; }

    /// <summary>When the pool was created.</summary>
    public required DateTimeOffset Created { get; init; }

    /// <summary>When the pool was last changed.</summary>
    public required DateTimeOffset Updated { get; init; }

    /// <summary>The pool's unique name.</summary>
    public required string Name { get; init; }

    /// <summary>A description of the pool.</summary>
    public string? Description { get; init; }

    /// <summary>The pool's type: <c>process</c>, <c>docker</c>, <c>kubernetes</c> or <c>managed</c>.</summary>
    public required string Type { get; init; }

    /// <summary>The base job template: <c>{"job_configuration": {...}, "variables": {JSON Schema}}</c>.</summary>
    public required JsonObject BaseJobTemplate { get; init; }

    /// <summary>A paused pool hands out no work.</summary>
    public bool IsPaused { get; init; }

    /// <summary>The most runs of this pool that may be PENDING or RUNNING at once; null for no limit.</summary>
    public int? ConcurrencyLimit { get; init; }

    /// <summary>
    /// Reeve only: seconds after which a late scheduled run in this pool is given up (CANCELLED, named Expired)
    /// instead of started, unless its deployment says otherwise; null: never.
    /// </summary>
    public double? ExpireLateRunsAfter { get; init; }

    /// <summary>READY, NOT_READY or PAUSED, as of the moment the pool was read.</summary>
    public WorkPoolStatus? Status { get; init; }

    /// <summary>The id of the pool's <c>default</c> queue.</summary>
    public Guid? DefaultQueueId { get; init; }

    /// <summary>Where results and bundles of this pool's runs are stored (kept for Prefect compatibility).</summary>
    public WorkPoolStorageConfiguration StorageConfiguration { get; init; } = new();
}
