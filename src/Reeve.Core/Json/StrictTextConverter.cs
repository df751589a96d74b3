using System.Text.Json;
using System.Text.Json.Serialization;

namespace Reeve.Core.Json;

/// <summary>
/// Reads the strings of a request: a NUL character (U+0000) or a lone surrogate is refused with the field (PostgreSQL
/// cannot store the first, and no encoder can write the second). Writes strings as they are.
/// </summary>
public sealed class StrictTextConverter : JsonConverter<string>
{
    /// <inheritdoc />
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String
            ? Check(ReadText(ref reader))
            : throw new JsonException("Input should be a valid string.");

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    /// <inheritdoc />
    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Check(ReadText(ref reader));

    /// <inheritdoc />
    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(value);

    /// <summary>The reader's string, or a <see cref="JsonException"/> when its escapes name a lone surrogate.</summary>
    internal static string ReadText(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new JsonException("The text holds a lone surrogate (an unpaired \\ud800-\\udfff escape), which is not a character.");
        }
    }

    /// <summary>The text, or a <see cref="JsonException"/> when it holds a NUL character.</summary>
    internal static string Check(string text) => text.Contains('\0', StringComparison.Ordinal)
        ? throw new JsonException("The text holds a NUL character (\\u0000), which is not allowed here.")
        : text;
}

/// <summary>
/// Reads free text that must not be lost over one odd character (a log line, a state's message): a NUL character is
/// kept as the six characters <c>\u0000</c>, and a lone surrogate becomes U+FFFD, instead of refusing the request.
/// </summary>
public sealed class FreeTextConverter : JsonConverter<string>
{
    /// <inheritdoc />
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("Input should be a valid string.");
        }

        string text;
        try
        {
            text = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // Read the raw escapes again, with each lone surrogate replaced.
            text = JsonSerializer.Deserialize<string>(LoneSurrogates.Replace(reader.HasValueSequence
                ? System.Text.Encoding.UTF8.GetString(System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence))
                : System.Text.Encoding.UTF8.GetString(reader.ValueSpan)), ReeveJson.Default)!;
        }

        return text.Replace("\0", "\\u0000", StringComparison.Ordinal);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    private static class LoneSurrogates
    {
        private static readonly System.Text.RegularExpressions.Regex Pattern = new(
            @"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}",
            System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

        public static string Replace(string escaped) => $"\"{Pattern.Replace(escaped, "\\ufffd")}\"";
    }
}
