using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Reeve.Core.Errors;

namespace Reeve.Core.JobTemplates;

/// <summary>
/// What makes a base job template valid: an object with <c>job_configuration</c> and <c>variables</c>;
/// <c>variables</c> a valid JSON Schema (draft 2020-12) of an object whose property defaults obey
/// their own schemas; and every <c>{{ placeholder }}</c> in <c>job_configuration</c> declared in
/// <c>variables.properties</c>.
/// </summary>
public static class BaseJobTemplateRules
{
    /// <summary>Whether a template is the empty object, which stands for "the pool type's default".</summary>
    public static bool IsEmpty(JsonObject? template) => template is null || template.Count == 0;

    /// <summary>Checks a template; throws a <see cref="ReeveValidationException"/> naming the part at fault.</summary>
    /// <param name="template">The template.</param>
    /// <param name="field">The template's name on the wire, used as the prefix of error fields.</param>
    public static void Validate(JsonObject template, string field = "base_job_template")
    {
        if (template["job_configuration"] is not JsonObject jobConfiguration || template["variables"] is not JsonObject variables)
        {
            throw new ReeveValidationException(field,
                "The `base_job_template` must contain both a `job_configuration` key and a `variables` key, each an object.");
        }

        var variablesField = $"{field}.variables";
        var schemaElement = JsonSerializer.SerializeToElement(variables);
        var metaResult = MetaSchemas.Draft202012.Evaluate(schemaElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (!metaResult.IsValid)
        {
            var (location, message) = FirstError(metaResult);
            throw new ReeveValidationException(JoinField(variablesField, location), $"is not a valid JSON Schema: {message}");
        }

        if (variables["type"] is JsonValue type && type.TryGetValue<string>(out var typeName) && typeName != "object")
        {
            throw new ReeveValidationException($"{variablesField}.type", $"must be \"object\" (got \"{typeName}\")");
        }

        var properties = variables["properties"] as JsonObject ?? [];
        var undeclared = Placeholders.FindIn(jobConfiguration).Where(name => !properties.ContainsKey(name)).ToList();
        if (undeclared.Count > 0)
        {
            throw new ReeveValidationException($"{field}.job_configuration",
                "The variables specified in the job configuration template must be present as properties in the variables schema. " +
                $"Your job configuration uses the following undeclared variable(s): {string.Join(", ", undeclared)}.");
        }

        JobConfiguration.CheckCommands(jobConfiguration, $"{field}.job_configuration");
        ValidateDefaults(schemaElement, properties, variablesField);
    }

    /// <summary>Each property's <c>default</c> must obey the schema; required properties without defaults are fine.</summary>
    private static void ValidateDefaults(JsonElement schemaElement, JsonObject properties, string variablesField)
    {
        var defaults = new JsonObject();
        foreach (var (name, property) in properties)
        {
            if (property is JsonObject p && p.TryGetPropertyValue("default", out var value)
                && !Credentials.CredentialsReferences.IsWholeReference(value))
            {
                defaults[name] = value?.DeepClone();
            }
        }

        if (defaults.Count == 0)
        {
            return;
        }

        JsonSchema schema;
        try
        {
            schema = JsonSchema.Build(schemaElement, Schemas.SchemaValidation.NewBuildOptions());
        }
        catch (Exception e) when (e is JsonSchemaException or JsonException or RefResolutionException)
        {
            throw new ReeveValidationException(variablesField, $"is not a usable JSON Schema: {e.Message}");
        }

        var result = schema.Evaluate(JsonSerializer.SerializeToElement(defaults), new EvaluationOptions { OutputFormat = OutputFormat.List });
        foreach (var detail in result.Details ?? [])
        {
            foreach (var (keyword, message) in detail.Errors ?? new Dictionary<string, string>())
            {
                var location = detail.InstanceLocation.ToString();
                if (keyword == "required" && location.Length == 0)
                {
                    continue;
                }

                var property = location.TrimStart('/').Split('/')[0];
                throw new ReeveValidationException($"{variablesField}.properties.{property}.default",
                    $"Validation failed for work pool's job variable defaults: {message}");
            }
        }
    }

    private static (string Location, string Message) FirstError(EvaluationResults results)
    {
        foreach (var detail in results.Details ?? [])
        {
            foreach (var (_, message) in detail.Errors ?? new Dictionary<string, string>())
            {
                return (detail.InstanceLocation.ToString(), message);
            }
        }

        return ("", "the schema does not conform to JSON Schema draft 2020-12");
    }

    private static string JoinField(string prefix, string pointer) =>
        pointer.Length == 0 ? prefix : prefix + "." + string.Join('.', pointer.TrimStart('/').Split('/').Select(s => s.Replace("~1", "/").Replace("~0", "~")));
}
