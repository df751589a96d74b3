using System.Text.Json.Nodes;
using Reeve.Core.Errors;

namespace Reeve.Core.Variables;

/// <summary>What a variable may be (Prefect's limits): its name, its value's size, its tags.</summary>
public static class VariableRules
{
    /// <summary>The longest name.</summary>
    public const int MaxNameLength = 255;

    /// <summary>The longest value, as JSON.</summary>
    public const int MaxValueLength = 5000;

    /// <summary>The longest tag.</summary>
    public const int MaxTagLength = 255;

    /// <summary>Refuses a name that is not lowercase letters, digits and underscores, or is too long.</summary>
    public static void ValidateName(string? name, string field = "name")
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new ReeveValidationException(field, "Field required");
        }

        if (name.Length > MaxNameLength)
        {
            throw new ReeveValidationException(field, $"at most {MaxNameLength} characters (got {name.Length}).");
        }

        if (!name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_'))
        {
            throw new ReeveValidationException(field, "Variable names may hold only lowercase letters, digits and underscores.");
        }
    }

    /// <summary>The value as stored (its JSON), refused when longer than <see cref="MaxValueLength"/>.</summary>
    public static string ValueJson(JsonNode? value, string field = "value")
    {
        var json = value?.ToJsonString() ?? "null";
        if (json.Length > MaxValueLength)
        {
            throw new ReeveValidationException(field, $"at most {MaxValueLength} characters as JSON (got {json.Length}).");
        }

        return json;
    }

    /// <summary>Refuses null, empty or overlong tags.</summary>
    public static List<string> ValidateTags(IReadOnlyList<string?>? tags, string field = "tags")
    {
        var checkedTags = new List<string>();
        for (var i = 0; i < (tags?.Count ?? 0); i++)
        {
            var tag = tags![i];
            if (string.IsNullOrEmpty(tag) || tag.Length > MaxTagLength)
            {
                throw new ReeveValidationException($"{field}[{i}]", $"a tag is 1 to {MaxTagLength} characters.");
            }

            checkedTags.Add(tag);
        }

        return [.. checkedTags.Distinct(StringComparer.Ordinal)];
    }
}
