using System.CommandLine;

namespace Reeve.Cli;

/// <summary>
/// The one line a mistyped or missing command gets: <c>Unknown command 'lss'. Did you mean 'ls'?</c> and the commands
/// there are, instead of System.CommandLine's "Required command was not provided".
/// </summary>
internal static class CommandSuggestions
{
    /// <summary>The line for a parse that stopped at <paramref name="command"/>, or null when the error is not about a command.</summary>
    public static string? Describe(Command command, IReadOnlyList<string> unmatched, string path)
    {
        var commands = command.Subcommands.Where(c => !c.Hidden).ToList();
        if (commands.Count == 0)
        {
            return null;
        }

        var names = string.Join(", ", commands.Select(c => c.Name));
        var typed = unmatched.FirstOrDefault(t => !t.StartsWith('-'));
        if (typed is null)
        {
            return $"'{path}' needs a command: {names}. See '{path} --help'.";
        }

        var best = commands
            .SelectMany(c => c.Aliases.Prepend(c.Name).Select(alias => (Command: c, Distance: Distance(typed, alias))))
            .OrderBy(x => x.Distance)
            .FirstOrDefault();
        var suggestion = best.Command is not null && best.Distance <= Math.Max(2, typed.Length / 3) ? $" Did you mean '{best.Command.Name}'?" : string.Empty;
        return $"Unknown command '{typed}'.{suggestion} The commands of '{path}' are: {names}.";
    }

    /// <summary>Edit distance (insertions, deletions, substitutions and swaps of neighbours), case-insensitive.</summary>
    private static int Distance(string a, string b)
    {
        a = a.ToLowerInvariant();
        b = b.ToLowerInvariant();
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
