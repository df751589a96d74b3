using System.Globalization;
using System.Text.RegularExpressions;

namespace Reeve.Workers.Docker;

/// <summary>Docker's memory sizes: a number of bytes with an optional unit, <c>b</c>, <c>k</c>, <c>m</c> or <c>g</c> (<c>512m</c>, <c>2g</c>, <c>1.5gb</c>).</summary>
public static partial class ByteSize
{
    /// <summary>The size in bytes; <c>-1</c> stays -1 (no limit, for swap). A clear error names <paramref name="field"/>.</summary>
    public static long Parse(string text, string field)
    {
        if (text.Trim() == "-1")
        {
            return -1;
        }

        var match = Pattern().Match(text.Trim());
        if (!match.Success || !decimal.TryParse(match.Groups["n"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) || amount <= 0)
        {
            throw new ArgumentException($"{field} '{text}' is not a size: a number with an optional unit b, k, m or g (such as 512m or 2g).", field);
        }

        var factor = match.Groups["unit"].Value.ToLowerInvariant() switch
        {
            "k" => 1L << 10,
            "m" => 1L << 20,
            "g" => 1L << 30,
            _ => 1L,
        };
        return (long)(amount * factor);
    }

    [GeneratedRegex(@"^(?<n>\d+(\.\d+)?)\s*(?<unit>[bkmgBKMG])?[bB]?$")]
    private static partial Regex Pattern();
}
