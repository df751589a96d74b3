using System.Text.Json.Nodes;
using Reeve.Core.FlowRuns;
using Reeve.Workers.Infrastructure;

namespace Reeve.Workers.CloudRun;

/// <summary>How the server runs flow runs on Google Cloud Run.</summary>
public sealed record CloudRunInfrastructureOptions
{
    /// <summary>The Reeve settings each run's container is given (API URL and key, run id).</summary>
    public required Func<FlowRun, IReadOnlyDictionary<string, string>> RunEnvironment { get; init; }

    /// <summary>The Cloud Run Admin API (<c>https://run.googleapis.com/</c>); tests point it at a stand-in.</summary>
    public Uri Endpoint { get; init; } = new("https://run.googleapis.com/");

    /// <summary>How often a job's readiness and an execution's progress are read.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a new job may take to become ready before the run is given up.</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Where the infrastructure says what it does.</summary>
    public TextWriter Output { get; init; } = TextWriter.Null;

    /// <summary>The clock (for tokens, polling and timeouts).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}

/// <summary>
/// Runs a flow run as a Google Cloud Run job, as Prefect's Cloud Run (v2) worker does: creates a job from the rendered
/// job body (the run's Reeve settings in its container's environment, Reeve's labels on it), waits until Cloud Run
/// says it is ready, runs it, and follows the execution to its end; then deletes the job unless <c>keep_job</c>.
/// Cancelling cancels the execution. The infrastructure id is the execution's name, which a server started again
/// follows (<see cref="ResumeAsync"/>). Tested against a stand-in written from the API's reference, not against
/// Google Cloud itself.
/// </summary>
public sealed class CloudRunInfrastructure(CloudRunInfrastructureOptions options) : IResumableInfrastructure
{
    /// <summary>One client for every run, for the process's life (its connections are renewed every few minutes).</summary>
    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = TimeSpan.FromSeconds(60),
    };

    /// <inheritdoc />
    public async Task<InfrastructureResult> RunAsync(FlowRun run, JsonObject configuration, Func<string, Task> started, CancellationToken cancellationToken)
    {
        var job = CloudRunJob.From(configuration, run, options.RunEnvironment(run));
        var client = new CloudRunClient(Http, options.Endpoint, job.Account, options.Clock);
        var jobId = job.NewJobId();
        var name = $"{job.Parent}/jobs/{jobId}";
        await options.Output.WriteLineAsync($"Creating Cloud Run job {jobId} in {job.Parent} for flow run '{run.Name}'");
        await client.CreateJobAsync(job.Parent, jobId, job.Body, cancellationToken);
        try
        {
            await WaitUntilReadyAsync(client, name, cancellationToken);
            var execution = await client.RunJobAsync(name, cancellationToken);
            await started(execution);
            return await FollowAsync(client, execution, cancellationToken);
        }
        finally
        {
            if (!job.KeepJob)
            {
                await DeleteQuietlyAsync(client, name);
            }
        }
    }

    /// <summary>The run's execution (its infrastructure id, recorded when it started), followed to its end; null when there is none.</summary>
    public async Task<InfrastructureResult?> ResumeAsync(FlowRun run, JsonObject configuration, Func<string, Task> found, CancellationToken cancellationToken)
    {
        if (run.InfrastructurePid is not { Length: > 0 } execution || !execution.Contains("/executions/", StringComparison.Ordinal))
        {
            return null;
        }

        var job = CloudRunJob.From(configuration, run, options.RunEnvironment(run));
        var client = new CloudRunClient(Http, options.Endpoint, job.Account, options.Clock);
        try
        {
            await client.GetExecutionAsync(execution, cancellationToken);
        }
        catch (CloudRunException e) when (e.StatusCode == 404)
        {
            return null;
        }

        await found(execution);
        try
        {
            return await FollowAsync(client, execution, cancellationToken);
        }
        finally
        {
            if (!job.KeepJob)
            {
                await DeleteQuietlyAsync(client, execution[..execution.IndexOf("/executions/", StringComparison.Ordinal)]);
            }
        }
    }

    private async Task WaitUntilReadyAsync(CloudRunClient client, string name, CancellationToken cancellationToken)
    {
        var deadline = options.Clock.GetUtcNow() + options.ReadyTimeout;
        while (true)
        {
            var condition = (await client.GetJobAsync(name, cancellationToken))["terminalCondition"] as JsonObject;
            var state = condition?["state"]?.GetValue<string>();
            if (condition?["type"]?.GetValue<string>() == "Ready" && state == "CONDITION_SUCCEEDED")
            {
                return;
            }

            if (state is "CONDITION_FAILED" || condition?["reason"]?.GetValue<string>() == "ContainerMissing")
            {
                throw new InvalidOperationException($"Cloud Run job {CloudRunClient.Last(name)} is not ready: {condition?["message"]?.GetValue<string>() ?? state}");
            }

            if (options.Clock.GetUtcNow() > deadline)
            {
                throw new InvalidOperationException($"Cloud Run job {CloudRunClient.Last(name)} was not ready within {options.ReadyTimeout.TotalSeconds:0} s.");
            }

            await Task.Delay(options.PollInterval, options.Clock, cancellationToken);
        }
    }

    /// <summary>Reads the execution until it completes; cancelling asks Cloud Run to cancel it, then waits for it to end.</summary>
    private async Task<InfrastructureResult> FollowAsync(CloudRunClient client, string execution, CancellationToken cancellationToken)
    {
        var cancelled = false;
        while (true)
        {
            JsonObject current;
            try
            {
                current = await client.GetExecutionAsync(execution, cancelled ? CancellationToken.None : cancellationToken);
            }
            catch (CloudRunException e) when (e.StatusCode == 404)
            {
                return new InfrastructureResult(-1, Explanation: $"Cloud Run execution {CloudRunClient.Last(execution)} was deleted before it completed.");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !cancelled)
            {
                cancelled = await CancelAsync(client, execution);
                continue;
            }

            if (current["completionTime"] is not null)
            {
                return Outcome(current, execution);
            }

            try
            {
                await Task.Delay(options.PollInterval, options.Clock, cancelled ? CancellationToken.None : cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !cancelled)
            {
                cancelled = await CancelAsync(client, execution);
            }
        }
    }

    private async Task<bool> CancelAsync(CloudRunClient client, string execution)
    {
        await options.Output.WriteLineAsync($"Cancelling Cloud Run execution {CloudRunClient.Last(execution)}");
        await client.CancelExecutionAsync(execution, CancellationToken.None);
        return true;
    }

    /// <summary>Succeeded when a <c>Completed</c> condition succeeded, as Prefect reads it; otherwise that condition's message says why.</summary>
    private static InfrastructureResult Outcome(JsonObject execution, string name)
    {
        var completed = (execution["conditions"] as JsonArray)?.OfType<JsonObject>()
            .FirstOrDefault(c => c["type"]?.GetValue<string>() == "Completed");
        if (completed?["state"]?.GetValue<string>() == "CONDITION_SUCCEEDED")
        {
            return new InfrastructureResult(0);
        }

        var why = completed?["message"]?.GetValue<string>() ?? completed?["reason"]?.GetValue<string>() ?? "no reason given";
        var cancelled = execution["cancelledCount"] is JsonValue c && c.TryGetValue<int>(out var n) && n > 0;
        return new InfrastructureResult(1, Explanation: cancelled
            ? $"Cloud Run execution {CloudRunClient.Last(name)} was cancelled: {why}"
            : $"Cloud Run execution {CloudRunClient.Last(name)} failed: {why}");
    }

    private async Task DeleteQuietlyAsync(CloudRunClient client, string job)
    {
        try
        {
            await client.DeleteJobAsync(job, CancellationToken.None);
        }
        catch (Exception e) when (e is CloudRunException or HttpRequestException or TaskCanceledException)
        {
            await options.Output.WriteLineAsync($"Could not delete Cloud Run job {CloudRunClient.Last(job)}: {e.Message}");
        }
    }

}
