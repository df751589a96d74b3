using Microsoft.Extensions.Logging;
using Reeve.Client;
using Reeve.Core.States;
using Reeve.Engine;
using Reeve.Logging;

namespace Reeve.Deployments;

/// <summary>
/// The engine's side of a deployment: given a flow run of a deployment (started by a worker, or by the server
/// for a managed pool), runs the deployment's pull steps in the current folder, builds the entrypoint (or takes
/// the cached build of the same commit), loads the flow and runs it as that flow run.
/// </summary>
public static class DeploymentRunner
{
    private const string LoggerName = "reeve.deployments";

    /// <summary>
    /// Runs flow run <paramref name="flowRunId"/> of its deployment. Returns the process exit code: 0 when the
    /// run completed, 1 otherwise (a build or load failure ends the run FAILED, with the compiler's messages in its logs).
    /// </summary>
    public static async Task<int> RunAsync(Guid flowRunId, CancellationToken cancellationToken = default)
    {
        var client = ReeveRuntime.Current.Client
            ?? throw new InvalidOperationException("Running a deployment's flow run needs a Reeve server: set REEVE_API_URL.");
        var run = await client.ReadFlowRunAsync(flowRunId, cancellationToken);
        if (run.DeploymentId is not { } deploymentId)
        {
            throw new DeploymentSourceException($"Flow run '{run.Name}' has no deployment to load its flow from.");
        }

        var reading = client.ReadDeploymentAsync(deploymentId, cancellationToken);
        var flowName = (await client.ReadFlowAsync(run.FlowId, cancellationToken)).Name;
        var deployment = await reading;
        Flows.FlowDefinition flow;
        try
        {
            var entrypoint = Entrypoint.Parse(deployment.Entrypoint
                ?? throw new DeploymentSourceException($"Deployment '{flowName}/{deployment.Name}' has no entrypoint."));
            var source = await PullSteps.RunAsync(deployment.PullSteps, Directory.GetCurrentDirectory(), cancellationToken,
                new LineProgress(line => Log(LogLevel.Information, line, run)));
            var file = entrypoint.Resolve(source.Folder);
            var building = System.Diagnostics.Stopwatch.StartNew();
            var (assembly, cached) = await FlowBuilder.BuildAsync(entrypoint, file, source.Commit, ReeveSettings.HomeFolder(), cancellationToken,
                new LineProgress(line => Log(LogLevel.Information, line, run)));
            Log(LogLevel.Information, entrypoint.Kind == EntrypointKind.Assembly
                ? $"Loading {entrypoint.Path} from {source.Folder}"
                : cached
                ? $"Loading {entrypoint.Path} of commit {source.Commit?[..Math.Min(12, source.Commit.Length)]} from the build cache"
                : $"Built {entrypoint.Path}{(source.Commit is { } c ? $" of commit {c[..Math.Min(12, c.Length)]}" : "")} in {building.Elapsed.TotalSeconds:0.0} s", run);
            flow = FlowLoader.Load(assembly, entrypoint, flowName);
        }
        catch (DeploymentSourceException e)
        {
            foreach (var line in e.Details)
            {
                Log(LogLevel.Error, line, run);
            }

            Log(LogLevel.Error, e.Message, run);
            await ReeveSdk.FlushAsync();
            await client.SetFlowRunStateAsync(run.Id, new StateCreate { Type = StateType.Failed, Message = e.Message }, cancellationToken: CancellationToken.None);
            return 1;
        }

        var outcome = await FlowEngine.RunExistingAsync(flow, run, cancellationToken);
        await ReeveSdk.FlushAsync();
        return outcome.State == StateType.Completed ? 0 : 1;
    }

    /// <summary>Reports at once, on the caller's thread (<see cref="Progress{T}"/> would post to the thread pool, out of order).</summary>
    private sealed class LineProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }

    private static void Log(LogLevel level, string message, Core.FlowRuns.FlowRun run) =>
        RunLogger.Write(LoggerName, level, message, run.Id, run.Name, writeToConsole: true);
}
