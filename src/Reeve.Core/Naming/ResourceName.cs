using Reeve.Core.Errors;

namespace Reeve.Core.Naming;

/// <summary>
/// The rules for the names of pools, queues, workers, flows and deployments. They appear in URL paths
/// (<c>/api/work_pools/{name}</c>) and in CLI arguments, so the characters that would break either are refused,
/// as Prefect does (<c>/ % &amp; &gt; &lt;</c>).
/// </summary>
public static class ResourceName
{
    /// <summary>The longest name accepted, in characters.</summary>
    public const int MaxLength = 255;

    /// <summary>Characters a name may not hold.</summary>
    public static IReadOnlyList<char> BannedCharacters { get; } = ['/', '%', '&', '>', '<'];

    /// <summary>Checks a name and throws a <see cref="ReeveValidationException"/> naming <paramref name="field"/> when it breaks a rule.</summary>
    public static void Validate(string? name, string field = "name")
    {
        if (name is null)
        {
            throw new ReeveValidationException(field, "is required");
        }

        if (name.Trim('\'', '"', ' ').Length == 0)
        {
            throw new ReeveValidationException(field, "name cannot be an empty string");
        }

        if (name.Length > MaxLength)
        {
            throw new ReeveValidationException(field, $"must be at most {MaxLength} characters long (got {name.Length})");
        }

        foreach (var c in name)
        {
            if (BannedCharacters.Contains(c))
            {
                throw new ReeveValidationException(field, $"must not contain '{c}' (names may not hold any of {string.Join(' ', BannedCharacters)})");
            }

            if (char.IsControl(c))
            {
                throw new ReeveValidationException(field, "must not contain control characters");
            }
        }
    }
}
