using System.Text.Json.Serialization;
using Reeve.Core.Json;

namespace Reeve.Core.WorkQueues;

/// <summary>Whether a work queue is being served.</summary>
[JsonConverter(typeof(StrictEnumConverter<WorkQueueStatus>))]
public enum WorkQueueStatus
{
    /// <summary>A worker polled the queue recently.</summary>
    [JsonStringEnumMemberName("READY")]
    Ready,

    /// <summary>No worker polled the queue recently.</summary>
    [JsonStringEnumMemberName("NOT_READY")]
    NotReady,

    /// <summary>The queue is paused: its runs are not handed out.</summary>
    [JsonStringEnumMemberName("PAUSED")]
    Paused,
}
