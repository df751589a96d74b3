using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Reeve.Core.Json;

/// <summary>
/// A filter Prefect's client always sends, <c>null</c> unless its user filters by it (<c>"task_runs": null</c> in every
/// <c>read_flow_runs</c>), and that Reeve does not apply yet: null is taken, anything else is a 422 that says so, never
/// silently ignored.
/// </summary>
internal sealed class NotFilteredYetConverter : JsonConverter<JsonObject?>
{
    /// <inheritdoc />
    public override bool HandleNull => true;

    /// <inheritdoc />
    public override JsonObject? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null
            ? null
            : throw new JsonException("Reeve does not filter by this yet: leave it out or send null.");

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, JsonObject? value, JsonSerializerOptions options) => writer.WriteNullValue();
}
