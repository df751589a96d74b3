using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Reeve.Server.Telemetry;

/// <summary>
/// The server's own instruments (meter <c>Reeve.Server</c>) and its activity source (traces of run state changes
/// and claims). They cost nothing until something listens: OpenTelemetry does when the server exports (see
/// <see cref="Hosting.TelemetryOptions"/>).
/// </summary>
internal sealed class ReeveMetrics
{
    /// <summary>The name of the meter and of the activity source.</summary>
    public const string Name = "Reeve.Server";

    /// <summary>Spans of the runs' lifecycle: one per state change and per claim, with the run's id as <c>reeve.flow_run.id</c>.</summary>
    public static readonly ActivitySource Activities = new(Name);

    private readonly Counter<long> _stateEntered;
    private readonly Histogram<double> _pickup;
    private readonly Histogram<double> _claim;
    private readonly Histogram<double> _pass;

    public ReeveMetrics(IMeterFactory meters, RunCounts counts)
    {
        var meter = meters.Create(Name);
        _stateEntered = meter.CreateCounter<long>("reeve.flow_run.state_entered", "{run}",
            "Runs that entered a state (tags: reeve.state.type, reeve.state.name: the orchestrator's own names, any other is 'other'; Late runs are SCHEDULED/Late).");
        _pickup = meter.CreateHistogram<double>("reeve.flow_run.pickup_latency", "s",
            "From a run's expected start to its claim (PENDING).");
        _claim = meter.CreateHistogram<double>("reeve.claim.duration", "s",
            "How long the server took to answer a claim (a batch claim, or a proposal of PENDING).");
        _pass = meter.CreateHistogram<double>("reeve.service.pass.duration", "s",
            "How long a pass of a background loop took (tag: reeve.loop: Scheduler, Foreman, Late runs).");
        meter.CreateObservableGauge("reeve.flow_runs", counts.RunsByState, "{run}",
            "Runs in each state now (tag: reeve.state.type; SCHEDULED/Late counted as reeve.state.name Late), counted every 15 s.");
        meter.CreateObservableGauge("reeve.workers.online", counts.WorkersOnline, "{worker}",
            "Workers whose heartbeats are current, per pool (tag: reeve.work_pool.name), counted every 15 s.");
    }

    /// <summary>
    /// The state names the orchestrator itself gives (Prefect's); a client may name a state anything, and each distinct
    /// name would be a new series until the exporter's limit (2,000 per instrument) folds everything after it into an
    /// overflow series. Any other name is counted as <c>other</c>.
    /// </summary>
    private static readonly HashSet<string> KnownNames = new(StringComparer.Ordinal)
    {
        "", "Scheduled", "Late", "AwaitingRetry", "AwaitingConcurrencySlot", "Pending", "Running", "Retrying", "Rerunning",
        "Paused", "Suspended", "Completed", "Cached", "RolledBack", "Failed", "TimedOut", "Crashed", "Cancelling", "Cancelled",
    };

    internal static string NameLabel(string? name) => name is null ? "" : KnownNames.TryGetValue(name, out var known) ? known : "other";

    /// <summary>A run entered a state (it was created in it, or moved to it).</summary>
    public void StateEntered(Core.States.StateType type, string? name, DateTime? expectedStart, DateTime now)
    {
        _stateEntered.Add(1, new KeyValuePair<string, object?>("reeve.state.type", Core.States.StateTypes.WireName(type)), new KeyValuePair<string, object?>("reeve.state.name", NameLabel(name)));
        if (type == Core.States.StateType.Pending && expectedStart is { } expected && now >= expected)
        {
            _pickup.Record((now - expected).TotalSeconds);
        }
    }

    /// <summary>A claim was answered after <paramref name="elapsed"/>.</summary>
    public void Claimed(TimeSpan elapsed) => _claim.Record(elapsed.TotalSeconds);

    /// <summary>A background loop's pass took <paramref name="elapsed"/>.</summary>
    public void Pass(string loop, TimeSpan elapsed) => _pass.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("reeve.loop", loop));
}
