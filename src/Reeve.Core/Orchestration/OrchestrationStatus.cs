using System.Text.Json.Serialization;
using Reeve.Core.Json;

namespace Reeve.Core.Orchestration;

/// <summary>The server's answer to a proposed state.</summary>
[JsonConverter(typeof(StrictEnumConverter<OrchestrationStatus>))]
public enum OrchestrationStatus
{
    /// <summary>The run is now in the state (possibly a changed one, such as AwaitingRetry instead of Failed).</summary>
    [JsonStringEnumMemberName("ACCEPT")]
    Accept,

    /// <summary>The run stays in its state, which is returned.</summary>
    [JsonStringEnumMemberName("REJECT")]
    Reject,

    /// <summary>Propose again after <c>delay_seconds</c>.</summary>
    [JsonStringEnumMemberName("WAIT")]
    Wait,

    /// <summary>The transition makes no sense (someone else claimed the run, say); stop proposing it.</summary>
    [JsonStringEnumMemberName("ABORT")]
    Abort,
}
