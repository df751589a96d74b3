using System.Text.Json;
using System.Text.Json.Nodes;
using Reeve.Core.Json;

namespace Reeve.Server.Storage;

/// <summary>JSON-valued columns: written and read with the wire conventions.</summary>
internal static class JsonText
{
    public static string Write<T>(T value) => JsonSerializer.Serialize(value, ReeveJson.Default);

    public static string? WriteOrNull<T>(T? value)
        where T : class => value is null ? null : JsonSerializer.Serialize(value, ReeveJson.Default);

    public static T Read<T>(string text)
        where T : new() => JsonSerializer.Deserialize<T>(text, ReeveJson.Default) ?? new T();

    public static T? ReadOrNull<T>(string? text)
        where T : class => string.IsNullOrEmpty(text) ? null : JsonSerializer.Deserialize<T>(text, ReeveJson.Default);

    public static JsonObject Object(string? text) => string.IsNullOrEmpty(text) ? [] : JsonNode.Parse(text) as JsonObject ?? [];

    public static JsonObject? ObjectOrNull(string? text) => string.IsNullOrEmpty(text) ? null : JsonNode.Parse(text) as JsonObject;

    public static JsonArray? ArrayOrNull(string? text) => string.IsNullOrEmpty(text) ? null : JsonNode.Parse(text) as JsonArray;
}
