using Reeve.Core.Deployments;

namespace Reeve.Core.Orchestration;

/// <summary>A concurrency limit and how many runs hold its slots right now.</summary>
/// <param name="What">What the limit belongs to, for messages: <c>work pool 'p'</c>.</param>
/// <param name="Limit">The limit.</param>
/// <param name="Active">Runs PENDING, RUNNING or CANCELLING under it.</param>
public sealed record SlotUsage(string What, int Limit, int Active)
{
    /// <summary>Whether another run may take a slot.</summary>
    public bool HasRoom => Active < Limit;
}

/// <summary>
/// The limits a run is under when it asks for a slot, counted from run states inside the transaction
/// that decides (so racing claimers cannot overshoot and no counter can leak).
/// </summary>
public sealed record ConcurrencySnapshot
{
    /// <summary>The run's work pool, when it has a limit.</summary>
    public SlotUsage? Pool { get; init; }

    /// <summary>The run's work queue, when it has a limit.</summary>
    public SlotUsage? Queue { get; init; }

    /// <summary>The run's deployment, when it has a limit.</summary>
    public SlotUsage? Deployment { get; init; }

    /// <summary>What is paused and so hands out no work (<c>work pool 'p'</c>), if anything.</summary>
    public string? PausedBy { get; init; }

    /// <summary>What happens when the deployment has no room.</summary>
    public CollisionStrategy CollisionStrategy { get; init; }

    /// <summary>A task run's tag limits (Prefect's v1 concurrency limits), each counted without the run itself.</summary>
    public IReadOnlyList<SlotUsage>? Tags { get; init; }
}
