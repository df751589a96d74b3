using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Reeve.Client;
using Reeve.Core.Deployments;
using Spectre.Console;

namespace Reeve.Cli.Commands;

/// <summary><c>reeve deployment schedule ...</c>: list, create, pause, resume and delete a deployment's schedules.</summary>
internal static class ScheduleCommands
{
    public static Command Build(CliContext context)
    {
        var schedules = new Command("schedule", "Manage a deployment's schedules: cron, interval or RRule, each in a time zone.");
        schedules.Subcommands.Add(List(context));
        schedules.Subcommands.Add(Create(context));
        schedules.Subcommands.Add(SetActive(context, active: false));
        schedules.Subcommands.Add(SetActive(context, active: true));
        schedules.Subcommands.Add(Delete(context));
        return schedules;
    }

    private static Argument<string> DeploymentArgument() => new("deployment") { Description = "The deployment, as 'FLOW/DEPLOYMENT'." };

    private static Argument<Guid> ScheduleArgument() => new("schedule-id") { Description = "The schedule's id (see 'reeve deployment schedule ls')." };

    /// <summary>A schedule in one line: <c>cron '0 1 * * *' (Europe/London)</c>, <c>every 3600 s from 2026-01-01T00:00:00Z (UTC)</c>.</summary>
    internal static string Describe(JsonObject schedule)
    {
        var zone = schedule["timezone"]?.GetValue<string>() ?? "UTC";
        if (schedule["cron"] is { } cron)
        {
            var dayOr = schedule["day_or"]?.GetValue<bool>() ?? true;
            return $"cron '{cron.GetValue<string>()}' ({zone}){(dayOr ? "" : ", days AND weekdays")}";
        }

        if (schedule["interval"] is { } interval)
        {
            var seconds = interval.GetValue<double>().ToString(CultureInfo.InvariantCulture);
            return $"every {seconds} s from {schedule["anchor_date"]?.GetValue<string>()} ({zone})";
        }

        return $"rrule '{schedule["rrule"]?.GetValue<string>()}' ({zone})";
    }

    private static Command List(CliContext context)
    {
        var deployment = DeploymentArgument();
        var output = CommonOptions.Output();
        var command = new Command("ls", "List a deployment's schedules.") { deployment, output };
        command.SetAction(async (parse, ct) =>
        {
            using var client = context.CreateClient();
            var found = await DeploymentCommands.ReadAsync(client, parse.GetValue(deployment)!, ct);
            var schedules = await client.ReadDeploymentSchedulesAsync(found.Id, ct);
            if (parse.WantsJson(output))
            {
                context.WriteJson(schedules);
                return 0;
            }

            if (schedules.Count == 0)
            {
                context.WriteLine($"Deployment '{parse.GetValue(deployment)}' has no schedules.");
                return 0;
            }

            var table = new TextTable("Deployment Schedules");
            table.AddColumns("ID", "Schedule", "Active", "Max Scheduled Runs", "Slug");
            foreach (var s in schedules)
            {
                table.AddRow(
                    s.Id.ToString(),
                    Markup.Escape(Describe(s.Schedule)),
                    s.Active ? "[green]True[/]" : "[yellow]False[/]",
                    s.MaxScheduledRuns?.ToString(CultureInfo.InvariantCulture) ?? "",
                    Markup.Escape(s.Slug ?? ""));
            }

            table.WriteTo(context.Out);
            return 0;
        });
        return command;
    }

    private static Command Create(CliContext context)
    {
        var deployment = DeploymentArgument();
        var when = new ScheduleOptions();
        var max = new Option<int?>("--max-scheduled-runs") { Description = "The most future runs this schedule keeps (default: the scheduler's, 100)." };
        var slug = new Option<string?>("--slug") { Description = "A name for the schedule, unique within the deployment." };
        var inactive = new Option<bool>("--inactive") { Description = "Create it paused." };
        var param = new Option<string[]>("--param", "-p") { Description = "A parameter of this schedule's runs, as key=value, merged over the deployment's. Repeatable." };
        var command = new Command("create", "Add a schedule to a deployment; its runs are made at once.") { deployment, max, slug, inactive, param };
        when.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var schedule = when.Read(parse) ?? throw new CliException("Give exactly one of --cron, --interval or --rrule.");
            using var client = context.CreateClient();
            var found = await DeploymentCommands.ReadAsync(client, parse.GetValue(deployment)!, ct);
            var created = await client.CreateDeploymentSchedulesAsync(found.Id,
            [
                new DeploymentScheduleCreate
                {
                    Schedule = schedule,
                    Active = !parse.GetValue(inactive),
                    MaxScheduledRuns = parse.GetValue(max),
                    Slug = parse.GetValue(slug),
                    Parameters = Parameters.Read(parse.GetValue(param), null, "--param"),
                },
            ], ct);
            context.Success($"Created schedule {created[0].Id} ({Describe(created[0].Schedule)}) on deployment '{parse.GetValue(deployment)}'.");
            return 0;
        });
        return command;
    }

    private static Command SetActive(CliContext context, bool active)
    {
        var deployment = DeploymentArgument();
        var schedule = ScheduleArgument();
        var command = new Command(active ? "resume" : "pause",
            active ? "Resume a schedule: its runs are made again." : "Pause a schedule: the runs it made that have not started are removed.")
        {
            deployment, schedule,
        };
        command.SetAction(async (parse, ct) =>
        {
            using var client = context.CreateClient();
            var found = await DeploymentCommands.ReadAsync(client, parse.GetValue(deployment)!, ct);
            await ScheduleCallAsync(() => client.UpdateDeploymentScheduleAsync(found.Id, parse.GetValue(schedule), new DeploymentScheduleUpdate { Active = active }, ct),
                parse.GetValue(schedule));
            context.Success($"{(active ? "Resumed" : "Paused")} schedule {parse.GetValue(schedule)} of deployment '{parse.GetValue(deployment)}'.");
            return 0;
        });
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var deployment = DeploymentArgument();
        var schedule = ScheduleArgument();
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation." };
        var command = new Command("delete", "Delete a schedule and the runs it made that have not started.") { deployment, schedule, yes };
        command.SetAction(async (parse, ct) =>
        {
            if (context.IsInteractive && !parse.GetValue(yes)
                && !await context.Out.ConfirmAsync($"Are you sure you want to delete schedule {parse.GetValue(schedule)}?", defaultValue: false, ct))
            {
                throw new CliException("Deletion aborted.");
            }

            using var client = context.CreateClient();
            var found = await DeploymentCommands.ReadAsync(client, parse.GetValue(deployment)!, ct);
            await ScheduleCallAsync(() => client.DeleteDeploymentScheduleAsync(found.Id, parse.GetValue(schedule), ct), parse.GetValue(schedule));
            context.Success($"Deleted schedule {parse.GetValue(schedule)} of deployment '{parse.GetValue(deployment)}'.");
            return 0;
        });
        return command;
    }

    private static async Task ScheduleCallAsync(Func<Task> call, Guid id)
    {
        try
        {
            await call();
        }
        catch (ReeveApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new CliException($"Schedule '{id}' not found on this deployment!");
        }
    }
}

/// <summary>
/// <c>--cron</c>, <c>--interval</c> (with <c>--anchor-date</c>) or <c>--rrule</c>, with <c>--timezone</c>: one schedule,
/// as on <c>reeve deploy</c> and <c>reeve deployment schedule create</c>. The server checks the expression.
/// </summary>
internal sealed class ScheduleOptions
{
    private readonly Option<string?> _cron = new("--cron") { Description = "A cron schedule: 'minute hour day-of-month month day-of-week', e.g. '0 1 * * *'." };
    private readonly Option<double?> _interval = new("--interval") { Description = "An interval schedule: seconds between runs." };
    private readonly Option<string?> _anchor = new("--anchor-date") { Description = "The interval's anchor: runs fall a whole number of intervals from it (default: now)." };
    private readonly Option<string?> _rrule = new("--rrule") { Description = "An iCalendar recurrence rule, e.g. 'FREQ=WEEKLY;BYDAY=MO;BYHOUR=9'." };
    private readonly Option<string?> _timezone = new("--timezone") { Description = "The schedule's time zone, an IANA name such as 'Europe/London' (default: UTC)." };

    public void AddTo(Command command)
    {
        command.Options.Add(_cron);
        command.Options.Add(_interval);
        command.Options.Add(_anchor);
        command.Options.Add(_rrule);
        command.Options.Add(_timezone);
    }

    /// <summary>The schedule given, or null when none is.</summary>
    /// <exception cref="CliException">More than one kind, or an option without the one it goes with.</exception>
    public JsonObject? Read(ParseResult parse)
    {
        var given = new[] { parse.GetValue(_cron) is not null, parse.GetValue(_interval) is not null, parse.GetValue(_rrule) is not null }.Count(g => g);
        if (given > 1)
        {
            throw new CliException("Give only one of --cron, --interval or --rrule.");
        }

        if (parse.GetValue(_anchor) is not null && parse.GetValue(_interval) is null)
        {
            throw new CliException("--anchor-date goes with --interval.");
        }

        if (given == 0)
        {
            return parse.GetValue(_timezone) is null ? null : throw new CliException("--timezone goes with --cron, --interval or --rrule.");
        }

        var schedule = new JsonObject();
        if (parse.GetValue(_cron) is { } cron)
        {
            schedule["cron"] = cron;
        }
        else if (parse.GetValue(_interval) is { } seconds)
        {
            schedule["interval"] = seconds;
            if (parse.GetValue(_anchor) is { } anchor)
            {
                schedule["anchor_date"] = anchor;
            }
        }
        else
        {
            schedule["rrule"] = parse.GetValue(_rrule);
        }

        if (parse.GetValue(_timezone) is { } timezone)
        {
            schedule["timezone"] = timezone;
        }

        return schedule;
    }
}
