namespace Reeve.Server.Storage.Entities;

/// <summary>A row of <c>concurrency_limit_v2</c>: a global concurrency limit and its slots as of <see cref="Updated"/>.</summary>
internal sealed class ConcurrencyLimitRecord
{
    public Guid Id { get; set; }
    public DateTime Created { get; set; }

    /// <summary>When the slots were last counted: decay is measured from here.</summary>
    public DateTime Updated { get; set; }
    public bool Active { get; set; }
    public required string Name { get; set; }
    public int Limit { get; set; }
    public int ActiveSlots { get; set; }
    public int DeniedSlots { get; set; }
    public double SlotDecayPerSecond { get; set; }
    public double AvgSlotOccupancySeconds { get; set; } = 2.0;
}

/// <summary>A row of <c>concurrency_limit</c>: a tag's limit on running task runs (Prefect's v1 limits), the holders' ids as a JSON array.</summary>
internal sealed class TagConcurrencyLimitRecord
{
    public Guid Id { get; set; }
    public DateTime Created { get; set; }
    public DateTime Updated { get; set; }
    public required string Tag { get; set; }
    public int ConcurrencyLimit { get; set; }

    /// <summary>The task runs holding its slots, as a JSON array of ids.</summary>
    public required string ActiveSlots { get; set; }
}
