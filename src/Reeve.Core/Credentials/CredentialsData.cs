using System.Text.Json;
using System.Text.Json.Nodes;
using Reeve.Core.Errors;

namespace Reeve.Core.Credentials;

/// <summary>
/// The rules of credentials' fields, in one place: what a type accepts, how the fields split into the part stored
/// as it is and the part stored encrypted, and how answers mask the secrets.
/// </summary>
public static class CredentialsData
{
    /// <summary>What an answer shows in place of a secret (Prefect's obfuscated value).</summary>
    public const string Masked = "********";

    /// <summary>The most characters credentials' fields may hold, written out as JSON.</summary>
    public const int MaxDataLength = 256 * 1024;

    /// <summary>
    /// Checks <paramref name="data"/> against <paramref name="type"/>: the fields to store (nulls left out) and the
    /// names of the secret ones among them. Unknown fields, fields of the wrong kind, empty secrets and missing
    /// required fields are refused, naming the field (<c>data.password</c>).
    /// </summary>
    public static (JsonObject Fields, IReadOnlyList<string> SecretNames) Check(CredentialsType type, JsonObject data)
    {
        var fields = new JsonObject();
        var secretNames = new List<string>();
        foreach (var (name, value) in data)
        {
            var field = type.Field(name) ?? throw new ReeveValidationException($"data.{name}",
                $"'{type.Slug}' credentials have no field '{name}'; their fields: {string.Join(", ", type.Fields.Select(f => f.Name))}.");
            if (value is null)
            {
                continue;
            }

            Check(field, value, $"data.{name}");
            fields[name] = value.DeepClone();
            if (field.IsSecret)
            {
                secretNames.Add(name);
            }
        }

        foreach (var field in type.Fields.Where(f => f.Required))
        {
            if (!fields.ContainsKey(field.Name))
            {
                throw new ReeveValidationException($"data.{field.Name}", $"'{type.Slug}' credentials need '{field.Name}' ({field.Description})");
            }
        }

        return (fields, secretNames);
    }

    /// <summary>
    /// The fields after an update: <paramref name="changes"/> over the stored fields, a secret sent back as
    /// <see cref="Masked"/> keeping its stored value, a field set to null removed.
    /// </summary>
    public static JsonObject Merge(JsonObject stored, JsonObject changes)
    {
        var merged = (JsonObject)stored.DeepClone();
        foreach (var (name, value) in changes)
        {
            if (value is null)
            {
                merged.Remove(name);
            }
            else if (value is JsonValue text && text.GetValueKind() == JsonValueKind.String && text.GetValue<string>() == Masked && stored.ContainsKey(name))
            {
                // The masked value an answer showed: the stored secret stays.
            }
            else
            {
                merged[name] = value.DeepClone();
            }
        }

        return merged;
    }

    /// <summary>The fields as answers show them: the plain ones as they are, each secret one <see cref="Masked"/>.</summary>
    public static JsonObject Mask(CredentialsType? type, JsonObject plain, IEnumerable<string> secretNames)
    {
        var shown = new JsonObject();
        var secrets = secretNames.ToHashSet();
        var order = type?.Fields.Select(f => f.Name) ?? [];
        foreach (var name in order.Concat(plain.Select(p => p.Key)).Concat(secrets).Distinct())
        {
            if (secrets.Contains(name))
            {
                shown[name] = Masked;
            }
            else if (plain.TryGetPropertyValue(name, out var value))
            {
                shown[name] = value?.DeepClone();
            }
        }

        return shown;
    }

    private static void Check(CredentialsField field, JsonNode value, string place)
    {
        switch (field.Kind)
        {
            case CredentialsFieldKind.Text or CredentialsFieldKind.SecretText:
                if (value is not JsonValue text || text.GetValueKind() != JsonValueKind.String)
                {
                    throw new ReeveValidationException(place, "must be a string");
                }

                var s = text.GetValue<string>();
                if (field.IsSecret && s.Length == 0)
                {
                    throw new ReeveValidationException(place, "must not be empty");
                }

                if (field.IsSecret && s == Masked)
                {
                    throw new ReeveValidationException(place, $"is the masked value '{Masked}', not a secret");
                }

                break;
            case CredentialsFieldKind.SecretObject:
                if (value is not JsonObject)
                {
                    throw new ReeveValidationException(place, "must be a JSON object");
                }

                break;
            case CredentialsFieldKind.Flag:
                if (value.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
                {
                    throw new ReeveValidationException(place, "must be true or false");
                }

                break;
        }
    }
}
