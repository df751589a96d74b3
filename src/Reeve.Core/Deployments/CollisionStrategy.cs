using System.Text.Json.Serialization;
using Reeve.Core.Json;

namespace Reeve.Core.Deployments;

/// <summary>What happens to a run that would exceed its deployment's concurrency limit.</summary>
[JsonConverter(typeof(StrictEnumConverter<CollisionStrategy>))]
public enum CollisionStrategy
{
    /// <summary>It waits, rescheduled as AwaitingConcurrencySlot (the default).</summary>
    [JsonStringEnumMemberName("ENQUEUE")]
    Enqueue,

    /// <summary>It is cancelled.</summary>
    [JsonStringEnumMemberName("CANCEL_NEW")]
    CancelNew,
}

/// <summary>The <c>concurrency_options</c> of a deployment.</summary>
public sealed record ConcurrencyOptions
{
    /// <summary>What happens to a run over the limit.</summary>
    public required CollisionStrategy CollisionStrategy { get; init; }
}
