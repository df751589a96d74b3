using System.CommandLine;
using System.Globalization;
using System.Net;
using Reeve.Client;
using Reeve.Core.ConcurrencyLimits;
using Spectre.Console;

namespace Reeve.Cli.Commands;

/// <summary><c>reeve concurrency-limit ...</c>: global concurrency and rate limits (Prefect's <c>prefect gcl</c>).</summary>
internal static class ConcurrencyLimitCommands
{
    public static Command Build(CliContext context)
    {
        var limits = new Command("concurrency-limit",
            "Manage global concurrency limits: at most N slots held at once across flows and tasks (Concurrency.AcquireAsync), or with a slot decay, a rate limit.");
        limits.Subcommands.Add(Create(context));
        limits.Subcommands.Add(List(context));
        limits.Subcommands.Add(Inspect(context));
        limits.Subcommands.Add(Delete(context));
        return limits;
    }

    private static Argument<string> NameArgument() => new("name") { Description = "The limit's name." };

    private static Command Create(CliContext context)
    {
        var name = NameArgument();
        var limit = new Option<int>("--limit", "-l") { Description = "The most slots held at once.", Required = true };
        var decay = new Option<double>("--slot-decay-per-second") { Description = "Slots that free themselves each second (makes it a rate limit); default 0." };
        var disabled = new Option<bool>("--disable") { Description = "Create it inactive (it limits nothing until enabled)." };
        var command = new Command("create", "Create a global concurrency limit.") { name, limit, decay, disabled };
        command.SetAction(async (parse, ct) =>
        {
            using var client = context.CreateClient();
            try
            {
                var created = await client.CreateGlobalConcurrencyLimitAsync(new GlobalConcurrencyLimitCreate
                {
                    Name = parse.GetValue(name)!,
                    Limit = parse.GetValue(limit),
                    SlotDecayPerSecond = parse.GetValue(decay),
                    Active = !parse.GetValue(disabled),
                }, ct);
                context.Success($"Created global concurrency limit '{created.Name}' ({created.Limit} slots).");
            }
            catch (ReeveApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
            {
                throw new CliException(e.Detail ?? $"A concurrency limit named '{parse.GetValue(name)}' already exists.");
            }

            return 0;
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var output = CommonOptions.Output();
        var command = new Command("ls", "List global concurrency limits and the slots held now.") { output };
        command.SetAction(async (parse, ct) =>
        {
            using var client = context.CreateClient();
            var all = await client.FilterGlobalConcurrencyLimitsAsync(200, 0, ct);
            if (parse.WantsJson(output))
            {
                context.WriteJson(all);
                return 0;
            }

            var table = new TextTable("Global concurrency limits");
            table.AddColumns("Name", "Active", "Limit", "Held", "Decay/s");
            foreach (var limit in all)
            {
                table.AddRow(Markup.Escape(limit.Name), limit.Active ? "yes" : "no", limit.Limit.ToString(CultureInfo.InvariantCulture),
                    limit.ActiveSlots.ToString(CultureInfo.InvariantCulture), limit.SlotDecayPerSecond.ToString("0.###", CultureInfo.InvariantCulture));
            }

            table.WriteTo(context.Out);
            return 0;
        });
        return command;
    }

    private static Command Inspect(CliContext context)
    {
        var name = NameArgument();
        var command = new Command("inspect", "Show a global concurrency limit as JSON.") { name };
        command.SetAction(async (parse, ct) =>
        {
            using var client = context.CreateClient();
            context.WriteJson(await ReadAsync(client, parse.GetValue(name)!, ct));
            return 0;
        });
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var name = NameArgument();
        var command = new Command("delete", "Delete a global concurrency limit.") { name };
        command.SetAction(async (parse, ct) =>
        {
            var which = parse.GetValue(name)!;
            using var client = context.CreateClient();
            try
            {
                await client.DeleteGlobalConcurrencyLimitAsync(which, ct);
            }
            catch (ReeveApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                throw new CliException($"Global concurrency limit '{which}' not found.");
            }

            context.Success($"Deleted global concurrency limit '{which}'.");
            return 0;
        });
        return command;
    }

    private static async Task<GlobalConcurrencyLimit> ReadAsync(ReeveClient client, string name, CancellationToken ct)
    {
        try
        {
            return await client.ReadGlobalConcurrencyLimitAsync(name, ct);
        }
        catch (ReeveApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new CliException($"Global concurrency limit '{name}' not found.");
        }
    }
}
