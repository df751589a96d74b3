using System.CommandLine;
using System.Globalization;
using System.Net;
using Reeve.Client;
using Reeve.Core.WorkQueues;
using Spectre.Console;

namespace Reeve.Cli.Commands;

/// <summary><c>reeve work-queue ...</c>: the queues of a work pool.</summary>
internal static class WorkQueueCommands
{
    public static Command Build(CliContext context)
    {
        var queues = new Command("work-queue", "Manage the queues of a work pool: priorities and concurrency limits within the pool.");
        queues.Subcommands.Add(Create(context));
        queues.Subcommands.Add(List(context));
        queues.Subcommands.Add(Inspect(context));
        queues.Subcommands.Add(Pause(context, pause: true));
        queues.Subcommands.Add(Pause(context, pause: false));
        queues.Subcommands.Add(SetConcurrencyLimit(context));
        queues.Subcommands.Add(ClearConcurrencyLimit(context));
        queues.Subcommands.Add(Delete(context));
        queues.Subcommands.Add(PreviewCommands.ForQueue(context));
        return queues;
    }

    private static Argument<string> NameArgument() => new("name") { Description = "The queue's name." };

    private static Option<string> PoolOption() => new("--pool", "-p") { Description = "The work pool the queue belongs to.", Required = true };

    private static Command Create(CliContext context)
    {
        var name = NameArgument();
        var pool = PoolOption();
        var priority = new Option<int?>("--priority", "-q") { Description = "The queue's priority (1 is the highest); default: the first free one." };
        var limit = new Option<int?>("--limit", "-l") { Description = "The most runs of the queue that may run at once." };
        var description = new Option<string?>("--description") { Description = "A description of the queue." };
        var command = new Command("create", "Create a queue in a work pool.") { name, pool, priority, limit, description };
        command.SetAction(async (parse, ct) =>
        {
            var queueName = parse.GetValue(name)!;
            var poolName = parse.GetValue(pool)!;
            using var client = context.CreateClient();
            WorkQueue queue;
            try
            {
                queue = await client.CreateWorkQueueAsync(poolName, new WorkQueueCreate
                {
                    Name = queueName,
                    Priority = parse.GetValue(priority),
                    ConcurrencyLimit = parse.GetValue(limit),
                    Description = parse.GetValue(description) ?? "",
                }, ct);
            }
            catch (ReeveApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
            {
                throw new CliException($"Work queue with name: '{queueName}' already exists in work pool '{poolName}'.");
            }
            catch (ReeveApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                throw new CliException($"Work pool with name: '{poolName}' not found.");
            }

            context.Success("Created work queue with properties:");
            context.WriteLine($"    name - '{queue.Name}'");
            context.WriteLine($"    work pool - '{poolName}'");
            context.WriteLine($"    id - {queue.Id}");
            context.WriteLine($"    priority - {queue.Priority}");
            context.WriteLine($"    concurrency limit - {Limit(queue.ConcurrencyLimit)}");
            context.WriteLine();
            context.WriteLine("Start a worker to pick up flow runs from the work queue:");
            context.WriteLine($"    reeve worker start --pool '{poolName}' --work-queue '{queue.Name}'");
            context.WriteLine();
            context.WriteLine("Inspect the work queue:");
            context.WriteLine($"    reeve work-queue inspect '{queue.Name}' --pool '{poolName}'");
            return 0;
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var pool = PoolOption();
        var output = CommonOptions.Output();
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Show descriptions too." };
        var command = new Command("ls", "List the queues of a work pool, by priority.") { pool, output, verbose };
        command.SetAction(async (parse, ct) =>
        {
            var poolName = parse.GetValue(pool)!;
            using var client = context.CreateClient();
            IReadOnlyList<WorkQueue> queues;
            try
            {
                queues = await client.FilterWorkQueuesAsync(poolName, null, ct);
            }
            catch (ReeveApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                throw new CliException($"No work pool found: '{poolName}'");
            }

            if (parse.WantsJson(output))
            {
                context.WriteJson(queues);
                return 0;
            }

            var table = new TextTable($"Work Queues in Work Pool '{Markup.Escape(poolName)}'", caption: "(**) denotes a paused queue");
            table.AddColumns("Name", "Priority", "Concurrency Limit", "Status");
            if (parse.GetValue(verbose))
            {
                table.AddColumn("Description");
            }

            foreach (var queue in queues)
            {
                var cells = new List<string>
                {
                    Markup.Escape(queue.Name) + (queue.IsPaused ? " [red](**)[/]" : ""),
                    queue.Priority.ToString(CultureInfo.InvariantCulture),
                    queue.ConcurrencyLimit is { } l ? $"[red]{l}[/]" : "[blue]None[/]",
                    Status(queue.Status),
                };
                if (parse.GetValue(verbose))
                {
                    cells.Add(Markup.Escape(queue.Description ?? ""));
                }

                table.AddRow(cells.ToArray());
            }

            table.WriteTo(context.Out);
            return 0;
        });
        return command;
    }

    private static Command Inspect(CliContext context)
    {
        var name = NameArgument();
        var pool = PoolOption();
        var output = CommonOptions.Output();
        var command = new Command("inspect", "Show a queue's settings and status.") { name, pool, output };
        command.SetAction(async (parse, ct) =>
        {
            var queueName = parse.GetValue(name)!;
            var poolName = parse.GetValue(pool)!;
            using var client = context.CreateClient();
            var queue = await Explain(() => client.ReadWorkQueueAsync(poolName, queueName, ct), queueName, poolName);
            if (parse.WantsJson(output))
            {
                context.WriteJson(queue);
                return 0;
            }

            var grid = new Grid().AddColumn().AddColumn();
            void Row(string label, string? value) => grid.AddRow($"[bold]{label}[/]", Markup.Escape(value ?? "None"));
            Row("Name", queue.Name);
            Row("ID", queue.Id.ToString());
            Row("Work Pool", queue.WorkPoolName);
            Row("Description", queue.Description);
            Row("Priority", queue.Priority.ToString(CultureInfo.InvariantCulture));
            Row("Concurrency Limit", Limit(queue.ConcurrencyLimit));
            Row("Paused", queue.IsPaused ? "yes" : "no");
            grid.AddRow("[bold]Status[/]", Status(queue.Status));
            Row("Last Polled", queue.LastPolled?.ToString("u", CultureInfo.InvariantCulture));
            context.Out.Write(grid);
            return 0;
        });
        return command;
    }

    private static Command Pause(CliContext context, bool pause)
    {
        var name = NameArgument();
        var pool = PoolOption();
        var command = new Command(pause ? "pause" : "resume", pause ? "Pause a queue: its runs are not handed out." : "Resume a paused queue.") { name, pool };
        command.SetAction(async (parse, ct) =>
        {
            var queueName = parse.GetValue(name)!;
            var poolName = parse.GetValue(pool)!;
            using var client = context.CreateClient();
            await Explain(() => client.UpdateWorkQueueAsync(poolName, queueName, new WorkQueueUpdate { IsPaused = pause }, ct), queueName, poolName);
            context.Success($"Work queue '{queueName}' in work pool '{poolName}' {(pause ? "paused" : "resumed")}");
            return 0;
        });
        return command;
    }

    private static Command SetConcurrencyLimit(CliContext context)
    {
        var name = NameArgument();
        var limit = new Argument<int>("limit") { Description = "The most runs of the queue that may be pending or running at once." };
        var pool = PoolOption();
        var command = new Command("set-concurrency-limit", "Set a queue's concurrency limit.") { name, limit, pool };
        command.SetAction(async (parse, ct) =>
        {
            var queueName = parse.GetValue(name)!;
            var poolName = parse.GetValue(pool)!;
            var value = parse.GetValue(limit);
            using var client = context.CreateClient();
            await Explain(() => client.UpdateWorkQueueAsync(poolName, queueName, new WorkQueueUpdate { ConcurrencyLimit = value }, ct), queueName, poolName);
            context.Success($"Concurrency limit of {value} set on work queue '{queueName}' in work pool '{poolName}'");
            return 0;
        });
        return command;
    }

    private static Command ClearConcurrencyLimit(CliContext context)
    {
        var name = NameArgument();
        var pool = PoolOption();
        var command = new Command("clear-concurrency-limit", "Remove a queue's concurrency limit.") { name, pool };
        command.SetAction(async (parse, ct) =>
        {
            var queueName = parse.GetValue(name)!;
            var poolName = parse.GetValue(pool)!;
            using var client = context.CreateClient();
            await Explain(() => client.UpdateWorkQueueAsync(poolName, queueName, new WorkQueueUpdate { ConcurrencyLimit = new int?() }, ct), queueName, poolName);
            context.Success($"Concurrency limits removed on work queue '{queueName}' in work pool '{poolName}'");
            return 0;
        });
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var name = NameArgument();
        var pool = PoolOption();
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation." };
        var command = new Command("delete", "Delete a queue (a pool's default queue cannot be deleted).") { name, pool, yes };
        command.SetAction(async (parse, ct) =>
        {
            var queueName = parse.GetValue(name)!;
            var poolName = parse.GetValue(pool)!;
            if (context.IsInteractive && !parse.GetValue(yes)
                && !await context.Out.ConfirmAsync($"Are you sure you want to delete work queue with name '{Markup.Escape(queueName)}'?", defaultValue: false, ct))
            {
                throw new CliException("Deletion aborted.");
            }

            using var client = context.CreateClient();
            await Explain(() => client.DeleteWorkQueueAsync(poolName, queueName, ct), queueName, poolName);
            context.Success($"Successfully deleted work queue '{queueName}' in work pool '{poolName}'");
            return 0;
        });
        return command;
    }

    private static async Task<T> Explain<T>(Func<Task<T>> call, string queue, string pool)
    {
        try
        {
            return await call();
        }
        catch (ReeveApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new CliException($"No work queue named '{queue}' found in work pool '{pool}'.");
        }
    }

    private static Task<bool> Explain(Func<Task> call, string queue, string pool) =>
        Explain(async () =>
        {
            await call();
            return true;
        }, queue, pool);

    private static string Limit(int? limit) => limit?.ToString(CultureInfo.InvariantCulture) ?? "None";

    private static string Status(WorkQueueStatus? status) => status switch
    {
        WorkQueueStatus.Ready => "[green]READY[/]",
        WorkQueueStatus.NotReady => "[red]NOT_READY[/]",
        WorkQueueStatus.Paused => "[yellow]PAUSED[/]",
        _ => "None",
    };
}
