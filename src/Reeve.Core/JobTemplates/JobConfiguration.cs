using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Reeve.Core.JobTemplates;

/// <summary>
/// Renders a pool's <c>job_configuration</c> for one run: the variables are the pool's schema defaults, then
/// the deployment's <c>job_variables</c>, then the run's (<see cref="JobVariables.Merge"/>). Rendering is data
/// only: a placeholder is looked up by name, its value copied in, and nothing in a value is ever read as a
/// template again — so no variable can run code or reach another variable.
/// <para>
/// A command (a value under a key named <c>command</c> or <c>args</c>) is rendered argument by argument: the template's
/// text is split into arguments first, as a shell would, and each placeholder is then filled within its argument, so a
/// variable's value is one argument, never more, whatever spaces or quotes it holds. The one exception is a command
/// that is a single placeholder (<c>"{{ command }}"</c>): the variable then is the whole command, split if it is text,
/// taken item by item if it is a list. A rendered command is a list of strings.
/// </para>
/// </summary>
public static partial class JobConfiguration
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
                    var childMissing = false;
                    var value = IsCommand(key) && child is JsonValue or JsonArray
                        ? ApplyToCommand(child, variables, out childMissing)
                        : Apply(child, variables, out childMissing);
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

    private static bool IsCommand(string key) => key is "command" or "args";

    /// <summary>A command's template rendered into a list of arguments (see the class's remarks); missing when it is a lone placeholder with no value.</summary>
    private static JsonNode? ApplyToCommand(JsonNode template, JsonObject variables, out bool missing)
    {
        missing = false;
        IReadOnlyList<string> parts;
        if (template is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            var text = value.GetValue<string>();
            var only = Placeholders.Pattern().Match(text);
            if (only.Success && only.Value.Length == text.Trim().Length)
            {
                var whole = Lookup(variables, only.Groups[1].Value);
                missing = whole is null;
                return whole switch
                {
                    null => null,
                    JsonArray list => new JsonArray([.. list.Select(item => (JsonNode?)JsonValue.Create(AsText(item)))]),
                    _ => new JsonArray([.. CommandLine.Split(AsText(whole)).Select(arg => (JsonNode?)JsonValue.Create(arg))]),
                };
            }

            parts = SplitTemplate(text);
        }
        else if (template is JsonArray list)
        {
            parts = [.. list.Select(item => item is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : AsText(item))];
        }
        else
        {
            return template.DeepClone();
        }

        var arguments = new JsonArray();
        foreach (var part in parts)
        {
            // Each argument on its own: a placeholder fills one argument, and one with no value drops its argument.
            if (ApplyToText(part, variables, out var gone) is { } argument && !gone)
            {
                arguments.Add(JsonValue.Create(AsText(argument)));
            }
        }

        return arguments;
    }

    /// <summary>Checks that every command of a job configuration template splits into arguments (no unclosed quote).</summary>
    /// <exception cref="Errors.ReeveValidationException">A command does not; its place is named.</exception>
    public static void CheckCommands(JsonNode? configuration, string field)
    {
        switch (configuration)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj)
                {
                    if (IsCommand(key) && child is JsonValue value && value.GetValueKind() == JsonValueKind.String)
                    {
                        try
                        {
                            _ = SplitTemplate(value.GetValue<string>());
                        }
                        catch (FormatException e)
                        {
                            throw new Errors.ReeveValidationException($"{field}.{key}", e.Message);
                        }
                    }
                    else
                    {
                        CheckCommands(child, $"{field}.{key}");
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    CheckCommands(array[i], $"{field}[{i}]");
                }

                break;
        }
    }

    /// <summary>Splits a command template into arguments, each placeholder (<c>{{ name }}</c>, spaces and all) kept whole within its argument.</summary>
    private static List<string> SplitTemplate(string text)
    {
        var placeholders = new List<string>();
        var masked = Placeholders.Pattern().Replace(text, m =>
        {
            placeholders.Add(m.Value);
            return $"\uE000{placeholders.Count - 1}\uE001";
        });
        return [.. CommandLine.Split(masked).Select(arg => Masks().Replace(arg, m => placeholders[int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)]))];
    }

    [GeneratedRegex("\uE000([0-9]+)\uE001")]
    private static partial Regex Masks();

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
            if (Credentials.CredentialsReferences.IsReference(matches[0].Groups[1].Value))
            {
                // A reference to credentials stays as it is: it is resolved only when the job is submitted.
                return JsonValue.Create(text);
            }

            var found = Lookup(variables, matches[0].Groups[1].Value);
            missing = found is null;
            return found?.DeepClone();
        }

        // Replaced in one pass over the original text: what a value contains is never looked at again.
        return JsonValue.Create(Placeholders.Pattern().Replace(text, (Match m) =>
            Credentials.CredentialsReferences.IsReference(m.Groups[1].Value) ? m.Value : AsText(Lookup(variables, m.Groups[1].Value))));
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

    /// <summary>
    /// Reads a rendered command: its arguments, or null when it has none. A list is taken as it is; text (a configuration
    /// rendered before commands were lists) is split as a shell would.
    /// </summary>
    public static IReadOnlyList<string>? Arguments(JsonObject configuration, string key) => configuration[key] switch
    {
        JsonArray list when list.Count > 0 => [.. list.Select(AsText)],
        JsonValue v when v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() is { Length: > 0 } text => CommandLine.Split(text),
        _ => null,
    };

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
