using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Reeve.Core.Json;
using System.Text.Json.Serialization;

namespace Reeve.Core.States;

/// <summary>A state proposed by a client (<c>set_state</c>, or the initial state of a new run).</summary>
public sealed record StateCreate
{
    /// <summary>The proposed type.</summary>
    public required StateType Type { get; init; }

    /// <summary>The proposed name; the type's name when absent.</summary>
    public string? Name { get; init; }

    /// <summary>A message.</summary>
    [MaxLength(InputLimits.LongTextLength)]
    [JsonConverter(typeof(FreeTextConverter))]
    public string? Message { get; init; }

    /// <summary>Details such as the scheduled time (now when a SCHEDULED state has none).</summary>
    public StateDetails? StateDetails { get; init; }

    /// <summary>Data to attach.</summary>
    public JsonNode? Data { get; init; }
}
