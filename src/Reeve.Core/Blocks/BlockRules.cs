using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Reeve.Core.Credentials;
using Reeve.Core.Errors;

namespace Reeve.Core.Blocks;

/// <summary>
/// The rules of blocks, in one place: names and slugs as Prefect's server checks them, the schema checksum as Prefect
/// computes it, and which fields of a document are secret (its schema's <c>secret_fields</c>).
/// </summary>
public static partial class BlockRules
{
    /// <summary>Prefect's schema version when none is given.</summary>
    public const string DefaultSchemaVersion = "non-versioned";

    /// <summary>The most characters of a block type's texts (description, code example, addresses).</summary>
    public const int MaxTextLength = 64 * 1024;

    /// <summary>The most characters of a schema's fields, written out as JSON.</summary>
    public const int MaxFieldsLength = 256 * 1024;

    /// <summary>The most capabilities a schema may list.</summary>
    public const int MaxCapabilities = 50;

    /// <summary>The most secret field paths a schema may name.</summary>
    public const int MaxSecretFields = 100;

    /// <summary>How deep documents may refer to documents.</summary>
    public const int MaxReferenceDepth = 8;

    /// <summary>The most characters of a name, a slug or a version.</summary>
    public const int MaxNameLength = 255;

    [GeneratedRegex("^[a-z0-9-]*$")]
    private static partial Regex SlugPattern();

    /// <summary>Checks a block type's name and slug as Prefect's <c>BlockTypeCreate</c> does.</summary>
    public static void ValidateType(string name, string slug)
    {
        if (name.Length == 0 || name.Length > MaxNameLength)
        {
            throw new ReeveValidationException("name", $"must be 1 to {MaxNameLength} characters long");
        }

        if (name.IndexOfAny(['/', '%', '&', '>', '<']) >= 0 || name.Any(char.IsControl))
        {
            throw new ReeveValidationException("name", $"Name '{name}' contains an invalid character. Must not contain any of: ['/', '%', '&', '>', '<'].");
        }

        if (slug.Length == 0 || slug.Length > MaxNameLength || !SlugPattern().IsMatch(slug))
        {
            throw new ReeveValidationException("slug", "Block type slug must only contain lowercase letters, numbers, and dashes.");
        }
    }

    /// <summary>Checks a document's name as Prefect's <c>BlockDocumentCreate</c> does; an anonymous one may have none.</summary>
    public static void ValidateDocumentName(string? name, bool anonymous)
    {
        if (string.IsNullOrEmpty(name))
        {
            if (!anonymous)
            {
                throw new ReeveValidationException("name", "Names must be provided for block documents.");
            }

            return;
        }

        if (name.Length > MaxNameLength || !SlugPattern().IsMatch(name))
        {
            throw new ReeveValidationException("name", "Block document name must only contain lowercase letters, numbers, and dashes.");
        }
    }

    /// <summary>Checks a schema's version and capabilities.</summary>
    public static void ValidateSchema(BlockSchemaCreate schema)
    {
        if (schema.Version.Length == 0 || schema.Version.Length > MaxNameLength || schema.Version.Any(char.IsControl))
        {
            throw new ReeveValidationException("version", $"must be 1 to {MaxNameLength} characters, none of them control characters");
        }

        for (var i = 0; i < schema.Capabilities.Count; i++)
        {
            if (schema.Capabilities[i] is not { Length: > 0 and <= MaxNameLength } capability || capability.Any(char.IsControl))
            {
                throw new ReeveValidationException($"capabilities[{i}]", $"must be 1 to {MaxNameLength} characters, none of them control characters");
            }
        }

        SecretFields(schema.Fields);
    }

    /// <summary>
    /// The schema's <c>secret_fields</c>: dotted paths to the fields answers mask (<c>password</c>,
    /// <c>credentials.token</c>, <c>headers.*</c>).
    /// </summary>
    /// <exception cref="ReeveValidationException"><c>secret_fields</c> is not a list of paths.</exception>
    public static IReadOnlyList<string> SecretFields(JsonObject fields)
    {
        if (!fields.TryGetPropertyValue("secret_fields", out var node) || node is null)
        {
            return [];
        }

        if (node is not JsonArray list || list.Count > MaxSecretFields)
        {
            throw new ReeveValidationException("fields.secret_fields", $"must be a list of at most {MaxSecretFields} dotted field paths");
        }

        var paths = new List<string>(list.Count);
        foreach (var item in list)
        {
            if (item is not JsonValue value || value.GetValueKind() != JsonValueKind.String || value.GetValue<string>() is not { Length: > 0 and <= MaxNameLength } path)
            {
                throw new ReeveValidationException("fields.secret_fields", "must hold dotted field paths (strings)");
            }

            paths.Add(path);
        }

        return paths;
    }

    /// <summary>
    /// The checksum Prefect's client and server give a schema (<c>Block._calculate_schema_checksum</c>): <c>sha256:</c>
    /// and the SHA-256 of Python's <c>json.dumps([[fields], {}], sort_keys=True)</c>, without <c>secret_fields</c>
    /// at any depth and without definitions that are blocks of their own or are not referred to.
    /// </summary>
    public static string Checksum(JsonObject fields)
    {
        var hashed = (JsonObject)WithoutSecretFields(fields)!;
        PruneDefinitions(hashed);
        var text = new StringBuilder("[[");
        WritePython(text, hashed, 0);
        text.Append("], {}]");
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static JsonNode? WithoutSecretFields(JsonNode? node)
    {
        if (node is not JsonObject obj)
        {
            return node?.DeepClone();
        }

        var copy = new JsonObject();
        foreach (var (key, value) in obj)
        {
            if (key != "secret_fields")
            {
                copy[key] = WithoutSecretFields(value);
            }
        }

        return copy;
    }

    /// <summary>Keeps the definitions the schema refers to (through each other too) that are not blocks; drops the key when none remain.</summary>
    private static void PruneDefinitions(JsonObject fields)
    {
        if (fields["definitions"] is not JsonObject definitions || definitions.Count == 0)
        {
            return;
        }

        var referred = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<JsonNode?>();
        foreach (var (key, value) in fields)
        {
            if (key != "definitions")
            {
                pending.Push(value);
            }
        }

        var steps = 0;
        while (pending.Count > 0 && steps++ < 100_000)
        {
            switch (pending.Pop())
            {
                case JsonObject obj:
                    foreach (var (key, value) in obj)
                    {
                        if (key == "$ref" && value is JsonValue v && v.GetValueKind() == JsonValueKind.String
                            && v.GetValue<string>() is { } target && target.StartsWith("#/definitions/", StringComparison.Ordinal)
                            && referred.Add(target["#/definitions/".Length..]) && definitions[target["#/definitions/".Length..]] is { } definition)
                        {
                            pending.Push(definition);
                        }
                        else
                        {
                            pending.Push(value);
                        }
                    }

                    break;
                case JsonArray array:
                    foreach (var item in array)
                    {
                        pending.Push(item);
                    }

                    break;
            }
        }

        var kept = new JsonObject();
        foreach (var (name, definition) in definitions)
        {
            if (referred.Contains(name) && !(definition is JsonObject d && d.ContainsKey("block_type_slug")))
            {
                kept[name] = definition?.DeepClone();
            }
        }

        if (kept.Count == 0)
        {
            fields.Remove("definitions");
        }
        else
        {
            fields["definitions"] = kept;
        }
    }

    /// <summary>Writes <paramref name="node"/> as Python's <c>json.dumps(..., sort_keys=True)</c> does.</summary>
    private static void WritePython(StringBuilder text, JsonNode? node, int depth)
    {
        if (depth > 64)
        {
            throw new ReeveValidationException("fields", "is nested too deeply");
        }

        switch (node)
        {
            case null:
                text.Append("null");
                break;
            case JsonObject obj:
                text.Append('{');
                var first = true;
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    text.Append(first ? "" : ", ");
                    first = false;
                    WritePythonString(text, key);
                    text.Append(": ");
                    WritePython(text, value, depth + 1);
                }

                text.Append('}');
                break;
            case JsonArray array:
                text.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    text.Append(i == 0 ? "" : ", ");
                    WritePython(text, array[i], depth + 1);
                }

                text.Append(']');
                break;
            case JsonValue value:
                switch (value.GetValueKind())
                {
                    case JsonValueKind.String:
                        WritePythonString(text, value.GetValue<string>());
                        break;
                    case JsonValueKind.True:
                        text.Append("true");
                        break;
                    case JsonValueKind.False:
                        text.Append("false");
                        break;
                    case JsonValueKind.Number:
                        WritePythonNumber(text, value.ToJsonString());
                        break;
                    default:
                        text.Append("null");
                        break;
                }

                break;
        }
    }

    /// <summary>An integer as written; a number with a fraction or an exponent as Python's <c>repr(float)</c>.</summary>
    private static void WritePythonNumber(StringBuilder text, string raw)
    {
        if (!raw.Contains('.') && !raw.Contains('e') && !raw.Contains('E'))
        {
            text.Append(raw);
            return;
        }

        var number = double.Parse(raw, CultureInfo.InvariantCulture);
        if (double.IsInfinity(number))
        {
            text.Append(number > 0 ? "Infinity" : "-Infinity");
            return;
        }

        var exponent = number == 0 ? 0 : (int)Math.Floor(Math.Log10(Math.Abs(number)));
        var shortest = number.ToString("R", CultureInfo.InvariantCulture);
        if (exponent is < -4 or >= 16)
        {
            // Python: 1e-05, 1.5e+16.
            var e = number.ToString("E16", CultureInfo.InvariantCulture);
            var mantissa = double.Parse(e[..e.IndexOf('E')], CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture);
            var power = int.Parse(e[(e.IndexOf('E') + 1)..], CultureInfo.InvariantCulture);
            text.Append(mantissa).Append('e').Append(power < 0 ? '-' : '+').Append(Math.Abs(power).ToString("00", CultureInfo.InvariantCulture));
            return;
        }

        if (shortest.Contains('E'))
        {
            shortest = number.ToString("0.#################", CultureInfo.InvariantCulture);
        }

        text.Append(shortest.Contains('.') ? shortest : shortest + ".0");
    }

    private static void WritePythonString(StringBuilder text, string value)
    {
        text.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                default:
                    if (c < 0x20 || c > 0x7e)
                    {
                        text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        text.Append(c);
                    }

                    break;
            }
        }

        text.Append('"');
    }

    /// <summary>
    /// A copy of <paramref name="data"/> with the value at each secret path replaced by <see cref="CredentialsData.Masked"/>
    /// (a path's <c>*</c> masks every field under that point), as Prefect's answers show documents.
    /// </summary>
    public static JsonObject Mask(JsonObject data, IEnumerable<string> secretPaths)
    {
        var copy = (JsonObject)data.DeepClone();
        foreach (var path in secretPaths)
        {
            Visit(copy, path.Split('.'), 0, (parent, key) =>
            {
                if (parent[key] is not null)
                {
                    parent[key] = CredentialsData.Masked;
                }
            });
        }

        return copy;
    }

    /// <summary>
    /// Puts back, into <paramref name="changed"/>, the stored value of each secret that was sent back masked (as an
    /// answer showed it), so that a client that reads a document and writes it back keeps its secrets.
    /// </summary>
    public static void KeepMaskedSecrets(JsonObject changed, JsonObject stored, IEnumerable<string> secretPaths)
    {
        foreach (var path in secretPaths)
        {
            Keep(changed, stored, path.Split('.'), 0);
        }

        static void Keep(JsonObject changed, JsonObject? stored, string[] segments, int index)
        {
            var segment = segments[index];
            var keys = segment == "*" ? changed.Select(p => p.Key).ToList() : changed.ContainsKey(segment) ? [segment] : [];
            foreach (var key in keys)
            {
                if (index == segments.Length - 1 || segment == "*")
                {
                    if (changed[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() == CredentialsData.Masked
                        && stored is not null && stored.TryGetPropertyValue(key, out var original) && original is not null)
                    {
                        changed[key] = original.DeepClone();
                    }
                }
                else if (changed[key] is JsonObject child)
                {
                    Keep(child, stored?[key] as JsonObject, segments, index + 1);
                }
            }
        }
    }

    /// <summary>Every string at or under a secret path of <paramref name="data"/>: what a run's logs must not show.</summary>
    public static IEnumerable<string> SecretStrings(JsonObject data, IEnumerable<string> secretPaths)
    {
        var found = new List<string>();
        foreach (var path in secretPaths)
        {
            Visit(data, path.Split('.'), 0, (parent, key) => Strings(parent[key], found));
        }

        return found;

        static void Strings(JsonNode? node, List<string> found)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (_, child) in o)
                    {
                        Strings(child, found);
                    }

                    break;
                case JsonArray a:
                    foreach (var child in a)
                    {
                        Strings(child, found);
                    }

                    break;
                case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                    found.Add(v.GetValue<string>());
                    break;
            }
        }
    }

    /// <summary>Calls <paramref name="at"/> with the object and key of each field <paramref name="segments"/> names from <paramref name="index"/> on.</summary>
    private static void Visit(JsonObject node, string[] segments, int index, Action<JsonObject, string> at)
    {
        var segment = segments[index];
        var keys = segment == "*" ? node.Select(p => p.Key).ToList() : node.ContainsKey(segment) ? [segment] : [];
        foreach (var key in keys)
        {
            if (index == segments.Length - 1 || segment == "*")
            {
                at(node, key);
            }
            else if (node[key] is JsonObject child)
            {
                Visit(child, segments, index + 1, at);
            }
        }
    }
}
