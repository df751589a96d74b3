using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Reeve.Core.Errors;

namespace Reeve.Core.Schemas;

/// <summary>
/// Checks values (a run's parameters, a deployment's job variables) against a JSON Schema and reports the
/// first problem as a <see cref="ReeveValidationException"/> naming the value (<c>parameters.repo_name</c>).
/// </summary>
public static class SchemaValidation
{
    private static readonly EvaluationOptions ListOutput = new() { OutputFormat = OutputFormat.List };

    /// <summary>
    /// Draft 2020-12 with keywords it does not know taken as annotations, as the specification has it (the library's
    /// default refuses them): templates carry their own (<c>x-reeve-overridable</c>; Prefect's <c>block_type_slug</c>).
    /// </summary>
    public static readonly Dialect Dialect = Dialect.Draft202012.With([], Dialect.Draft202012.Id, null, allowUnknownKeywords: true);

    /// <summary>Options that build schemas in <see cref="Dialect"/>, each with a registry of its own.</summary>
    public static BuildOptions NewBuildOptions() => new() { SchemaRegistry = new SchemaRegistry(), Dialect = Dialect };

    /// <summary>Throws unless <paramref name="schema"/> is a valid JSON Schema (draft 2020-12), naming <paramref name="field"/>.</summary>
    public static void RequireValidSchema(JsonObject schema, string field)
    {
        var result = MetaSchemas.Draft202012.Evaluate(JsonSerializer.SerializeToElement(schema), ListOutput);
        if (!result.IsValid)
        {
            var (location, message) = FirstError(result, ignoreRequired: false) ?? ("", "does not conform to JSON Schema draft 2020-12");
            throw new ReeveValidationException(Join(field, location), $"is not a valid JSON Schema: {message}");
        }
    }

    /// <summary>
    /// Throws when <paramref name="value"/> breaks <paramref name="schema"/>; the field named is
    /// <paramref name="field"/> followed by the path inside the value. With <paramref name="ignoreRequired"/>,
    /// missing required properties are not errors (a deployment may leave them to its runs).
    /// </summary>
    public static void Validate(JsonObject schema, JsonObject value, string field, bool ignoreRequired)
    {
        var built = Build(schema, field);

        var result = built.Evaluate(JsonSerializer.SerializeToElement(value), ListOutput);
        if (!result.IsValid && FirstError(result, ignoreRequired) is var (location, message))
        {
            throw new ReeveValidationException(Join(field, location), message);
        }
    }

    /// <summary>
    /// Builds a schema once per distinct text: deployments and pools repeat the same few schemas on every
    /// run they create, and building one costs far more than using it.
    /// </summary>
    private static JsonSchema Build(JsonObject schema, string field)
    {
        var text = schema.ToJsonString();
        if (Cache.TryGetValue(text, out var cached))
        {
            return cached;
        }

        JsonSchema built;
        try
        {
            built = JsonSchema.Build(JsonSerializer.SerializeToElement(schema), NewBuildOptions());
        }
        catch (Exception e) when (e is JsonSchemaException or JsonException or RefResolutionException)
        {
            throw new ReeveValidationException(field, $"cannot be checked: its schema is not usable ({e.Message})");
        }

        if (Cache.Count >= MaxCached)
        {
            Cache.Clear();
        }

        Cache[text] = built;
        return built;
    }

    private const int MaxCached = 512;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, JsonSchema> Cache = new(StringComparer.Ordinal);

    private static (string Location, string Message)? FirstError(EvaluationResults results, bool ignoreRequired)
    {
        foreach (var detail in results.Details ?? [])
        {
            foreach (var (keyword, message) in detail.Errors ?? new Dictionary<string, string>())
            {
                if (ignoreRequired && keyword == "required")
                {
                    continue;
                }

                var location = detail.InstanceLocation.ToString();
                if (keyword == "required" && RequiredName(message) is { } missing)
                {
                    return (location + "/" + missing, "is required");
                }

                return (location, message);
            }
        }

        return null;
    }

    private static string? RequiredName(string message)
    {
        var start = message.IndexOf('"', StringComparison.Ordinal);
        var end = start < 0 ? -1 : message.IndexOf('"', start + 1);
        return end > start ? message[(start + 1)..end] : null;
    }

    private static string Join(string field, string pointer) =>
        pointer.Length == 0
            ? field
            : field + "." + string.Join('.', pointer.TrimStart('/').Split('/').Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)));
}
