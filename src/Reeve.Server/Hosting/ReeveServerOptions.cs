using Reeve.Server.Storage;

namespace Reeve.Server.Hosting;

/// <summary>How a Reeve server is started.</summary>
public sealed record ReeveServerOptions
{
    /// <summary>The address to listen on; loopback by default.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The port; 0 picks a free one (see <see cref="ReeveServer.Urls"/>).</summary>
    public int Port { get; init; } = 4200;

    /// <summary>Where state is kept.</summary>
    public required StorageOptions Storage { get; init; }

    /// <summary>When set, every <c>/api</c> request but health must carry <c>Authorization: Bearer &lt;key&gt;</c>.</summary>
    public string? ApiKey { get; init; }

    /// <summary>
    /// The host names requests may be addressed to (the <c>Host</c> header), and the origins besides the server's own
    /// that browsers may send requests from. Null: when the server listens on loopback, <c>localhost</c>,
    /// <c>127.0.0.1</c> and <c>::1</c> only (a web page cannot then reach it through a DNS name of its own: DNS
    /// rebinding); on any other address, every host. <c>*</c> allows every host.
    /// </summary>
    public IReadOnlyList<string>? AllowedHosts { get; init; }

    /// <summary>Whether the server serves the web UI at <c>/</c> (the API is always served).</summary>
    public bool Ui { get; init; } = true;

    /// <summary>The clock; tests pass a fake one.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>How often the foreman looks for runs whose heartbeats stopped (it ends them CRASHED); <see cref="Timeout.InfiniteTimeSpan"/> turns it off.</summary>
    public TimeSpan ForemanInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often the scheduler tops up every schedule (it also runs at start and at once when a deployment's
    /// schedules change); <see cref="Timeout.InfiniteTimeSpan"/> turns it off.
    /// </summary>
    public TimeSpan SchedulerInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How far ahead the scheduler plans each schedule.</summary>
    public Core.Schedules.SchedulerLimits SchedulerLimits { get; init; } = new();

    /// <summary>How often late runs are looked for (marked Late, or expired); <see cref="Timeout.InfiniteTimeSpan"/> turns it off.</summary>
    public TimeSpan LateRunsInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long past its time a SCHEDULED run waits before it is marked Late.</summary>
    public TimeSpan MarkLateAfter { get; init; } = Core.Schedules.LateRuns.MarkLateAfter;

    /// <summary>The least level of the server's own log lines written to the console.</summary>
    public Microsoft.Extensions.Logging.LogLevel LogLevel { get; init; } = Microsoft.Extensions.Logging.LogLevel.Information;

    /// <summary>How log lines are written: readable text (default) or JSON lines (<c>--log-format json</c>).</summary>
    public LogFormat LogFormat { get; init; } = LogFormat.Text;

    /// <summary>What the server exports of itself (metrics, traces); nothing by default.</summary>
    public TelemetryOptions Telemetry { get; init; } = new();

    /// <summary>A logger provider added beside the console (tests collect the server's errors with it).</summary>
    internal Microsoft.Extensions.Logging.ILoggerProvider? ExtraLogger { get; init; }
}
