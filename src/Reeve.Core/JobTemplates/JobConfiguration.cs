using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Reeve.Core.JobTemplates;

/// <summary>
/// Renders a pool's <c>job_configuration</c> for one run: the variables are the pool's schema defaults, then
/// the deployment's <c>job_variables</c>, then the run's (<see cref="JobVariables.Merge"/>). Rendering is data
/// only: a placeholder is looked up by name, its value copied in, and nothing in a value is ever read as a
/// template again — so no variable can run code or reach another variable.
/// </summary>
public static class JobConfiguration
{
    /// <summary>Resolves the variables of a run and renders the job configuration with them.</summary>
    public static JsonObject Render(JsonObject baseJobTemplate, JsonObject? deploymentVariables, JsonObject? runVariables)
    {
        var schema = baseJobTemplate["variables"] as JsonObject ?? [];
        var variables = JobVariables.Merge(JobVariables.Defaults(schema), deploymentVariables, runVariables);
        var configuration = baseJobTemplate["job_configuration"] as JsonObject ?? [];
        return Apply(configuration, variables) as JsonObject ?? [];
    }

    /// <summary>
    /// Fills the placeholders of <paramref name="template"/>. A string that is exactly one placeholder takes the
    /// variable's value with its JSON type, and is dropped (from its object or array) when the variable has no
    /// value; a placeholder inside a longer string is replaced by the value as text, or by nothing.
    /// </summary>
    public static JsonNode? Apply(JsonNode? template, JsonObject variables) => Apply(template, variables, out _);

    private static JsonNode? Apply(JsonNode? template, JsonObject variables, out bool missing)
    {
        missing = false;
        switch (template)
        {
            case JsonObject obj:
                var rendered = new JsonObject();
                foreach (var (key, child) in obj)
                {
                    var value = Apply(child, variables, out var childMissing);
                    if (!childMissing)
                    {
                        rendered[key] = value;
                    }
                }

                return rendered;
            case JsonArray array:
                var items = new JsonArray();
                foreach (var child in array)
                {
                    var value = Apply(child, variables, out var childMissing);
                    if (!childMissing)
                    {
                        items.Add(value);
                    }
                }

                return items;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                return ApplyToText(value.GetValue<string>(), variables, out missing);
            default:
                return template?.DeepClone();
        }
    }

    private static JsonNode? ApplyToText(string text, JsonObject variables, out bool missing)
    {
        missing = false;
        var matches = Placeholders.Pattern().Matches(text);
        if (matches.Count == 0)
        {
            return JsonValue.Create(text);
        }

        if (matches.Count == 1 && matches[0].Value.Length == text.Trim().Length)
        {
            var found = Lookup(variables, matches[0].Groups[1].Value);
            missing = found is null;
            return found?.DeepClone();
        }

        // Replaced in one pass over the original text: what a value contains is never looked at again.
        return JsonValue.Create(Placeholders.Pattern().Replace(text, (Match m) => AsText(Lookup(variables, m.Groups[1].Value))));
    }

    /// <summary>A variable by name; a dotted name (<c>env.FOO</c>) reads into an object variable.</summary>
    private static JsonNode? Lookup(JsonObject variables, string name)
    {
        if (variables.TryGetPropertyValue(name, out var direct))
        {
            return direct;
        }

        JsonNode? current = variables;
        foreach (var part in name.Split('.'))
        {
            if (current is not JsonObject obj || !obj.TryGetPropertyValue(part, out current))
            {
                return null;
            }
        }

        return current;
    }

    private static string AsText(JsonNode? value) => value switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>() ? "true" : "false",
        _ => value.ToJsonString(),
    };

    /// <summary>Reads a rendered string setting, or null.</summary>
    public static string? Text(JsonObject configuration, string key) =>
        configuration[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>Reads a rendered boolean setting; strings such as "true" count too.</summary>
    public static bool? Flag(JsonObject configuration, string key) => configuration[key] switch
    {
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.String && bool.TryParse(v.GetValue<string>(), out var b) => b,
        _ => null,
    };

    /// <summary>Reads a rendered object of string values (such as <c>env</c>); a null value means "unset".</summary>
    public static Dictionary<string, string?> Strings(JsonObject configuration, string key)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (configuration[key] is JsonObject obj)
        {
            foreach (var (name, value) in obj)
            {
                result[name] = value is null ? null : AsText(value);
            }
        }

        return result;
    }
}
