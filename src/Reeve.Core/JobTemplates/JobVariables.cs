using System.Text.Json.Nodes;
using Reeve.Core.Errors;
using Reeve.Core.Schemas;

namespace Reeve.Core.JobTemplates;

/// <summary>
/// Job variables: the values a run's job configuration is rendered with. They resolve in this order — the
/// pool's schema defaults, then the deployment's <c>job_variables</c>, then the run's — and <c>env</c> is
/// merged key by key at every level, never replaced wholesale. A dotted key (<c>env.FOO</c>) sets one key
/// inside an object variable.
/// </summary>
public static class JobVariables
{
    /// <summary>
    /// The keyword a pool's variable carries (<c>"x-reeve-overridable": false</c>) when only the platform team may set
    /// it: deployments and runs made with a key below platform get the pool's value.
    /// </summary>
    public const string OverridableKeyword = "x-reeve-overridable";

    /// <summary>
    /// Refuses what only the platform team may do to <paramref name="layer"/> (a deployment's or a run's variables):
    /// setting a variable the pool locks (<see cref="OverridableKeyword"/>), unless to the value
    /// <paramref name="previous"/> (the same layer as stored) already had, and removing an <c>env</c> entry the pool
    /// sets (a null value).
    /// </summary>
    public static void CheckLocks(JsonObject variablesSchema, JsonObject? layer, JsonObject? previous = null)
    {
        var properties = variablesSchema["properties"] as JsonObject ?? [];
        var poolEnv = Defaults(variablesSchema)["env"] as JsonObject;
        foreach (var (key, value) in layer ?? [])
        {
            var root = key.Split('.', 2)[0];
            if (properties[root] is JsonObject property && property[OverridableKeyword] is JsonValue flag
                && flag.TryGetValue<bool>(out var overridable) && !overridable
                && !(previous is not null && previous.TryGetPropertyValue(key, out var stored) && JsonNode.DeepEquals(stored, value)))
            {
                throw new Errors.ReeveForbiddenException(
                    $"job_variables.{key}: the work pool locks this variable ({OverridableKeyword}: false); only a platform or admin key may set it.");
            }

            if (root == "env" && poolEnv is not null)
            {
                var entries = key == "env" ? value as JsonObject ?? [] : new JsonObject { [key[4..]] = value?.DeepClone() };
                foreach (var (name, entry) in entries)
                {
                    if (entry is null && poolEnv.ContainsKey(name))
                    {
                        throw new Errors.ReeveForbiddenException(
                            $"job_variables.env.{name}: the work pool sets this environment variable; only a platform or admin key may remove it.");
                    }
                }
            }
        }
    }

    /// <summary>The defaults declared by a pool's <c>variables</c> schema.</summary>
    public static JsonObject Defaults(JsonObject variablesSchema)
    {
        var defaults = new JsonObject();
        if (variablesSchema["properties"] is JsonObject properties)
        {
            foreach (var (name, property) in properties)
            {
                if (property is JsonObject p && p.TryGetPropertyValue("default", out var value) && value is not null)
                {
                    defaults[name] = value.DeepClone();
                }
            }
        }

        return defaults;
    }

    /// <summary>Turns dotted keys into nested objects: <c>{"env.FOO": "1"}</c> becomes <c>{"env": {"FOO": "1"}}</c>.</summary>
    public static JsonObject Expand(JsonObject variables) => Merge(variables);

    /// <summary>
    /// Lays each layer over the previous ones: a plain key replaces the value below it, except <c>env</c>,
    /// which merges key by key; a dotted key (<c>env.FOO</c>, <c>labels.team</c>) sets one key inside the object below.
    /// </summary>
    public static JsonObject Merge(params JsonObject?[] layers)
    {
        var merged = new JsonObject();
        foreach (var layer in layers)
        {
            foreach (var (key, value) in layer ?? [])
            {
                var dot = key.IndexOf('.', StringComparison.Ordinal);
                if (dot > 0 && dot < key.Length - 1)
                {
                    var root = key[..dot];
                    if (merged[root] is not JsonObject target)
                    {
                        target = [];
                        merged[root] = target;
                    }

                    target[key[(dot + 1)..]] = value?.DeepClone();
                }
                else if (key == "env" && merged["env"] is JsonObject env && value is JsonObject incoming)
                {
                    foreach (var (name, item) in incoming)
                    {
                        env[name] = item?.DeepClone();
                    }
                }
                else
                {
                    merged[key] = value?.DeepClone();
                }
            }
        }

        return merged;
    }

    /// <summary>
    /// Checks job variables against a pool's <c>variables</c> schema: every variable must be declared (its
    /// root, for dotted keys), and the merged result of the pool's defaults and <paramref name="layers"/> must
    /// conform, with required variables enforced only when <paramref name="enforceRequired"/>.
    /// </summary>
    public static void Validate(JsonObject variablesSchema, bool enforceRequired, params JsonObject?[] layers)
    {
        var properties = variablesSchema["properties"] as JsonObject ?? [];
        var allowsOthers = variablesSchema["additionalProperties"] is not JsonValue v || !v.TryGetValue<bool>(out var allowed) || allowed;
        foreach (var layer in layers)
        {
            foreach (var (key, _) in layer ?? [])
            {
                var root = key.Split('.', 2)[0];
                if (!properties.ContainsKey(root) && !(allowsOthers && properties.Count == 0))
                {
                    throw new ReeveValidationException($"job_variables.{key}",
                        $"is not a variable of the work pool; its variables are: {string.Join(", ", properties.Select(p => p.Key))}");
                }
            }
        }

        var merged = Merge([Defaults(variablesSchema), .. layers]);
        SchemaValidation.Validate(WithoutReferencedSchemas(variablesSchema, merged), merged, "job_variables", ignoreRequired: !enforceRequired);
    }

    /// <summary>The schema, with any schema for the variables that hold a credentials reference (checked once resolved) relaxed to "anything".</summary>
    private static JsonObject WithoutReferencedSchemas(JsonObject variablesSchema, JsonObject merged)
    {
        var referenced = merged.Where(v => Credentials.CredentialsReferences.IsWholeReference(v.Value)).Select(v => v.Key).ToList();
        if (referenced.Count == 0 || variablesSchema["properties"] is not JsonObject)
        {
            return variablesSchema;
        }

        var relaxed = (JsonObject)variablesSchema.DeepClone();
        var properties = relaxed["properties"]!.AsObject();
        foreach (var name in referenced.Where(properties.ContainsKey))
        {
            properties[name] = true;
        }

        return relaxed;
    }
}
