using Reeve.Core.Filters;

namespace Reeve.Core.WorkPools;

/// <summary>Criteria on work pools, as Prefect's <c>WorkPoolFilter</c>.</summary>
public sealed record WorkPoolFilter
{
    /// <summary>How the criteria combine.</summary>
    public FilterOperator Operator { get; init; } = FilterOperator.And;

    /// <summary>Pools with one of these ids.</summary>
    public AnyFilter<Guid>? Id { get; init; }

    /// <summary>Pools with one of these names.</summary>
    public AnyFilter<string>? Name { get; init; }

    /// <summary>Pools of one of these types.</summary>
    public AnyFilter<string>? Type { get; init; }
}
