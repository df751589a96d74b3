using System.CommandLine;
using System.Globalization;
using System.Net;
using Reeve.Client;
using Reeve.Core.FlowRuns;
using Reeve.Core.Logs;
using Reeve.Core.Orchestration;
using Reeve.Core.States;
using Spectre.Console;

namespace Reeve.Cli.Commands;

/// <summary><c>reeve flow-run ...</c>: list, inspect, follow the logs of, cancel and delete flow runs.</summary>
internal static class FlowRunCommands
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    public static Command Build(CliContext context)
    {
        var runs = new Command("flow-run", "Look at and act on flow runs.");
        runs.Subcommands.Add(List(context));
        runs.Subcommands.Add(Inspect(context));
        runs.Subcommands.Add(Logs(context));
        runs.Subcommands.Add(Cancel(context));
        runs.Subcommands.Add(Delete(context));
        runs.Subcommands.Add(Execute(context));
        return runs;
    }

    private static Argument<Guid> IdArgument() => new("id") { Description = "The flow run's id." };

    private static Command List(CliContext context)
    {
        var states = new Option<string[]>("--state") { Description = "Only runs in these states, by name (Scheduled, Late, Running, Failed...) or type (SCHEDULED, RUNNING...). Repeatable." };
        var flows = new Option<string[]>("--flow-name") { Description = "Only runs of these flows. Repeatable." };
        var limit = new Option<int>("--limit") { Description = "The most runs to list.", DefaultValueFactory = _ => 15 };
        var output = CommonOptions.Output();
        var command = new Command("ls", "List flow runs, latest expected start first.") { states, flows, limit, output };
        command.SetAction(async (parse, ct) =>
        {
            var take = parse.GetValue(limit);
            if (take is < 1 or > Core.Filters.Paging.MaxLimit)
            {
                throw new CliException($"--limit must be between 1 and {Core.Filters.Paging.MaxLimit} (got {take}).");
            }

            var filter = new FlowRunFilter();
            if (parse.GetValue(states) is { Length: > 0 } wanted)
            {
                var types = wanted.Select(StateTypes.Parse).Where(t => t is not null).Select(t => t!.Value).ToList();
                var names = wanted.Where(w => StateTypes.Parse(w) is null || !w.All(char.IsUpper)).Select(Canonical).ToList();
                filter = filter with
                {
                    Operator = Core.Filters.FilterOperator.Or,
                    State = new FlowRunStateFilter
                    {
                        Type = types.Count > 0 && names.Count == 0 ? new StateTypeFilter { Any = types } : null,
                        Name = names.Count > 0 ? new Core.Filters.StringSetFilter { Any = names } : null,
                    },
                };
            }

            using var client = context.CreateClient();
            var request = new FlowRunFilterRequest
            {
                FlowRuns = filter,
                Flows = parse.GetValue(flows) is { Length: > 0 } flowNames ? new Core.Flows.FlowFilter { Name = new() { Any = [.. flowNames] } } : null,
                Sort = FlowRunSort.ExpectedStartTimeDesc,
                Limit = take,
            };
            var runs = await client.FilterFlowRunsAsync(request, ct);
            if (parse.WantsJson(output))
            {
                context.WriteJson(runs);
                return 0;
            }

            if (runs.Count == 0)
            {
                context.WriteLine("No flow runs found.");
                return 0;
            }

            var flowNamesById = await DeploymentCommands.FlowNamesAsync(client, runs.Select(r => r.FlowId), ct);
            var now = TimeProvider.System.GetUtcNow();
            var table = new TextTable("Flow Runs");
            table.AddColumns("ID", "Flow", "Name", "State", "When");
            foreach (var run in runs)
            {
                var when = run.StateType == StateType.Scheduled ? run.NextScheduledStartTime ?? run.ExpectedStartTime : run.State?.Timestamp;
                table.AddRow(
                    run.Id.ToString(),
                    Markup.Escape(flowNamesById[run.FlowId]),
                    Markup.Escape(run.Name),
                    StateMarkup(run.StateType, run.StateName),
                    when is { } w ? DeploymentCommands.Relative(w, now) : "");
            }

            table.WriteTo(context.Out);
            return 0;
        });
        return command;
    }

    private static Command Inspect(CliContext context)
    {
        var id = IdArgument();
        var output = CommonOptions.Output();
        var command = new Command("inspect", "Show a flow run: its state, parameters, job variables and history.") { id, output };
        command.SetAction(async (parse, ct) =>
        {
            using var client = context.CreateClient();
            var run = await ReadAsync(client, parse.GetValue(id), ct);
            if (parse.WantsJson(output))
            {
                context.WriteJson(run);
                return 0;
            }

            var history = await client.ReadFlowRunStatesAsync(run.Id, ct);
            var flow = await client.ReadFlowAsync(run.FlowId, ct);
            var deployment = run.DeploymentId is { } deploymentId ? await TryReadDeploymentAsync(client, deploymentId, ct) : null;
            var grid = new Grid().AddColumn().AddColumn();
            void Row(string label, string? value) => grid.AddRow($"[bold]{label}[/]", Markup.Escape(value ?? "None"));
            Row("Name", run.Name);
            Row("ID", run.Id.ToString());
            Row("Flow", flow.Name);
            Row("Deployment", run.DeploymentId is null ? null
                : deployment is null ? $"{run.DeploymentId} (deleted)"
                : $"{flow.Name}/{deployment.Name} (reeve deployment inspect '{flow.Name}/{deployment.Name}')");
            grid.AddRow("[bold]State[/]", StateMarkup(run.StateType, run.StateName) + (run.State?.Message is { } m ? Markup.Escape($" - {m}") : ""));
            Row("Work Pool", run.WorkPoolName);
            Row("Work Queue", run.WorkQueueName);
            Row("Parameters", run.Parameters.ToJsonString());
            Row("Job Variables", run.JobVariables.ToJsonString());
            Row("Run Count", run.RunCount.ToString(CultureInfo.InvariantCulture));
            Row("Expected Start", run.ExpectedStartTime?.ToString("u", CultureInfo.InvariantCulture));
            Row("Started", run.StartTime?.ToString("u", CultureInfo.InvariantCulture));
            Row("Ended", run.EndTime?.ToString("u", CultureInfo.InvariantCulture));
            Row("Infrastructure", run.InfrastructurePid);
            context.Out.Write(grid);
            context.WriteLine();
            context.Out.MarkupLine("[bold]History[/]");
            foreach (var state in history)
            {
                context.WriteLine($"{state.Timestamp.UtcDateTime:yyyy-MM-dd HH:mm:ss.fff} {state.Name}{(state.Message is { } msg ? $" - {msg}" : "")}");
            }

            return 0;
        });
        return command;
    }

    private static Command Logs(CliContext context)
    {
        var id = IdArgument();
        var head = new Option<int?>("--head", "-n") { Description = "Only the first N lines." };
        var tail = new Option<int?>("--tail", "-t") { Description = "Only the last N lines." };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new lines until the run ends." };
        var command = new Command("logs", "Print a flow run's log lines.") { id, head, tail, follow };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(head) is not null && parse.GetValue(tail) is not null)
            {
                throw new CliException("Give either --head or --tail, not both.");
            }

            using var client = context.CreateClient();
            var run = await ReadAsync(client, parse.GetValue(id), ct);
            var printer = new LogPrinter(context, client, run);
            if (parse.GetValue(tail) is { } last)
            {
                var latest = await client.FilterLogsAsync(new LogFilterRequest { Logs = printer.Filter(null), Sort = "TIMESTAMP_DESC", Limit = Math.Clamp(last, 1, Core.Filters.Paging.MaxLimit) }, ct);
                foreach (var log in latest.Reverse())
                {
                    printer.Print(log);
                }
            }
            else
            {
                await printer.PrintNewAsync(parse.GetValue(head), ct);
            }

            while (parse.GetValue(follow) && !run.StateType.GetValueOrDefault().IsTerminal())
            {
                await Task.Delay(PollInterval, ct);
                run = await client.ReadFlowRunAsync(run.Id, ct);
                await printer.PrintNewAsync(null, ct);
            }

            if (parse.GetValue(follow))
            {
                await printer.PrintNewAsync(null, ct);
            }

            return 0;
        });
        return command;
    }

    private static Command Cancel(CliContext context)
    {
        var id = IdArgument();
        var command = new Command("cancel", "Cancel a flow run: a scheduled run is cancelled at once; a running one is stopped by its worker.") { id };
        command.SetAction(async (parse, ct) =>
        {
            using var client = context.CreateClient();
            var run = await ReadAsync(client, parse.GetValue(id), ct);
            var answer = await client.SetFlowRunStateAsync(run.Id, new StateCreate { Type = StateType.Cancelling, Message = "Cancelled from the CLI." }, cancellationToken: ct);
            if (answer.Status == OrchestrationStatus.Abort || answer.State?.Type is not (StateType.Cancelling or StateType.Cancelled))
            {
                throw new CliException($"Flow run '{run.Id}' was unable to be cancelled. Reason: '{answer.Details.Reason}'");
            }

            context.Success($"Flow run '{run.Id}' was successfully scheduled for cancellation.");
            return 0;
        });
        return command;
    }

    private static Command Execute(CliContext context)
    {
        var id = new Argument<Guid?>("id") { Description = "The flow run's id; REEVE_FLOW_RUN_ID when omitted.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("execute", "Run a deployment's flow run here: clone its source, build its entrypoint (cached per commit), " +
            "and run the flow as that run. Workers start flow runs with this command.") { id };
        var standby = new Option<bool>("--standby")
        {
            Description = "Start, warm up, and wait on standard input for the run a process worker hands over.",
            Hidden = true,
        };
        command.Options.Add(standby);
        command.SetAction((parse, ct) => parse.GetValue(standby) ? StandbyAsync(Console.In, ct) : ExecuteAsync(parse.GetValue(id), context.Environment, ct));
        return command;
    }

    /// <summary>
    /// <c>reeve flow-run execute --standby</c>: an engine a process worker starts ahead of its next run; it runs the run
    /// the worker hands over on its standard input, or ends with 0 when the input closes first.
    /// </summary>
    internal static async Task<int> StandbyAsync(TextReader input, CancellationToken ct)
    {
        var handoff = await Deployments.EngineStandby.WaitAsync(input, ct);
        return handoff is null ? 0 : await ExecuteAsync(null, System.Environment.GetEnvironmentVariable, ct);
    }

    /// <summary>
    /// <c>reeve flow-run execute [ID]</c>: what the command's action runs, and what <see cref="ReeveCli.RunAsync(string[], Func{CliContext})"/> calls
    /// straight away, without the command tree, when a worker starts an engine (the start of every flow run counts).
    /// </summary>
    internal static async Task<int> ExecuteAsync(Guid? id, Func<string, string?> environment, CancellationToken ct)
    {
        var runId = id ?? (Guid.TryParse(environment("REEVE_FLOW_RUN_ID"), out var fromEnv) ? fromEnv
            : throw new CliException("Name the flow run to execute, or set REEVE_FLOW_RUN_ID."));
        using var signals = new Serving.ShutdownSignals(ct);
        try
        {
            return await Deployments.DeploymentRunner.RunAsync(runId, signals.Token);
        }
        catch (Deployments.DeploymentSourceException e)
        {
            throw new CliException(e.Message);
        }
    }

    private static Command Delete(CliContext context)
    {
        var id = IdArgument();
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation." };
        var command = new Command("delete", "Delete a flow run with its states, task runs and logs.") { id, yes };
        command.SetAction(async (parse, ct) =>
        {
            var runId = parse.GetValue(id);
            if (context.IsInteractive && !parse.GetValue(yes)
                && !await context.Out.ConfirmAsync($"Are you sure you want to delete flow run '{runId}'?", defaultValue: false, ct))
            {
                throw new CliException("Deletion aborted.");
            }

            using var client = context.CreateClient();
            try
            {
                await client.DeleteFlowRunAsync(runId, ct);
            }
            catch (ReeveApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                throw new CliException($"Flow run '{runId}' not found!");
            }

            context.Success($"Successfully deleted flow run '{runId}'.");
            return 0;
        });
        return command;
    }

    /// <summary>Follows a run: prints each new state and log line until it ends; 0 when it completed.</summary>
    internal static async Task<int> WatchAsync(CliContext context, ReeveClient client, FlowRun run, int? timeoutSeconds, CancellationToken ct)
    {
        context.WriteLine($"Watching flow run '{run.Name}'...");
        var printer = new LogPrinter(context, client, run);
        var deadline = timeoutSeconds is { } t ? TimeProvider.System.GetUtcNow().AddSeconds(t) : (DateTimeOffset?)null;
        var seen = new HashSet<Guid>();
        while (true)
        {
            run = await client.ReadFlowRunAsync(run.Id, ct);
            var states = (await client.ReadFlowRunStatesAsync(run.Id, ct)).Where(state => seen.Add(state.Id)).ToList();
            var logs = await printer.FetchNewAsync(ct);
            var ended = run.StateType is { } ending && ending.IsTerminal();
            if (ended)
            {
                // The engine sends its last lines as it exits, often after its final state: wait for them to settle,
                // so that the flow's own output is printed before the state that ended it, in the order it happened.
                for (var quiet = 0; quiet < 2 && logs.Count < 100_000;)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
                    var more = await printer.FetchNewAsync(ct);
                    quiet = more.Count == 0 ? quiet + 1 : 0;
                    logs.AddRange(more);
                }
            }

            var lines = states.Select(state => (state.Timestamp, Print: (Action)(() =>
                    context.WriteLine($"{state.Timestamp.UtcDateTime:HH:mm:ss.fff} | State: {state.Name}{(state.Message is { } m ? $" - {m}" : "")}"))))
                .Concat(logs.Select(log => (log.Timestamp, Print: (Action)(() => printer.Print(log)))))
                .OrderBy(line => line.Timestamp);
            foreach (var line in lines)
            {
                line.Print();
            }

            if (ended && run.StateType is { } type)
            {
                if (type == StateType.Completed)
                {
                    context.Success($"Flow run finished successfully in '{run.StateName}'.");
                    return 0;
                }

                await context.Error.WriteLineAsync($"Flow run finished in state '{run.StateName}'.");
                return 1;
            }

            if (deadline is { } d && TimeProvider.System.GetUtcNow() > d)
            {
                throw new CliException($"Flow run {run.Id} did not end within the watch timeout of {timeoutSeconds} seconds; it is {run.StateName}.");
            }

            await Task.Delay(PollInterval, ct);
        }
    }

    private static async Task<Core.Deployments.Deployment?> TryReadDeploymentAsync(ReeveClient client, Guid id, CancellationToken ct)
    {
        try
        {
            return await client.ReadDeploymentAsync(id, ct);
        }
        catch (ReeveApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private static async Task<FlowRun> ReadAsync(ReeveClient client, Guid id, CancellationToken ct)
    {
        try
        {
            return await client.ReadFlowRunAsync(id, ct);
        }
        catch (ReeveApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new CliException($"Flow run '{id}' not found!");
        }
    }

    private static string Canonical(string name)
    {
        var known = new[] { "Scheduled", "Late", "AwaitingRetry", "AwaitingConcurrencySlot", "Pending", "Running", "Retrying", "Completed", "Failed", "Cancelled", "Cancelling", "Crashed", "Paused", "Suspended" };
        return known.FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase)) ?? name;
    }

    internal static string StateMarkup(StateType? type, string? name)
    {
        var colour = type switch
        {
            StateType.Completed => "green",
            StateType.Failed or StateType.Crashed => "red",
            StateType.Running or StateType.Pending => "blue",
            StateType.Cancelled or StateType.Cancelling => "grey",
            StateType.Paused => "yellow",
            _ => "default",
        };
        return $"[{colour}]{Markup.Escape(name ?? "None")}[/]";
    }

    /// <summary>Prints a run's log lines, each once, as <c>2026-11-27 10:00:00.000 | INFO    | Flow run 'name' - message</c>.</summary>
    private sealed class LogPrinter(CliContext context, ReeveClient client, FlowRun run)
    {
        private readonly HashSet<Guid> _printed = [];
        private DateTimeOffset? _since;

        public LogFilter Filter(DateTimeOffset? since) => new()
        {
            FlowRunId = new() { Any = [run.Id] },
            Timestamp = since is { } s ? new() { After = s } : null,
        };

        /// <summary>The lines not fetched yet, oldest first; each is counted as printed (the caller prints it).</summary>
        public async Task<List<Log>> FetchNewAsync(CancellationToken ct)
        {
            var fresh = new List<Log>();
            while (true)
            {
                var page = await client.FilterLogsAsync(new LogFilterRequest { Logs = Filter(_since), Limit = Core.Filters.Paging.MaxLimit }, ct);
                var lines = page.Where(l => !_printed.Contains(l.Id)).ToList();
                foreach (var log in lines)
                {
                    Seen(log);
                }

                fresh.AddRange(lines);
                if (lines.Count == 0 || page.Count < Core.Filters.Paging.MaxLimit)
                {
                    return fresh;
                }
            }
        }

        /// <summary>Prints the lines not printed yet, oldest first, at most <paramref name="most"/>.</summary>
        public async Task PrintNewAsync(int? most, CancellationToken ct)
        {
            var left = most ?? int.MaxValue;
            while (left > 0)
            {
                // "after_" is inclusive, so lines of the last printed instant come again and are skipped by id.
                var page = await client.FilterLogsAsync(new LogFilterRequest { Logs = Filter(_since), Limit = Core.Filters.Paging.MaxLimit }, ct);
                var fresh = page.Where(l => !_printed.Contains(l.Id)).Take(left).ToList();
                foreach (var log in fresh)
                {
                    Print(log);
                }

                left -= fresh.Count;
                if (fresh.Count == 0 || page.Count < Core.Filters.Paging.MaxLimit)
                {
                    return;
                }
            }
        }

        public void Print(Log log)
        {
            Seen(log);
            context.Out.Profile.Out.Writer.WriteLine(
                $"{log.Timestamp.UtcDateTime:yyyy-MM-dd HH:mm:ss.fff} | {Level(log.Level),-7} | Flow run '{run.Name}' - {log.Message}");
        }

        private void Seen(Log log)
        {
            _printed.Add(log.Id);
            _since = _since is { } s && s > log.Timestamp ? s : log.Timestamp;
        }

        private static string Level(int level) => level switch
        {
            >= 50 => "CRITICAL",
            >= 40 => "ERROR",
            >= 30 => "WARNING",
            >= 20 => "INFO",
            _ => "DEBUG",
        };
    }
}
