using System.ComponentModel.DataAnnotations;
using Reeve.Core.Json;
namespace Reeve.Core.WorkQueues;

/// <summary>The body of <c>POST /api/work_pools/{pool}/queues</c>.</summary>
public sealed record WorkQueueCreate
{
    /// <summary>The queue's name, unique in its pool.</summary>
    public required string Name { get; init; }

    /// <summary>A description.</summary>
    [MaxLength(InputLimits.LongTextLength)]
    public string? Description { get; init; } = "";

    /// <summary>Create the queue paused.</summary>
    public bool IsPaused { get; init; }

    /// <summary>A concurrency limit (0 or more); null for none.</summary>
    public int? ConcurrencyLimit { get; init; }

    /// <summary>The priority (1 or more); when absent, the first free one. Others shift to keep priorities unique.</summary>
    public int? Priority { get; init; }

    /// <summary>
    /// Prefect's deprecated queue filter, which its client still sends (<c>"filter": null</c> from
    /// <c>prefect work-queue create</c>): accepted and not kept; a queue's runs are those sent to it.
    /// </summary>
    public System.Text.Json.Nodes.JsonObject? Filter { get; init; }
}
