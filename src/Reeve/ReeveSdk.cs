using Reeve.Client;
using Reeve.Engine;

namespace Reeve;

/// <summary>
/// Where flows report to. By default the environment and the profile decide: a flow is tracked when
/// <c>REEVE_API_URL</c> is set (in the environment or with <c>reeve config set</c>), and runs untracked otherwise
/// — useful to unit-test flows. Call <see cref="UseServer"/> or <see cref="UseNoServer"/> to decide in code.
/// </summary>
public static class ReeveSdk
{
    /// <summary>Tracks flows on the server at <paramref name="apiUrl"/> (e.g. <c>http://127.0.0.1:4200/api</c>).</summary>
    public static void UseServer(string apiUrl, string? apiKey = null) =>
        ReeveRuntime.Replace(new ReeveClientOptions { ApiUrl = apiUrl, ApiKey = apiKey });

    /// <summary>Runs flows untracked, whatever the environment says.</summary>
    public static void UseNoServer() => ReeveRuntime.Replace(null);

    /// <summary>Whether flows are tracked now.</summary>
    public static bool IsTracked => ReeveRuntime.Current.Client is not null;

    /// <summary>
    /// Sends every queued log line and task run report; the engine does this at the end of each flow run, so
    /// call it only when logging from outside flows before the process exits.
    /// </summary>
    public static Task FlushAsync() => ReeveRuntime.Current.Reporter?.FlushAsync() ?? Task.CompletedTask;
}
