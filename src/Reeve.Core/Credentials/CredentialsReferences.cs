using System.Text.Json;
using System.Text.Json.Nodes;
using Reeve.Core.Errors;
using Reeve.Core.JobTemplates;

namespace Reeve.Core.Credentials;

/// <summary>A reference to stored credentials in a job configuration: by id, or by type and name.</summary>
/// <param name="Id">The id of <c>{"$ref": {"block_document_id": ID}}</c>; null for a reference by name.</param>
/// <param name="Type">The type of <c>{{ prefect.blocks.TYPE.NAME }}</c>; null for a reference by id.</param>
/// <param name="Name">The name of <c>{{ prefect.blocks.TYPE.NAME }}</c>; null for a reference by id.</param>
public sealed record CredentialsReference(Guid? Id, string? Type, string? Name)
{
    /// <summary>The reference as a template writes it.</summary>
    public override string ToString() => Id is { } id
        ? $"{{\"$ref\": {{\"block_document_id\": \"{id}\"}}}}"
        : $"{{{{ {CredentialsReferences.NamePrefix}{Type}.{Name} }}}}";
}

/// <summary>
/// Finds and replaces credentials references in a rendered job configuration, as Prefect's workers do: an object
/// <c>{"$ref": {"block_document_id": ID}}</c> becomes the credentials' fields (an object); a string that is exactly
/// <c>{{ prefect.blocks.TYPE.NAME }}</c> becomes the credentials' <c>value</c> field when they have one (a
/// <c>secret</c>), otherwise their fields. Such a placeholder inside a longer string is refused, as Prefect refuses it.
/// </summary>
public static class CredentialsReferences
{
    /// <summary>The placeholder prefix of a reference by name (Prefect's).</summary>
    public const string NamePrefix = "prefect.blocks.";

    /// <summary>The most distinct references one configuration may hold.</summary>
    public const int MaxReferences = 100;

    /// <summary>Whether a placeholder name is a reference to credentials (left alone when variables are applied).</summary>
    public static bool IsReference(string placeholderName) => placeholderName.StartsWith(NamePrefix, StringComparison.Ordinal);

    /// <summary>The distinct references in <paramref name="configuration"/>.</summary>
    /// <exception cref="ReeveValidationException">A reference is malformed, or there are too many; its place is named.</exception>
    public static IReadOnlyList<CredentialsReference> Find(JsonNode? configuration, string field = "configuration")
    {
        var found = new List<CredentialsReference>();
        Walk(configuration, field, found);
        return found;
    }

    /// <summary>A copy of <paramref name="configuration"/> with every reference replaced by what <paramref name="resolve"/> gives.</summary>
    public static JsonNode? Replace(JsonNode? configuration, Func<CredentialsReference, JsonObject> resolve, string field = "configuration")
    {
        switch (configuration)
        {
            case JsonObject obj when ById(obj, field) is { } reference:
                return resolve(reference).DeepClone();
            case JsonObject obj:
                var copy = new JsonObject();
                foreach (var (key, child) in obj)
                {
                    copy[key] = Replace(child, resolve, $"{field}.{key}");
                }

                return copy;
            case JsonArray array:
                var items = new JsonArray();
                for (var i = 0; i < array.Count; i++)
                {
                    items.Add(Replace(array[i], resolve, $"{field}[{i}]"));
                }

                return items;
            case JsonValue value when ByName(value, field) is { } reference:
                var data = resolve(reference);
                return (data.TryGetPropertyValue("value", out var single) ? single : data)?.DeepClone();
            default:
                return configuration?.DeepClone();
        }
    }

    private static void Walk(JsonNode? node, string field, List<CredentialsReference> found)
    {
        CredentialsReference? reference = null;
        switch (node)
        {
            case JsonObject obj:
                reference = ById(obj, field);
                if (reference is null)
                {
                    foreach (var (key, child) in obj)
                    {
                        Walk(child, $"{field}.{key}", found);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    Walk(array[i], $"{field}[{i}]", found);
                }

                break;
            case JsonValue value:
                reference = ByName(value, field);
                break;
        }

        if (reference is not null && !found.Contains(reference))
        {
            if (found.Count == MaxReferences)
            {
                throw new ReeveValidationException(field, $"a job configuration may refer to at most {MaxReferences} credentials");
            }

            found.Add(reference);
        }
    }

    /// <summary>
    /// Whether <paramref name="value"/> is, as a whole, a reference to credentials (<c>{"$ref": {...}}</c> or a string
    /// that is exactly <c>{{ prefect.blocks.TYPE.NAME }}</c>): a variable holding one is checked against its schema
    /// only once resolved, when a run is submitted, as Prefect's server does.
    /// </summary>
    public static bool IsWholeReference(JsonNode? value)
    {
        try
        {
            return value switch
            {
                JsonObject obj when obj.Count == 1 => ById(obj, "value") is not null,
                JsonValue text => ByName(text, "value") is not null,
                _ => false,
            };
        }
        catch (ReeveValidationException)
        {
            return false;
        }
    }

    private static CredentialsReference? ById(JsonObject obj, string field)
    {
        if (!obj.TryGetPropertyValue("$ref", out var target))
        {
            return null;
        }

        if (target is JsonObject reference && reference.TryGetPropertyValue("block_document_id", out var id)
            && id is JsonValue text && text.GetValueKind() == JsonValueKind.String && Guid.TryParse(text.GetValue<string>(), out var guid))
        {
            return new CredentialsReference(guid, null, null);
        }

        throw new ReeveValidationException($"{field}.$ref", "must be {\"block_document_id\": \"<credentials id>\"}");
    }

    private static CredentialsReference? ByName(JsonValue value, string field)
    {
        if (value.GetValueKind() != JsonValueKind.String)
        {
            return null;
        }

        var text = value.GetValue<string>();
        var matches = Placeholders.Pattern().Matches(text);
        CredentialsReference? reference = null;
        foreach (System.Text.RegularExpressions.Match match in matches)
        {
            var name = match.Groups[1].Value;
            if (!IsReference(name))
            {
                continue;
            }

            var rest = name[NamePrefix.Length..];
            var dot = rest.IndexOf('.');
            if (matches.Count != 1 || match.Value.Length != text.Trim().Length || dot <= 0 || dot == rest.Length - 1)
            {
                throw new ReeveValidationException(field,
                    $"'{{{{ {name} }}}}' must be the whole value and name a type and a name ({{{{ {NamePrefix}TYPE.NAME }}}})");
            }

            reference = new CredentialsReference(null, rest[..dot], rest[(dot + 1)..]);
        }

        return reference;
    }
}
