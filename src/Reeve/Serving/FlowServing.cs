using System.Text.Json.Nodes;
using Reeve.Flows;

namespace Reeve.Serving;

/// <summary>
/// Serving: this process creates a deployment for each flow (with no work pool) and runs its runs — scheduled
/// and manually triggered (<c>reeve deployment run</c>) — until it is stopped with Ctrl+C or SIGTERM. Runs are
/// started the moment they are due: the server pushes them (polling is the fallback).
/// </summary>
public static class FlowServing
{
    /// <summary>Serves one flow under <paramref name="name"/>.</summary>
    /// <param name="flow">The flow.</param>
    /// <param name="name">The deployment's name.</param>
    /// <param name="cron">A cron schedule, if any.</param>
    /// <param name="interval">An interval schedule, if any.</param>
    /// <param name="parameters">Default parameters of its runs.</param>
    /// <param name="options">How to serve.</param>
    /// <param name="rrule">An iCalendar recurrence rule, if any.</param>
    /// <param name="timezone">The time zone of the schedules (IANA name); UTC when null.</param>
    /// <param name="cancellationToken">Stops serving; when none is given, Ctrl+C and SIGTERM do.</param>
    public static Task ServeAsync(this FlowDefinition flow, string name, string? cron = null, TimeSpan? interval = null,
        JsonObject? parameters = null, ServeOptions? options = null, string? rrule = null, string? timezone = null, CancellationToken cancellationToken = default) =>
        ServeAsync([new ServedFlow { Flow = flow, Name = name, Cron = cron, Interval = interval, RRule = rrule, Timezone = timezone, Parameters = parameters }], options, cancellationToken);

    /// <summary>Serves several flows in this process.</summary>
    public static async Task ServeAsync(IReadOnlyList<ServedFlow> flows, ServeOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (flows.Count == 0)
        {
            throw new ArgumentException("Give at least one flow to serve.", nameof(flows));
        }

        using var signals = cancellationToken.CanBeCanceled ? null : new ShutdownSignals();
        var token = signals?.Token ?? cancellationToken;
        await using var server = new FlowServer(flows, options ?? new ServeOptions());
        await server.RunAsync(token);
    }
}
