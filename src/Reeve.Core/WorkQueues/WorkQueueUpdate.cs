using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Reeve.Core.Json;

namespace Reeve.Core.WorkQueues;

/// <summary>The body of <c>PATCH /api/work_pools/{pool}/queues/{name}</c>: only the fields present change.</summary>
public sealed record WorkQueueUpdate
{
    /// <summary>A new name.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<string?> Name { get; init; }

    /// <summary>A new description.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    [MaxLength(InputLimits.LongTextLength)]
    public Optional<string?> Description { get; init; }

    /// <summary>Pause or resume the queue.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<bool> IsPaused { get; init; }

    /// <summary>A new concurrency limit, or null to remove it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<int?> ConcurrencyLimit { get; init; }

    /// <summary>A new priority; other queues shift to keep priorities unique.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<int?> Priority { get; init; }
}
