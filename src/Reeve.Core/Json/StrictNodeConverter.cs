using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Reeve.Core.Json;

/// <summary>
/// Reads the free-form JSON of a request (parameters, job variables, templates, labels) into nodes, refusing what
/// the built-in reader lets through and fails on later: a key given twice in one object (which one would win?), a
/// NUL character, and a lone surrogate, each named with where it is. Writes nodes as they are.
/// </summary>
public sealed class StrictNodeConverterFactory : JsonConverterFactory
{
    /// <inheritdoc />
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert == typeof(JsonNode) || typeToConvert == typeof(JsonObject) || typeToConvert == typeof(JsonArray);

    /// <inheritdoc />
    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        typeToConvert == typeof(JsonObject) ? new Converter<JsonObject>()
        : typeToConvert == typeof(JsonArray) ? new Converter<JsonArray>()
        : new Converter<JsonNode>();

    private sealed class Converter<T> : JsonConverter<T>
        where T : JsonNode
    {
        public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var node = ReadNode(ref reader, "$");
            return node as T ?? throw new JsonException(typeof(T) == typeof(JsonObject) ? "Input should be a valid object." : "Input should be a valid list.");
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => value.WriteTo(writer, options);
    }

    private static JsonNode? ReadNode(ref Utf8JsonReader reader, string at)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var obj = new JsonObject();
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var key = Text(ref reader, at);
                    var inner = $"{at}.{key}";
                    if (obj.ContainsKey(key))
                    {
                        throw new JsonException($"The key \"{Shorten(key)}\" is given twice in one object (at {Shorten(at)}); give each key once.");
                    }

                    reader.Read();
                    obj[key] = ReadNode(ref reader, inner);
                }

                return obj;
            case JsonTokenType.StartArray:
                var array = new JsonArray();
                for (var i = 0; reader.Read() && reader.TokenType != JsonTokenType.EndArray; i++)
                {
                    array.Add(ReadNode(ref reader, $"{at}[{i}]"));
                }

                return array;
            case JsonTokenType.String:
                return JsonValue.Create(Text(ref reader, at));
            case JsonTokenType.Number:
                using (var number = JsonDocument.ParseValue(ref reader))
                {
                    return JsonValue.Create(number.RootElement.Clone());
                }

            case JsonTokenType.True:
                return JsonValue.Create(true);
            case JsonTokenType.False:
                return JsonValue.Create(false);
            case JsonTokenType.Null:
                return null;
            default:
                throw new JsonException($"Unexpected JSON token {reader.TokenType}.");
        }
    }

    private static string Text(ref Utf8JsonReader reader, string at)
    {
        try
        {
            return StrictTextConverter.Check(StrictTextConverter.ReadText(ref reader));
        }
        catch (JsonException e)
        {
            throw new JsonException(at == "$" ? e.Message : $"{e.Message.TrimEnd('.')} (at {Shorten(at)}).");
        }
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
