using System.Text;

namespace Reeve.Core.JobTemplates;

/// <summary>Splits a job's <c>command</c> into arguments as a POSIX shell would, without running a shell.</summary>
public static class CommandLine
{
    /// <summary>Splits on unquoted whitespace; single quotes keep everything, double quotes allow <c>\"</c> and <c>\\</c>.</summary>
    public static IReadOnlyList<string> Split(string command)
    {
        var args = new List<string>();
        var current = new StringBuilder();
        var inArg = false;
        for (var i = 0; i < command.Length; i++)
        {
            var c = command[i];
            switch (c)
            {
                case '\'':
                    inArg = true;
                    var close = command.IndexOf('\'', i + 1);
                    if (close < 0)
                    {
                        throw new FormatException($"The command has an unclosed single quote: {command}");
                    }

                    current.Append(command, i + 1, close - i - 1);
                    i = close;
                    break;
                case '"':
                    inArg = true;
                    i++;
                    for (; i < command.Length && command[i] != '"'; i++)
                    {
                        if (command[i] == '\\' && i + 1 < command.Length && command[i + 1] is '"' or '\\' or '$' or '`')
                        {
                            i++;
                        }

                        current.Append(command[i]);
                    }

                    if (i >= command.Length)
                    {
                        throw new FormatException($"The command has an unclosed double quote: {command}");
                    }

                    break;
                case '\\' when i + 1 < command.Length:
                    inArg = true;
                    current.Append(command[++i]);
                    break;
                case ' ' or '\t' or '\n' or '\r':
                    if (inArg)
                    {
                        args.Add(current.ToString());
                        current.Clear();
                        inArg = false;
                    }

                    break;
                default:
                    inArg = true;
                    current.Append(c);
                    break;
            }
        }

        if (inArg)
        {
            args.Add(current.ToString());
        }

        return args;
    }
}
