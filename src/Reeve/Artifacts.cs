using System.Text.Json;
using System.Text.Json.Nodes;
using Reeve.Core.Artifacts;
using Reeve.Core.Json;
using Reeve.Engine;
using Reeve.Flows;
using Reeve.Tasks;

namespace Reeve;

/// <summary>
/// Artifacts: what a run makes for people to look at (Prefect's artifacts) — a Markdown report, a table, a link —
/// attached to the flow run (and task run) that makes them, and shown with it. Give a key to keep versions of one
/// thing (<c>daily-report</c>): the latest is the one read by key.
/// </summary>
public static class Artifacts
{
    /// <summary>A Markdown artifact.</summary>
    public static Task<Artifact> CreateMarkdownAsync(string markdown, string? key = null, string? description = null, CancellationToken cancellationToken = default) =>
        CreateAsync("markdown", JsonValue.Create(markdown), key, description, cancellationToken);

    /// <summary>A table artifact: one row per item, its properties the columns (stored as Prefect stores tables, as JSON text).</summary>
    public static Task<Artifact> CreateTableAsync<T>(IEnumerable<T> rows, string? key = null, string? description = null, CancellationToken cancellationToken = default) =>
        CreateAsync("table", JsonValue.Create(JsonSerializer.Serialize(rows, ReeveJson.Default)), key, description, cancellationToken);

    /// <summary>A link artifact (<c>[text](link)</c>).</summary>
    public static Task<Artifact> CreateLinkAsync(Uri link, string? linkText = null, string? key = null, string? description = null, CancellationToken cancellationToken = default) =>
        CreateAsync("link", JsonValue.Create(linkText is null ? $"<{link}>" : $"[{linkText}]({link})"), key, description, cancellationToken);

    private static async Task<Artifact> CreateAsync(string type, JsonNode data, string? key, string? description, CancellationToken cancellationToken)
    {
        var client = ReeveRuntime.RequireClient("Artifacts live");
        return await client.CreateArtifactAsync(new ArtifactCreate
        {
            Type = type,
            Key = key,
            Description = description,
            Data = data,
            FlowRunId = FlowRunContext.Current?.FlowRunId,
            TaskRunId = TaskRunContext.Current?.TaskRunId,
        }, cancellationToken);
    }
}
