using System.Text.Json.Serialization;
using Reeve.Core.Json;

namespace Reeve.Core.Deployments;

/// <summary>Whether something is polling for a deployment's runs.</summary>
[JsonConverter(typeof(StrictEnumConverter<DeploymentStatus>))]
public enum DeploymentStatus
{
    /// <summary>A worker or a serving process asked for its runs in the last 60 seconds.</summary>
    [JsonStringEnumMemberName("READY")]
    Ready,

    /// <summary>Nothing asked recently.</summary>
    [JsonStringEnumMemberName("NOT_READY")]
    NotReady,
}
