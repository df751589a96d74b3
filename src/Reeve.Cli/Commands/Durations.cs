using System.Globalization;
using System.Text.RegularExpressions;

namespace Reeve.Cli.Commands;

/// <summary>Reads durations and times written by people: <c>5 minutes</c>, <c>1h30m</c>, <c>90s</c>, <c>2026-12-01T01:00:00Z</c>.</summary>
internal static partial class Durations
{
    public static TimeSpan Parse(string text, string option)
    {
        var value = text.Trim();
        if (value.StartsWith("in ", StringComparison.OrdinalIgnoreCase))
        {
            value = value[3..];
        }

        if (TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var clock) && value.Contains(':', StringComparison.Ordinal))
        {
            return clock;
        }

        var matches = Part().Matches(value);
        if (matches.Count == 0 || string.Concat(matches.Select(m => m.Value)).Replace(" ", "", StringComparison.Ordinal) != value.Replace(" ", "", StringComparison.Ordinal))
        {
            throw new CliException($"{option}: cannot read '{text}' as a duration; write it like '30s', '5 minutes' or '1h30m'.");
        }

        var seconds = 0.0;
        foreach (Match match in matches)
        {
            var amount = double.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
            seconds += amount * match.Groups["unit"].Value.ToLowerInvariant() switch
            {
                "s" or "sec" or "secs" or "second" or "seconds" => 1,
                "m" or "min" or "mins" or "minute" or "minutes" => 60,
                "h" or "hr" or "hrs" or "hour" or "hours" => 3600,
                "d" or "day" or "days" => 86400,
                var unit => throw new CliException($"{option}: unknown unit '{unit}' in '{text}'; use s, m, h or d."),
            };
        }

        // TimeSpan ends at about 29,000 years; a longer duration is a mistake, said in one line.
        return seconds < TimeSpan.MaxValue.TotalSeconds
            ? TimeSpan.FromSeconds(seconds)
            : throw new CliException($"{option}: '{text}' is longer than any duration Reeve can use.");
    }

    /// <summary>A time: ISO 8601 with an offset, or without one in the machine's time zone.</summary>
    public static DateTimeOffset ParseTime(string text, string option)
    {
        var value = text.Trim();
        if (value.StartsWith("at ", StringComparison.OrdinalIgnoreCase))
        {
            value = value[3..];
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var time))
        {
            return time;
        }

        throw new CliException($"{option}: cannot read '{text}' as a time; write it like '2026-12-01T01:00:00Z' or '2026-12-01 01:00'.");
    }

    [GeneratedRegex(@"(?<n>\d+(\.\d+)?)\s*(?<unit>[a-zA-Z]+)")]
    private static partial Regex Part();
}
