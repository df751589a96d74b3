using System.Text.Json.Serialization;

namespace Reeve.Core.Workers;

/// <summary>Whether a worker's heartbeats are arriving.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<WorkerStatus>))]
public enum WorkerStatus
{
    /// <summary>The last heartbeat is recent.</summary>
    [JsonStringEnumMemberName("ONLINE")]
    Online,

    /// <summary>No heartbeat for three intervals.</summary>
    [JsonStringEnumMemberName("OFFLINE")]
    Offline,
}
