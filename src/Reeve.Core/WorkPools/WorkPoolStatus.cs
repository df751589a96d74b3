using System.Text.Json.Serialization;
using Reeve.Core.Json;

namespace Reeve.Core.WorkPools;

/// <summary>Whether a work pool can run work now.</summary>
[JsonConverter(typeof(StrictEnumConverter<WorkPoolStatus>))]
public enum WorkPoolStatus
{
    /// <summary>At least one worker is online and the pool is not paused.</summary>
    [JsonStringEnumMemberName("READY")]
    Ready,

    /// <summary>No worker is online.</summary>
    [JsonStringEnumMemberName("NOT_READY")]
    NotReady,

    /// <summary>The pool is paused: no work is handed out.</summary>
    [JsonStringEnumMemberName("PAUSED")]
    Paused,
}
