using System.Text.Json.Serialization;
using Reeve.Core.Json;

namespace Reeve.Core.States;

/// <summary>The kind of a run's state. A state also has a name; several names share a type (Late and AwaitingRetry are SCHEDULED).</summary>
[JsonConverter(typeof(StrictEnumConverter<StateType>))]
public enum StateType
{
    /// <summary>Waiting for its scheduled time.</summary>
    [JsonStringEnumMemberName("SCHEDULED")]
    Scheduled,

    /// <summary>Claimed by a worker, whose infrastructure is starting.</summary>
    [JsonStringEnumMemberName("PENDING")]
    Pending,

    /// <summary>Running.</summary>
    [JsonStringEnumMemberName("RUNNING")]
    Running,

    /// <summary>Finished successfully.</summary>
    [JsonStringEnumMemberName("COMPLETED")]
    Completed,

    /// <summary>Finished with an error in the flow's code.</summary>
    [JsonStringEnumMemberName("FAILED")]
    Failed,

    /// <summary>Stopped on request.</summary>
    [JsonStringEnumMemberName("CANCELLED")]
    Cancelled,

    /// <summary>Ended by something outside the flow's code: its process or machine died.</summary>
    [JsonStringEnumMemberName("CRASHED")]
    Crashed,

    /// <summary>Paused, waiting to be resumed.</summary>
    [JsonStringEnumMemberName("PAUSED")]
    Paused,

    /// <summary>Asked to stop; its infrastructure is being torn down.</summary>
    [JsonStringEnumMemberName("CANCELLING")]
    Cancelling,
}
