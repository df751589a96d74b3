using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Reeve.Core.Json;

namespace Reeve.Core.FlowRuns;

/// <summary>The body of <c>PATCH /api/flow_runs/{id}</c>: only the fields present change.</summary>
public sealed record FlowRunUpdate
{
    /// <summary>A new name.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<string?> Name { get; init; }

    /// <summary>The flow's version.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<string?> FlowVersion { get; init; }

    /// <summary>New parameters.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    [MaxLength(InputLimits.DataJsonLength)]
    public Optional<JsonObject?> Parameters { get; init; }

    /// <summary>New retry settings.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<FlowRunPolicy?> EmpiricalPolicy { get; init; }

    /// <summary>New tags.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    [MaxLength(InputLimits.MaxTags)]
    public Optional<List<string>?> Tags { get; init; }

    /// <summary>The id of the infrastructure running it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Optional<string?> InfrastructurePid { get; init; }

    /// <summary>New job variables (only while SCHEDULED).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    [MaxLength(InputLimits.DataJsonLength)]
    public Optional<JsonObject?> JobVariables { get; init; }
}
