using System.Text;

namespace Reeve;

/// <summary>Default names for flows and tasks.</summary>
internal static class Naming
{
    /// <summary><c>GetRepoInfo</c> → <c>get-repo-info</c>; <c>GetHTTPStatus</c> → <c>get-http-status</c>; an async suffix is dropped.</summary>
    public static string Kebab(string name)
    {
        if (name.EndsWith("Async", StringComparison.Ordinal) && name.Length > 5)
        {
            name = name[..^5];
        }

        var result = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c == '_' || c == ' ')
            {
                result.Append('-');
                continue;
            }

            if (char.IsUpper(c))
            {
                var previousLower = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]));
                var nextLower = i + 1 < name.Length && char.IsLower(name[i + 1]) && i > 0 && char.IsUpper(name[i - 1]);
                if (result.Length > 0 && result[^1] != '-' && (previousLower || nextLower))
                {
                    result.Append('-');
                }

                result.Append(char.ToLowerInvariant(c));
            }
            else
            {
                result.Append(c);
            }
        }

        return result.ToString();
    }

    /// <summary>Whether a method is compiler-generated (a lambda), and so has no name worth using.</summary>
    public static bool IsGenerated(string methodName) => methodName.Contains('<', StringComparison.Ordinal);
}
