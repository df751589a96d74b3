using System.CommandLine;
using System.Net;
using Reeve.Client;
using Reeve.Core.FlowRuns;
using Reeve.Core.States;
using Spectre.Console;

namespace Reeve.Cli.Commands;

/// <summary>
/// <c>reeve work-pool preview</c> and <c>reeve work-queue preview</c>: the runs a pool (or one of its queues) will
/// hand out in the next hours, earliest first, late ones marked. Reads only: unlike a worker's poll it does not
/// mark the pool's queues as polled.
/// </summary>
internal static class PreviewCommands
{
    private static Option<double> HoursOption() => new("--hours") { Description = "How many hours ahead to look.", DefaultValueFactory = _ => 1 };

    public static Command ForPool(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "The work pool's name." };
        var hours = HoursOption();
        var output = CommonOptions.Output();
        var command = new Command("preview", "Preview the scheduled runs of a work pool for the next hours, late ones marked.") { name, hours, output };
        command.SetAction(async (parse, ct) =>
        {
            var pool = parse.GetValue(name)!;
            await PreviewAsync(context, parse, output, pool, null, parse.GetValue(hours), $"Preview of scheduled work for work pool '{pool}'", ct);
            return 0;
        });
        return command;
    }

    public static Command ForQueue(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "The queue's name." };
        var pool = new Option<string>("--pool", "-p") { Description = "The work pool the queue belongs to.", Required = true };
        var hours = HoursOption();
        var output = CommonOptions.Output();
        var command = new Command("preview", "Preview the scheduled runs of a work queue for the next hours, late ones marked.") { name, pool, hours, output };
        command.SetAction(async (parse, ct) =>
        {
            var queue = parse.GetValue(name)!;
            await PreviewAsync(context, parse, output, parse.GetValue(pool)!, queue, parse.GetValue(hours),
                $"Preview of scheduled work for work queue '{queue}' of work pool '{parse.GetValue(pool)}'", ct);
            return 0;
        });
        return command;
    }

    private static async Task PreviewAsync(CliContext context, ParseResult parse, Option<string?> output, string pool, string? queue, double hours, string title,
        CancellationToken ct)
    {
        if (!double.IsFinite(hours) || hours <= 0 || hours > 24 * 366)
        {
            throw new CliException($"--hours: must be a positive number of hours up to a year (got {hours}).");
        }

        using var client = context.CreateClient();
        try
        {
            await client.ReadWorkPoolAsync(pool, ct);
            if (queue is not null)
            {
                await client.ReadWorkQueueAsync(pool, queue, ct);
            }
        }
        catch (ReeveApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new CliException(queue is null ? $"No work pool found: '{pool}'" : $"No work queue '{queue}' found in work pool '{pool}'");
        }

        var now = TimeProvider.System.GetUtcNow();
        var runs = new List<FlowRun>();
        while (true)
        {
            var page = await client.FilterFlowRunsAsync(new FlowRunFilterRequest
            {
                WorkPools = new() { Name = new() { Any = [pool] } },
                FlowRuns = new()
                {
                    State = new() { Type = new() { Any = [StateType.Scheduled] } },
                    NextScheduledStartTime = new() { Before = now.AddHours(hours) },
                    WorkQueueName = queue is null ? null : new() { Any = [queue] },
                },
                Sort = FlowRunSort.NextScheduledStartTimeAsc,
                Offset = runs.Count,
            }, ct);
            runs.AddRange(page);
            if (page.Count < Core.Filters.Paging.MaxLimit)
            {
                break;
            }
        }

        if (parse.WantsJson(output))
        {
            context.WriteJson(runs);
            return;
        }

        if (runs.Count == 0)
        {
            context.WriteLine(hours == 1 ? "No runs scheduled in the next hour." : $"No runs scheduled in the next {hours} hours.");
            return;
        }

        var names = await DeploymentNamesAsync(client, runs, ct);
        var table = new TextTable(Markup.Escape(title));
        table.AddColumns("Scheduled Start Time", "Run ID", "Name", "Deployment");
        var late = false;
        foreach (var run in runs)
        {
            var at = run.NextScheduledStartTime ?? run.ExpectedStartTime;
            var isLate = at < now.AddSeconds(-15) || run.State?.Name == "Late";
            late |= isLate;
            table.AddRow(
                $"{at?.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC{(isLate ? " [red](**)[/]" : "")}",
                run.Id.ToString(),
                Markup.Escape(run.Name),
                Markup.Escape(run.DeploymentId is { } d && names.TryGetValue(d, out var n) ? n : run.DeploymentId?.ToString() ?? ""));
        }

        table.WriteTo(context.Out);
        if (late)
        {
            context.WriteLine("(**) denotes a late run");
        }
    }

    private static async Task<Dictionary<Guid, string>> DeploymentNamesAsync(ReeveClient client, List<FlowRun> runs, CancellationToken ct)
    {
        var ids = runs.Where(r => r.DeploymentId is not null).Select(r => r.DeploymentId!.Value).Distinct().ToList();
        var deployments = await client.FilterDeploymentsAsync(new Core.Deployments.DeploymentFilterRequest { Deployments = new() { Id = new() { Any = ids } } }, ct);
        var flows = await DeploymentCommands.FlowNamesAsync(client, deployments.Select(d => d.FlowId), ct);
        return deployments.ToDictionary(d => d.Id, d => $"{flows[d.FlowId]}/{d.Name}");
    }
}
