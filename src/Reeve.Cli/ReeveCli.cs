using System.CommandLine;
using System.Net;
using Reeve.Cli.Commands;
using Reeve.Client;

namespace Reeve.Cli;

/// <summary>The <c>reeve</c> command tree and how its failures are reported.</summary>
internal static class ReeveCli
{
    /// <summary>The top-level commands, by name, each built only when asked for.</summary>
    private static readonly (string Name, Func<CliContext, Command> Build)[] Groups =
    [
        ("server", ServerCommands.Build),
        ("work-pool", WorkPoolCommands.Build),
        ("work-queue", WorkQueueCommands.Build),
        ("deploy", DeployCommand.Build),
        ("deployment", DeploymentCommands.Build),
        ("flow-run", FlowRunCommands.Build),
        ("worker", WorkerCommands.Build),
        ("config", ConfigCommands.Build),
        ("credentials", CredentialsCommands.Build),
        ("api-key", ApiKeyCommands.Build),
        ("audit", AuditCommands.Build),
        ("variable", VariableCommands.Build),
        ("concurrency-limit", ConcurrencyLimitCommands.Build),
        ("artifact", ArtifactCommands.Build),
    ];

    public static RootCommand Build(CliContext context) => Build(context, null);

    /// <summary>
    /// The command tree. With <paramref name="only"/> naming a top-level command, only that command's branch is built
    /// (what a command line that starts with it can reach: tens of milliseconds off every command's start); otherwise
    /// the whole tree, for the root's help, its version and suggestions for a mistyped command.
    /// </summary>
    public static RootCommand Build(CliContext context, string? only)
    {
        var root = new RootCommand("Reeve: a workflow orchestrator for .NET, built around work pools.");
        var known = only is not null && Array.Exists(Groups, g => g.Name == only);
        foreach (var (name, build) in Groups)
        {
            if (!known || name == only)
            {
                root.Subcommands.Add(build(context));
            }
        }

        return root;
    }

    /// <summary>Runs the command <paramref name="args"/> name, in the context <paramref name="createContext"/> makes (when one is needed).</summary>
    public static Task<int> RunAsync(string[] args, Func<CliContext> createContext)
    {
        // A worker starts 'reeve flow-run execute' for every flow run: it goes straight to the engine, without building
        // the command tree or the console (tens of milliseconds off the start of every run). Anything else, --help
        // included, takes the usual way.
        if (args is ["flow-run", "execute", .. var rest] && rest.Length <= 1 && (rest.Length == 0 || Guid.TryParse(rest[0], out _)))
        {
            return ReportFailuresAsync(Console.Error, false,
                () => FlowRunCommands.ExecuteAsync(rest.Length == 0 ? null : Guid.Parse(rest[0]), System.Environment.GetEnvironmentVariable, CancellationToken.None));
        }

        if (args is ["flow-run", "execute", "--standby"])
        {
            return ReportFailuresAsync(Console.Error, false, () => FlowRunCommands.StandbyAsync(Console.In, CancellationToken.None));
        }

        return RunAsync(args, createContext());
    }

    public static async Task<int> RunAsync(string[] args, CliContext context)
    {
        var root = Build(context, args.Length > 0 ? args[0] : null);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // One line, as for every other error; --help says the rest.
            var command = string.Join(' ', CommandPath(parsed.CommandResult));
            var message = System.Text.RegularExpressions.Regex.Replace(parsed.Errors[0].Message, @"\s*\n\s*", " ");
            await context.Error.WriteLineAsync(CommandSuggestions.Describe(parsed.CommandResult.Command, parsed.UnmatchedTokens, command)
                ?? $"{InWords(message)} See '{command} --help'.");
            return 2;
        }

        return await ReportFailuresAsync(context.Error, context.IsInteractive, () => parsed.InvokeAsync(new InvocationConfiguration
        {
            // The server and workers handle SIGTERM / Ctrl+C themselves, to shut down cleanly.
            ProcessTerminationTimeout = null,
            EnableDefaultExceptionHandler = false,
        }));
    }

    /// <summary>Runs a command's action; a failure it expects is one line on <paramref name="error"/> and an exit code, never a stack trace.</summary>
    private static async Task<int> ReportFailuresAsync(TextWriter error, bool interactive, Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (CliException e)
        {
            await error.WriteLineAsync(e.Message);
            return e.ExitCode;
        }
        catch (ReeveServerUnavailableException e)
        {
            await error.WriteLineAsync(e.Message);
            return 1;
        }
        catch (ReeveApiException e)
        {
            await error.WriteLineAsync(Describe(e));
            return 1;
        }
        catch (HttpRequestException e)
        {
            await error.WriteLineAsync($"The request to the Reeve server failed: {e.Message}");
            return 1;
        }
        catch (TaskCanceledException) when (!interactive)
        {
            await error.WriteLineAsync("The Reeve server did not answer in time.");
            return 1;
        }
    }

    /// <summary>A parse error in the user's words: "'x' is not a UUID" rather than ".NET's expected type 'System.Guid'".</summary>
    private static string InWords(string message)
    {
        var match = System.Text.RegularExpressions.Regex.Match(message,
            @"^Cannot parse argument '(?<value>.*)' for (?:command|option) '(?<what>[^']*)' as expected type '(?<type>[^']*)'\.?$");
        if (!match.Success)
        {
            return message;
        }

        var type = match.Groups["type"].Value;
        var words = type switch
        {
            "System.Guid" => "a UUID (such as 01a24615-9367-7618-9222-8ff353944db7)",
            "System.Int32" or "System.Int64" or "System.Nullable`1[System.Int32]" => "a whole number",
            "System.Double" or "System.Nullable`1[System.Double]" => "a number",
            "System.Boolean" => "true or false",
            _ when type.Contains("LogLevel", StringComparison.Ordinal) => "a log level (Trace, Debug, Information, Warning, Error)",
            _ => "a valid value",
        };
        var what = match.Groups["what"].Value;
        return $"'{match.Groups["value"].Value}' is not {words}{(what.StartsWith('-') ? $" for {what}" : string.Empty)}.";
    }

    private static Stack<string> CommandPath(System.CommandLine.Parsing.CommandResult? result)
    {
        var names = new Stack<string>();
        for (var r = result; r?.Parent is System.CommandLine.Parsing.CommandResult parent; r = parent)
        {
            names.Push(r.Command.Name);
        }

        names.Push("reeve");
        return names;
    }

    private static string Describe(ReeveApiException e) => e.StatusCode switch
    {
        HttpStatusCode.Unauthorized => $"The Reeve server refused the API key: {e.Detail}",
        _ => InOptionWords(e),
    };

    /// <summary>
    /// A schedule the server refused, named by the option the user typed (<c>--cron: Invalid cron string ...</c>)
    /// rather than by its place in the request body (<c>[0].schedule.cron</c>): the CLI sends at most one schedule.
    /// </summary>
    private static string InOptionWords(ReeveApiException e)
    {
        if (e.Field is not { } field || !e.Detail.StartsWith(field + ": ", StringComparison.Ordinal))
        {
            return e.Detail;
        }

        var match = System.Text.RegularExpressions.Regex.Match(field, @"^(?:schedules)?\[0\]\.schedule\.(?<name>cron|interval|rrule|timezone|anchor_date)$");
        return match.Success ? $"--{match.Groups["name"].Value.Replace('_', '-')}{e.Detail[field.Length..]}" : e.Detail;
    }
}
