using System.Text.Json.Nodes;
using Cronos;
using Reeve.Core.Errors;

namespace Reeve.Core.Schedules;

/// <summary>
/// A five-field cron expression (<c>minute hour day-of-month month day-of-week</c>, or a macro such as
/// <c>@daily</c>) read in a time zone. Daylight-saving changes follow cron's wall-clock rules: a fixed-time
/// run whose time is skipped when clocks go forward runs when the gap ends; a fixed-time run whose time
/// happens twice when clocks go back runs once, the first time; expressions whose hour is not fixed
/// (<c>0 * * * *</c>, <c>*/30 * * * *</c>) run through both repeated hours, so they keep their elapsed rhythm. With <see cref="DayOr"/> (the default, as in cron),
/// a restricted day-of-month and a restricted day-of-week match when either does; without it, when both do.
/// </summary>
public sealed class CronSchedule : Schedule
{
    private readonly CronExpression _expression;
    private readonly CronExpression? _weekdays;

    private CronSchedule(string cron, bool dayOr, TimeZoneInfo zone, CronExpression expression, CronExpression? weekdays)
        : base(zone)
    {
        Cron = cron;
        DayOr = dayOr;
        _expression = expression;
        _weekdays = weekdays;
    }

    /// <summary>The expression as given.</summary>
    public string Cron { get; }

    /// <summary>Whether a restricted day-of-month and day-of-week combine with OR (cron's rule) rather than AND.</summary>
    public bool DayOr { get; }

    /// <inheritdoc/>
    public override string Kind => "CronSchedule";

    /// <summary>Parses an expression, or says in one line what is wrong with it.</summary>
    /// <exception cref="ReeveValidationException">The expression is not a five-field cron expression.</exception>
    public static CronSchedule Create(string cron, TimeZoneInfo? zone = null, bool dayOr = true, string field = "cron")
    {
        cron = cron.Trim();
        zone ??= TimeZoneInfo.Utc;
        var fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (!cron.StartsWith('@') && fields.Length != 5)
        {
            throw Invalid(cron, field, $"it has {fields.Length} field(s); a cron expression has 5 (minute hour day-of-month month day-of-week)");
        }

        var expression = ParseExpression(cron, cron, field);
        if (cron.StartsWith('@') || !Restricted(fields[2]) || !Restricted(fields[4]))
        {
            return new CronSchedule(cron, dayOr, zone, expression, null);
        }

        // Both day fields restricted. Cronos matches them together (AND); OR is the union of the expression with
        // each day field alone, so the expression is kept with day-of-week opened and a second one with day-of-month opened.
        var days = ParseExpression(string.Join(' ', fields[0], fields[1], fields[2], fields[3], "*"), cron, field);
        var weekdays = ParseExpression(string.Join(' ', fields[0], fields[1], "*", fields[3], fields[4]), cron, field);
        return dayOr ? new CronSchedule(cron, dayOr, zone, days, weekdays) : new CronSchedule(cron, dayOr, zone, expression, null);
    }

    internal static CronSchedule Read(JsonObject schedule, string field)
    {
        RequireOnly(schedule, field, "cron", "timezone", "day_or");
        var cron = RequireString(schedule, "cron", field);
        var zone = ReadZone(schedule, field);
        var dayOr = schedule["day_or"] switch
        {
            null => true,
            JsonValue v when v.TryGetValue<bool>(out var b) => b,
            _ => throw new ReeveValidationException($"{field}.day_or", "must be true or false"),
        };
        return Create(cron, zone, dayOr, $"{field}.cron");
    }

    /// <inheritdoc/>
    public override IEnumerable<DateTimeOffset> Occurrences(DateTimeOffset from)
    {
        var next = _expression.GetNextOccurrence(from, Zone, inclusive: true);
        var other = _weekdays?.GetNextOccurrence(from, Zone, inclusive: true);
        while (next is not null || other is not null)
        {
            DateTimeOffset current;
            if (other is null || (next is not null && next.Value.UtcDateTime <= other.Value.UtcDateTime))
            {
                current = next!.Value;
            }
            else
            {
                current = other.Value;
            }

            yield return current;
            if (next is { } n && n.UtcDateTime == current.UtcDateTime)
            {
                next = _expression.GetNextOccurrence(n, Zone);
            }

            if (other is { } o && o.UtcDateTime == current.UtcDateTime)
            {
                other = _weekdays!.GetNextOccurrence(o, Zone);
            }
        }
    }

    /// <inheritdoc/>
    private protected override string Key => "cron";

    /// <inheritdoc/>
    public override JsonObject ToJson() => new() { ["cron"] = Cron, ["timezone"] = Timezone, ["day_or"] = DayOr };

    private static bool Restricted(string dayField) => dayField is not ("*" or "?");

    private static CronExpression ParseExpression(string text, string cron, string field)
    {
        try
        {
            return CronExpression.Parse(text, CronFormat.Standard);
        }
        catch (CronFormatException e)
        {
            const string Prefix = "The given cron expression has an invalid format. ";
            var reason = e.Message.StartsWith(Prefix, StringComparison.Ordinal) ? e.Message[Prefix.Length..] : e.Message;
            throw Invalid(cron, field, reason.TrimEnd('.'));
        }
    }

    private static ReeveValidationException Invalid(string cron, string field, string reason) =>
        new(field, $"Invalid cron string \"{cron}\": {reason}");
}
