using System.Text.Json.Nodes;

namespace Reeve.Workers.Ecs;

/// <summary>
/// Whether a task definition Reeve would register is the same as one ECS holds, as Prefect's ECS worker compares them:
/// the defaults ECS fills in set on both (network mode <c>bridge</c>, containers essential), lists ECS keeps unordered
/// sorted, empty values and the fields registration adds dropped.
/// </summary>
internal static class EcsTaskDefinitions
{
    private static readonly string[] Registered =
        ["compatibilities", "taskDefinitionArn", "revision", "status", "requiresAttributes", "registeredAt", "registeredBy", "deregisteredAt"];

    public static bool Same(JsonObject wanted, JsonObject held) => JsonNode.DeepEquals(Normal(wanted), Normal(held));

    private static JsonObject Normal(JsonObject definition)
    {
        var copy = (JsonObject)definition.DeepClone();
        foreach (var field in Registered)
        {
            copy.Remove(field);
        }

        copy["networkMode"] ??= "bridge";
        foreach (var container in (copy["containerDefinitions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            container["essential"] ??= true;
            foreach (var (list, key) in new[] { ("environment", "name"), ("secrets", "name"), ("environmentFiles", "value") })
            {
                if (container[list] is JsonArray items)
                {
                    container[list] = new JsonArray([.. items.OrderBy(i => i?[key]?.ToString(), StringComparer.Ordinal).Select(i => i?.DeepClone())]);
                }
            }
        }

        EcsJob.DropEmpty(copy);
        return copy;
    }
}
