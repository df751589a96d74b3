using System.Text.Json;
using System.Text.Json.Nodes;

namespace Reeve.Cli.Commands;

/// <summary>Reads <c>--param key=value</c> and <c>--params JSON</c>: a value that is valid JSON is taken as JSON, otherwise as a string.</summary>
internal static class Parameters
{
    public static JsonObject Read(string[]? pairs, string? json, string option)
    {
        var result = new JsonObject();
        if (json is not null)
        {
            try
            {
                result = JsonNode.Parse(json == "-" ? Console.In.ReadToEnd() : json) as JsonObject
                    ?? throw new CliException($"{option}s: must be a JSON object.");
            }
            catch (JsonException e)
            {
                throw new CliException($"{option}s: not valid JSON: {e.Message.Split(". ", 2)[0]}.");
            }
        }

        foreach (var pair in pairs ?? [])
        {
            var at = pair.IndexOf('=', StringComparison.Ordinal);
            if (at <= 0)
            {
                throw new CliException($"{option}: '{pair}' is not key=value.");
            }

            result[pair[..at].Trim()] = Value(pair[(at + 1)..]);
        }

        return result;
    }

    private static JsonNode? Value(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }
}
