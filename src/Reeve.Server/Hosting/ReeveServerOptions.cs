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

    /// <summary>The clock; tests pass a fake one.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>How often the foreman looks for runs whose heartbeats stopped (it ends them CRASHED); <see cref="Timeout.InfiniteTimeSpan"/> turns it off.</summary>
    public TimeSpan ForemanInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The least level of the server's own log lines written to the console.</summary>
    public Microsoft.Extensions.Logging.LogLevel LogLevel { get; init; } = Microsoft.Extensions.Logging.LogLevel.Information;
}
