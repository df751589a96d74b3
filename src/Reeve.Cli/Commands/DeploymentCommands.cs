using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reeve.Client;
using Reeve.Core.Deployments;
using Reeve.Core.FlowRuns;
using Reeve.Core.States;
using Spectre.Console;

namespace Reeve.Cli.Commands;

/// <summary><c>reeve deployment ...</c>: list, inspect, run, pause, resume and delete deployments.</summary>
internal static class DeploymentCommands
{
    public static Command Build(CliContext context)
    {
        var deployments = new Command("deployment", "Manage deployments: how flows run remotely, and their runs.");
        deployments.Subcommands.Add(List(context));
        deployments.Subcommands.Add(Inspect(context));
        deployments.Subcommands.Add(Run(context));
        deployments.Subcommands.Add(Pause(context, pause: true));
        deployments.Subcommands.Add(Pause(context, pause: false));
        deployments.Subcommands.Add(Delete(context));
        deployments.Subcommands.Add(ScheduleCommands.Build(context));
        return deployments;
    }

    private static Argument<string> NameArgument() => new("name") { Description = "The deployment, as 'FLOW/DEPLOYMENT' (e.g. 'get-repo-info/my-first-deployment')." };

    private static Command List(CliContext context)
    {
        var output = CommonOptions.Output();
        var flows = new Option<string[]>("--flow") { Description = "Only the deployments of these flows.", AllowMultipleArgumentsPerToken = true };
        var command = new Command("ls", "List deployments, by flow and name.") { flows, output };
        command.SetAction(async (parse, ct) =>
        {
            using var client = context.CreateClient();
            var filter = parse.GetValue(flows) is { Length: > 0 } names ? new Core.Flows.FlowFilter { Name = new() { Any = [.. names] } } : null;
            var deployments = new List<Deployment>();
            while (true)
            {
                var page = await client.FilterDeploymentsAsync(new DeploymentFilterRequest { Flows = filter, Offset = deployments.Count }, ct);
                deployments.AddRange(page);
                if (page.Count < Core.Filters.Paging.MaxLimit)
                {
                    break;
                }
            }

            if (parse.WantsJson(output))
            {
                context.WriteJson(deployments);
                return 0;
            }

            if (deployments.Count == 0)
            {
                context.WriteLine("No deployments found.");
                return 0;
            }

            var flowNames = await FlowNamesAsync(client, deployments.Select(d => d.FlowId), ct);
            var table = new TextTable("Deployments");
            table.AddColumns("Name", "ID", "Work Pool", "Schedules", "Status");
            foreach (var d in deployments.OrderBy(d => flowNames[d.FlowId], StringComparer.Ordinal).ThenBy(d => d.Name, StringComparer.Ordinal))
            {
                table.AddRow(
                    Markup.Escape($"{flowNames[d.FlowId]}/{d.Name}") + (d.Paused ? " [yellow](paused)[/]" : ""),
                    d.Id.ToString(),
                    Markup.Escape(d.WorkPoolName ?? "(served)"),
                    d.Schedules.Count.ToString(CultureInfo.InvariantCulture),
                    d.Status == DeploymentStatus.Ready ? "[green]READY[/]" : "[red]NOT_READY[/]");
            }

            table.WriteTo(context.Out);
            return 0;
        });
        return command;
    }

    private static Command Inspect(CliContext context)
    {
        var name = NameArgument();
        var output = CommonOptions.Output();
        var command = new Command("inspect", "Show a deployment: its flow, pool, parameters, job variables and schedules.") { name, output };
        command.SetAction(async (parse, ct) =>
        {
            using var client = context.CreateClient();
            var deployment = await ReadAsync(client, parse.GetValue(name)!, ct);
            if (parse.WantsJson(output))
            {
                context.WriteJson(deployment);
                return 0;
            }

            var grid = new Grid().AddColumn().AddColumn();
            void Row(string label, string? value) => grid.AddRow($"[bold]{label}[/]", Markup.Escape(value ?? "None"));
            Row("Name", parse.GetValue(name));
            Row("ID", deployment.Id.ToString());
            Row("Work Pool", deployment.WorkPoolName ?? "(served)");
            Row("Work Queue", deployment.WorkQueueName);
            Row("Entrypoint", deployment.Entrypoint);
            Row("Version", deployment.Version);
            Row("Paused", deployment.Paused ? "yes" : "no");
            Row("Status", deployment.Status == DeploymentStatus.Ready ? "READY" : "NOT_READY");
            Row("Concurrency Limit", deployment.ConcurrencyLimit?.ToString(CultureInfo.InvariantCulture));
            Row("Parameters", deployment.Parameters.ToJsonString());
            Row("Job Variables", deployment.JobVariables.ToJsonString());
            Row("Schedules", deployment.Schedules.Count == 0 ? "none" : string.Join("; ", deployment.Schedules.Select(s => ScheduleCommands.Describe(s.Schedule) + (s.Active ? "" : " (paused)"))));
            Row("Tags", string.Join(", ", deployment.Tags));
            context.Out.Write(grid);
            return 0;
        });
        return command;
    }

    private static Command Run(CliContext context)
    {
        var name = new Argument<string?>("name") { Description = "The deployment, as 'FLOW/DEPLOYMENT'.", Arity = ArgumentArity.ZeroOrOne };
        var id = new Option<Guid?>("--id") { Description = "The deployment's id, instead of its name." };
        var param = new Option<string[]>("--param", "-p") { Description = "A parameter, as key=value (the value is read as JSON when it is JSON, else as text). Repeatable." };
        var paramsJson = new Option<string?>("--params") { Description = "Parameters as a JSON object; '-' reads it from standard input." };
        var jobVariable = new Option<string[]>("--job-variable", "-jv") { Description = "A job variable for this run, as key=value. Repeatable." };
        var startIn = new Option<string?>("--start-in") { Description = "Schedule the run this long from now: '30s', '5 minutes', '1h30m'." };
        var startAt = new Option<string?>("--start-at") { Description = "Schedule the run at this time: '2026-12-01T01:00:00Z'." };
        var tags = new Option<string[]>("--tag") { Description = "A tag for the run. Repeatable." };
        var runName = new Option<string?>("--flow-run-name") { Description = "The run's name (default: a memorable one)." };
        var watch = new Option<bool>("--watch") { Description = "Follow the run until it ends; exit 0 when it completes, 1 otherwise." };
        var watchTimeout = new Option<int?>("--watch-timeout") { Description = "Stop watching after this many seconds (exit 1)." };
        var command = new Command("run", "Create a run of a deployment, now or later.")
        {
            name, id, param, paramsJson, jobVariable, startIn, startAt, tags, runName, watch, watchTimeout,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(startIn) is not null && parse.GetValue(startAt) is not null)
            {
                throw new CliException("Only one of --start-in or --start-at can be set, not both.");
            }

            var now = TimeProvider.System.GetUtcNow();
            DateTimeOffset? when = parse.GetValue(startIn) is { } inText ? now + Durations.Parse(inText, "--start-in")
                : parse.GetValue(startAt) is { } atText ? Durations.ParseTime(atText, "--start-at")
                : null;
            var parameters = Parameters.Read(parse.GetValue(param), parse.GetValue(paramsJson), "--param");
            var variables = Parameters.Read(parse.GetValue(jobVariable), null, "--job-variable");
            using var client = context.CreateClient();
            Deployment deployment;
            string display;
            if (parse.GetValue(id) is { } deploymentId)
            {
                deployment = await ReadByIdAsync(client, deploymentId, ct);
                display = deploymentId.ToString();
            }
            else
            {
                display = parse.GetValue(name) ?? throw new CliException("Give the deployment as 'FLOW/DEPLOYMENT', or --id.");
                deployment = await ReadAsync(client, display, ct);
            }

            CheckParameters(deployment, parameters);

            context.WriteLine($"Creating flow run for deployment '{display}'...");
            FlowRun run;
            try
            {
                run = await client.CreateFlowRunFromDeploymentAsync(deployment.Id, new DeploymentFlowRunCreate
                {
                    Name = parse.GetValue(runName),
                    Parameters = parameters,
                    JobVariables = variables,
                    Tags = [.. parse.GetValue(tags) ?? []],
                    // "Now" is the server's now: a client's clock may be off.
                    State = when is { } at ? new StateCreate { Type = StateType.Scheduled, StateDetails = new StateDetails { ScheduledTime = at } } : null,
                }, ct);
            }
            catch (ReeveApiException e) when (e.StatusCode == HttpStatusCode.UnprocessableEntity)
            {
                throw new CliException($"The run was refused: {e.Detail}");
            }

            var scheduled = run.State?.StateDetails.ScheduledTime ?? run.Created;
            context.Success($"Created flow run '{run.Name}'.");
            context.WriteLine($"└── UUID: {run.Id}");
            context.WriteLine($"└── Parameters: {run.Parameters.ToJsonString()}");
            context.WriteLine($"└── Job Variables: {run.JobVariables.ToJsonString()}");
            context.WriteLine($"└── Scheduled start time: {scheduled.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC ({Relative(scheduled, run.Created)})");
            if (!parse.GetValue(watch))
            {
                return 0;
            }

            return await FlowRunCommands.WatchAsync(context, client, run, parse.GetValue(watchTimeout), ct);
        });
        return command;
    }

    private static Command Pause(CliContext context, bool pause)
    {
        var name = NameArgument();
        var command = new Command(pause ? "pause" : "resume", pause ? "Pause a deployment: its schedules make no more runs." : "Resume a paused deployment.") { name };
        command.SetAction(async (parse, ct) =>
        {
            using var client = context.CreateClient();
            var deployment = await ReadAsync(client, parse.GetValue(name)!, ct);
            if (pause)
            {
                await client.PauseDeploymentAsync(deployment.Id, ct);
            }
            else
            {
                await client.ResumeDeploymentAsync(deployment.Id, ct);
            }

            context.Success($"{(pause ? "Paused" : "Resumed")} deployment '{parse.GetValue(name)}'.");
            return 0;
        });
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var name = NameArgument();
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation." };
        var command = new Command("delete", "Delete a deployment (its runs stay).") { name, yes };
        command.SetAction(async (parse, ct) =>
        {
            var display = parse.GetValue(name)!;
            if (context.IsInteractive && !parse.GetValue(yes)
                && !await context.Out.ConfirmAsync($"Are you sure you want to delete deployment '{Markup.Escape(display)}'?", defaultValue: false, ct))
            {
                throw new CliException("Deletion aborted.");
            }

            using var client = context.CreateClient();
            var deployment = await ReadAsync(client, display, ct);
            await client.DeleteDeploymentAsync(deployment.Id, ct);
            context.Success($"Deleted deployment '{display}'.");
            return 0;
        });
        return command;
    }

    /// <summary>Refuses parameters the deployment's flow does not take, naming them, before anything is sent.</summary>
    private static void CheckParameters(Deployment deployment, JsonObject parameters)
    {
        if (deployment.ParameterOpenapiSchema["properties"] is not JsonObject properties || !deployment.EnforceParameterSchema)
        {
            return;
        }

        var unknown = parameters.Select(p => p.Key).Where(k => !properties.ContainsKey(k)).ToList();
        if (unknown.Count == 0)
        {
            return;
        }

        var available = properties.Count == 0
            ? "This deployment does not accept parameters."
            : $"The parameters available on the deployment are: {string.Join(", ", properties.Select(p => $"'{p.Key}'"))}.";
        throw new CliException($"The following parameters were specified but not found on the deployment: {string.Join(", ", unknown.Select(u => $"'{u}'"))}. {available}");
    }

    internal static async Task<Deployment> ReadAsync(ReeveClient client, string name, CancellationToken ct)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == name.Length - 1)
        {
            throw new CliException($"Invalid deployment name '{name}'. Expected '<flow-name>/<deployment-name>'.");
        }

        try
        {
            return await client.ReadDeploymentByNameAsync(name[..slash], name[(slash + 1)..], ct);
        }
        catch (ReeveApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new CliException($"Deployment '{name}' not found!");
        }
    }

    private static async Task<Deployment> ReadByIdAsync(ReeveClient client, Guid id, CancellationToken ct)
    {
        try
        {
            return await client.ReadDeploymentAsync(id, ct);
        }
        catch (ReeveApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new CliException($"Deployment '{id}' not found!");
        }
    }

    internal static async Task<Dictionary<Guid, string>> FlowNamesAsync(ReeveClient client, IEnumerable<Guid> flowIds, CancellationToken ct)
    {
        var ids = flowIds.Distinct().ToList();
        var flows = await client.FilterFlowsAsync(new Core.Flows.FlowFilterRequest { Flows = new() { Id = new() { Any = ids } } }, ct);
        return ids.ToDictionary(id => id, id => flows.FirstOrDefault(f => f.Id == id)?.Name ?? id.ToString());
    }

    internal static string Relative(DateTimeOffset when, DateTimeOffset now)
    {
        var delta = when - now;
        if (Math.Abs(delta.TotalSeconds) < 5)
        {
            return "now";
        }

        var span = delta.Duration();
        var text = span.TotalMinutes < 1 ? Count((int)span.TotalSeconds, "second")
            : span.TotalHours < 1 ? Count((int)span.TotalMinutes, "minute")
            : span.TotalDays < 1 ? Count((int)span.TotalHours, "hour")
            : Count((int)span.TotalDays, "day");
        return delta > TimeSpan.Zero ? $"in {text}" : $"{text} ago";

        static string Count(int n, string unit) => n == 1 ? $"1 {unit}" : $"{n} {unit}s";
    }

}
