using System.Text.Json.Serialization;
using Reeve.Core.States;

namespace Reeve.Core.Orchestration;

/// <summary>The answer of <c>POST /api/flow_runs/{id}/set_state</c> (Prefect's <c>OrchestrationResult</c>).</summary>
public sealed record OrchestrationResult
{
    /// <summary>The run's state after the answer: the accepted one, or the current one.</summary>
    public State? State { get; init; }

    /// <summary>ACCEPT, REJECT, WAIT or ABORT.</summary>
    public required OrchestrationStatus Status { get; init; }

    /// <summary>Why, and for WAIT how long.</summary>
    public required OrchestrationDetails Details { get; init; }
}

/// <summary>The <c>details</c> of an answer: <c>{"type": "reject_details", "reason": ...}</c>.</summary>
public sealed record OrchestrationDetails
{
    /// <summary><c>accept_details</c>, <c>reject_details</c>, <c>wait_details</c> or <c>abort_details</c>.</summary>
    public required string Type { get; init; }

    /// <summary>Why the proposal was not accepted as proposed.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Reason { get; init; }

    /// <summary>For WAIT: seconds to wait before proposing again.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? DelaySeconds { get; init; }

    /// <summary>The details of an answer with <paramref name="status"/>.</summary>
    public static OrchestrationDetails For(OrchestrationStatus status, string? reason, int? delaySeconds) => status switch
    {
        OrchestrationStatus.Accept => new() { Type = "accept_details" },
        OrchestrationStatus.Reject => new() { Type = "reject_details", Reason = reason },
        OrchestrationStatus.Wait => new() { Type = "wait_details", Reason = reason, DelaySeconds = delaySeconds ?? 0 },
        _ => new() { Type = "abort_details", Reason = reason },
    };
}
