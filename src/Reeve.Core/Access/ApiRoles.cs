using Reeve.Core.Errors;

namespace Reeve.Core.Access;

/// <summary>
/// The roles an API key can have. <c>viewer</c> reads; <c>developer</c> also writes flows, deployments, runs and logs;
/// <c>platform</c> also writes pools, queues, workers and credentials; <c>admin</c> may do everything, API keys
/// included. <c>worker</c> reads and runs flows: it claims from pools (only its own when the key names pools),
/// heartbeats, and reports its runs' states, task runs and logs.
/// </summary>
public static class ApiRoles
{
    /// <summary>Everything, API keys included.</summary>
    public const string Admin = "admin";

    /// <summary>What <see cref="Developer"/> may, and pools, queues, workers and credentials.</summary>
    public const string Platform = "platform";

    /// <summary>What <see cref="Viewer"/> may, and flows, deployments, schedules, runs, task runs and logs.</summary>
    public const string Developer = "developer";

    /// <summary>What <see cref="Viewer"/> may, and claiming, heartbeats and reporting the runs it runs.</summary>
    public const string Worker = "worker";

    /// <summary>Reads only.</summary>
    public const string Viewer = "viewer";

    /// <summary>Every role, most powerful first.</summary>
    public static IReadOnlyList<string> All { get; } = [Admin, Platform, Developer, Worker, Viewer];

    /// <summary>The role named <paramref name="role"/>; a 422 naming <c>role</c> when there is none.</summary>
    public static string Parse(string? role) =>
        All.FirstOrDefault(r => string.Equals(r, role, StringComparison.Ordinal))
            ?? throw new ReeveValidationException("role", $"must be one of {string.Join(", ", All)} (got '{role}')");
}
