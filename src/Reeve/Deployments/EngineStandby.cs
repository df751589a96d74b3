using System.Text.Json;
using Reeve.Client;
using Reeve.Core.Json;
using Reeve.Core.Workers;

namespace Reeve.Deployments;

/// <summary>
/// An engine a process worker starts before its next flow run exists (<c>reeve flow-run execute --standby</c>): it
/// starts the runtime and warms what every run needs first (the HTTP stack, the JSON of runs, deployments and
/// states), then waits on its standard input for the run it is handed (<see cref="EngineHandoff"/>). The run then
/// starts without paying for the process start. It ends quietly when its input closes before a run comes.
/// </summary>
internal static class EngineStandby
{
    /// <summary>Warms up, then waits for the handoff and takes on its variables and folder; null when none came.</summary>
    public static async Task<EngineHandoff?> WaitAsync(TextReader input, CancellationToken cancellationToken)
    {
        await WarmUpAsync(cancellationToken);
        if (await input.ReadLineAsync(cancellationToken) is not { } line)
        {
            return null;
        }

        var handoff = EngineHandoff.Parse(line);
        foreach (var (name, value) in handoff.Environment)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        Directory.SetCurrentDirectory(handoff.WorkingDirectory);
        return handoff;
    }

    private static async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        try
        {
            // The wire types' metadata: built once per process, it is most of what a first request costs.
            foreach (var type in new[]
            {
                typeof(Core.FlowRuns.FlowRun), typeof(Core.Deployments.Deployment), typeof(Core.Flows.Flow),
                typeof(Core.FlowRuns.SetStateRequest), typeof(Core.Orchestration.OrchestrationResult), typeof(List<Core.Logs.LogCreate>),
            })
            {
                ReeveJson.Default.GetTypeInfo(type);
            }

            // The HTTP stack, with a request its own (the run's client is made after the handoff, from the run's variables).
            if (Environment.GetEnvironmentVariable("REEVE_API_URL") is { Length: > 0 } url)
            {
                using var client = new ReeveClient(new ReeveClientOptions
                {
                    ApiUrl = url,
                    ApiKey = Environment.GetEnvironmentVariable("REEVE_API_KEY"),
                    Timeout = TimeSpan.FromSeconds(5),
                });
                await client.HealthAsync(cancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Only a warm-up: the run does the same work again, and reports what fails then.
        }
    }
}
