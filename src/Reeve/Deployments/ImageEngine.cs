using Reeve.Serving;

namespace Reeve.Deployments;

/// <summary>
/// The engine inside a deployment's image (its entrypoint, written by Reeve when it builds the image): runs the
/// flow run named by <c>REEVE_FLOW_RUN_ID</c> (or the first argument) with the flow built into the image, against
/// the server at <c>REEVE_API_URL</c>. SIGTERM (a stopped container) cancels the run.
/// </summary>
public static class ImageEngine
{
    /// <summary>Runs the flow run; returns the process exit code: 0 when it completed, 1 otherwise, 2 when no run is named.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var named = args.Length > 0 ? args[0] : Environment.GetEnvironmentVariable("REEVE_FLOW_RUN_ID");
        if (!Guid.TryParse(named, out var runId))
        {
            await Console.Error.WriteLineAsync("No flow run to execute: set REEVE_FLOW_RUN_ID (a worker does) or pass the run's id.");
            return 2;
        }

        using var signals = new ShutdownSignals();
        try
        {
            return await DeploymentRunner.RunAsync(runId, signals.Token);
        }
        catch (DeploymentSourceException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 1;
        }
    }
}
