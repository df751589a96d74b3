using System.Text.Json;
using System.Text.Json.Nodes;

namespace Reeve.Cli.Commands;

/// <summary>Reads JSON files named on the command line, with one-line errors.</summary>
internal static class JsonFiles
{
    public static JsonObject ReadObject(string path, string what)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"The {what} file '{path}' does not exist.");
        }

        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new CliException($"The {what} file '{path}' must hold a JSON object.");
        }
        catch (JsonException e)
        {
            throw new CliException($"The {what} file '{path}' is not valid JSON: {e.Message.Split(". ", 2)[0]}.");
        }
    }
}
