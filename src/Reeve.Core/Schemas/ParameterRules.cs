using System.Text.Json.Nodes;
using Reeve.Core.Errors;

namespace Reeve.Core.Schemas;

/// <summary>
/// A flow run's parameters against its deployment's parameter schema: every parameter must be one the flow
/// declares (unless the schema allows others), and every value must fit its schema. The error names the
/// parameter (<c>parameters.repo_name</c>) and says why.
/// </summary>
public static class ParameterRules
{
    /// <summary>Checks <paramref name="parameters"/>; required ones are enforced when <paramref name="enforceRequired"/>.</summary>
    public static void Validate(JsonObject schema, JsonObject parameters, bool enforceRequired)
    {
        var properties = schema["properties"] as JsonObject;
        var othersAllowed = schema["additionalProperties"] is not JsonValue v || !v.TryGetValue<bool>(out var allowed) || allowed;
        if (properties is not null && !(othersAllowed && schema["additionalProperties"] is not null))
        {
            var unknown = parameters.Select(p => p.Key).Where(k => !properties.ContainsKey(k)).ToList();
            if (unknown.Count > 0)
            {
                var known = properties.Count == 0 ? "the flow takes no parameters" : $"the flow's parameters are {string.Join(", ", properties.Select(p => p.Key))}";
                throw new ReeveValidationException($"parameters.{unknown[0]}", $"is not a parameter of the flow; {known}");
            }
        }

        SchemaValidation.Validate(schema, parameters, "parameters", ignoreRequired: !enforceRequired);
    }
}
