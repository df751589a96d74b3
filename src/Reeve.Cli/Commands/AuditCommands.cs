using System.CommandLine;
using System.Globalization;
using Reeve.Core.Audit;
using Spectre.Console;

namespace Reeve.Cli.Commands;

/// <summary><c>reeve audit ls</c>: who changed what (an admin's command).</summary>
internal static class AuditCommands
{
    public static Command Build(CliContext context)
    {
        var audit = new Command("audit",
            "Read the audit log: which API key created, changed, deleted or cancelled what, and when. Needs an admin key.");
        audit.Subcommands.Add(List(context));
        return audit;
    }

    private static Command List(CliContext context)
    {
        var actor = new Option<string?>("--actor") { Description = "Only what this API key (by name) did." };
        var action = new Option<string?>("--action") { Description = "Only this action (work_pool.delete) or, ending in a dot, this resource's actions (work_pool.)." };
        var since = new Option<string?>("--since") { Description = "Only the last span of time: 24h, 7d, 30m." };
        var limit = new Option<int>("--limit") { Description = "How many entries at most (1 to 200).", DefaultValueFactory = _ => 50 };
        var output = CommonOptions.Output();
        var command = new Command("ls", "List the audit log, newest first.") { actor, action, since, limit, output };
        command.SetAction(async (parse, ct) =>
        {
            DateTimeOffset? from = null;
            if (parse.GetValue(since) is { } text)
            {
                var span = Durations.Parse(text, "--since");
                if (span <= TimeSpan.Zero || span > TimeSpan.FromDays(36500))
                {
                    throw new CliException($"--since: '{text}' must be more than nothing and at most 100 years.");
                }

                from = TimeProvider.System.GetUtcNow() - span;
            }

            var count = parse.GetValue(limit);
            if (count is < 1 or > 200)
            {
                throw new CliException($"--limit: {count} must be between 1 and 200.");
            }

            using var client = context.CreateClient();
            var entries = await client.ListAuditAsync(new AuditFilterRequest
            {
                Actor = parse.GetValue(actor),
                Action = parse.GetValue(action),
                Since = from,
                Limit = count,
            }, ct);

            if (parse.WantsJson(output))
            {
                context.WriteJson(entries);
                return 0;
            }

            if (entries.Count == 0)
            {
                context.WriteLine("No audit entries match.");
                return 0;
            }

            var table = new TextTable("Audit log");
            table.AddColumns("When", "Who", "Role", "Action", "Resource");
            foreach (var entry in entries)
            {
                table.AddRow(entry.Occurred.ToString("u", CultureInfo.InvariantCulture), Markup.Escape(entry.Actor), entry.Role,
                    Markup.Escape(entry.Action), Markup.Escape(entry.Resource ?? ""));
            }

            table.WriteTo(context.Out);
            return 0;
        });
        return command;
    }
}
