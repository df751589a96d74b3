using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Reeve.Core.JobTemplates;

/// <summary>Finds the <c>{{ name }}</c> placeholders of a job configuration.</summary>
public static partial class Placeholders
{
    /// <summary>Matches one placeholder and captures its name.</summary>
    [GeneratedRegex(@"\{\{\s*([\w\.\-\[\]$]+)\s*\}\}", RegexOptions.CultureInvariant)]
    public static partial Regex Pattern();

    /// <summary>The distinct placeholder names in every string of <paramref name="node"/>, keys excluded, in order of appearance.</summary>
    public static IReadOnlyList<string> FindIn(JsonNode? node)
    {
        var found = new List<string>();
        Collect(node, found);
        return found;
    }

    private static void Collect(JsonNode? node, List<string> found)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj)
                {
                    Collect(child, found);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Collect(child, found);
                }

                break;
            case JsonValue value when value.TryGetValue<string>(out var text):
                foreach (Match match in Pattern().Matches(text))
                {
                    var name = match.Groups[1].Value;
                    if (!found.Contains(name))
                    {
                        found.Add(name);
                    }
                }

                break;
        }
    }
}
