using System.Text.Json.Nodes;

namespace Reeve.Core.States;

/// <summary>A state of a flow run or task run (Prefect's <c>State</c>).</summary>
public sealed record State
{
    /// <summary>The state's id.</summary>
    public Guid Id { get; init; }

    /// <summary>The state's type.</summary>
    public required StateType Type { get; init; }

    /// <summary>The state's name: the type's (Scheduled) or a more precise one (Late, AwaitingRetry).</summary>
    public required string Name { get; init; }

    /// <summary>When the state was entered.</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>A message: why a run failed, crashed or was cancelled.</summary>
    public string? Message { get; init; }

    /// <summary>Details such as the scheduled time.</summary>
    public StateDetails StateDetails { get; init; } = new();

    /// <summary>Data the client attached (a result reference).</summary>
    public JsonNode? Data { get; init; }
}
