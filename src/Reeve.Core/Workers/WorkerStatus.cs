using System.Text.Json.Serialization;
using Reeve.Core.Json;

namespace Reeve.Core.Workers;

/// <summary>Whether a worker's heartbeats are arriving.</summary>
[JsonConverter(typeof(StrictEnumConverter<WorkerStatus>))]
public enum WorkerStatus
{
    /// <summary>The last heartbeat is recent.</summary>
    [JsonStringEnumMemberName("ONLINE")]
    Online,

    /// <summary>No heartbeat for three intervals.</summary>
    [JsonStringEnumMemberName("OFFLINE")]
    Offline,
}
