using System.Text.Json.Nodes;
using Reeve.Core.FlowRuns;
using Reeve.Core.JobTemplates;
using Reeve.Workers.Infrastructure;

namespace Reeve.Workers.Ecs;

/// <summary>How the server runs flow runs as Amazon ECS tasks.</summary>
public sealed record EcsInfrastructureOptions
{
    /// <summary>The Reeve settings each run's container is given (API URL and key, run id).</summary>
    public required Func<FlowRun, IReadOnlyDictionary<string, string>> RunEnvironment { get; init; }

    /// <summary>The ECS API; null for <c>https://ecs.REGION.amazonaws.com/</c>. Tests point it at a stand-in.</summary>
    public Uri? EcsEndpoint { get; init; }

    /// <summary>The EC2 API (to find the default VPC's subnets); null for <c>https://ec2.REGION.amazonaws.com/</c>.</summary>
    public Uri? Ec2Endpoint { get; init; }

    /// <summary>How often a task is read, over the job's <c>task_watch_poll_interval</c> (tests make it short); null for the job's.</summary>
    public TimeSpan? PollInterval { get; init; }

    /// <summary>Where AWS credentials and the region come from when the pool's <c>aws_credentials</c> has none (the server's environment).</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>The home folder holding <c>.aws/credentials</c>, for the same fallback.</summary>
    public string? Home { get; init; } = System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile);

    /// <summary>Where the infrastructure says what it does.</summary>
    public TextWriter Output { get; init; } = TextWriter.Null;

    /// <summary>The clock (for signatures, polling and timeouts).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}

/// <summary>
/// Runs a flow run as an Amazon ECS task, as Prefect's ECS worker does: registers the task definition rendered from the
/// job configuration (or uses <c>task_definition_arn</c>, or the family's latest revision when it is the same and
/// <c>match_latest_revision_in_family</c>), runs the task with the run's Reeve settings in its orchestration container's
/// environment, and follows it (DescribeTasks) until it stopped: the container's exit code is the run's, and ECS's
/// stopped reason says why when it failed. Cancelling stops the task. The infrastructure id is <c>CLUSTER::TASK_ARN</c>,
/// which a server started again follows (<see cref="ResumeAsync"/>). Requests are signed with Signature Version 4.
/// Tested against a stand-in written from AWS's API reference, not against AWS itself.
/// </summary>
public sealed class EcsInfrastructure(EcsInfrastructureOptions options) : IResumableInfrastructure
{
    /// <summary>One client for every run, for the process's life (its connections are renewed every few minutes).</summary>
    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = TimeSpan.FromSeconds(60),
    };

    /// <inheritdoc />
    public async Task<InfrastructureResult> RunAsync(FlowRun run, JsonObject configuration, Func<string, Task> started, CancellationToken cancellationToken)
    {
        var job = EcsJob.From(configuration, run, options.RunEnvironment(run), options.Environment, options.Home);
        var client = Client(job);
        var (definitionArn, definition, registered) = await TaskDefinitionAsync(client, job, cancellationToken);
        var request = (JsonObject)job.RunRequest.DeepClone();
        request["taskDefinition"] = definitionArn;
        // One token for every try of this submission: ECS starts one task however often the request is sent.
        request["clientToken"] = Guid.NewGuid().ToString("N");
        if (registered && job.AutoDeregister)
        {
            (request["tags"] as JsonArray ?? []).Add(new JsonObject { ["key"] = EcsJob.DeregisterTag, ["value"] = "true" });
        }

        try
        {
            if (definition?["networkMode"]?.GetValue<string>() == "awsvpc" && request["networkConfiguration"] is null)
            {
                request["networkConfiguration"] = new JsonObject
                {
                    ["awsvpcConfiguration"] = job.NetworkConfiguration?.DeepClone() ?? new JsonObject
                    {
                        ["subnets"] = new JsonArray([.. (await client.SubnetsAsync(job.VpcId, cancellationToken)).Select(s => (JsonNode)s)]),
                        ["assignPublicIp"] = "ENABLED",
                        ["securityGroups"] = new JsonArray(),
                    },
                };
            }

            await options.Output.WriteLineAsync($"Running ECS task of {definitionArn} in cluster {job.Cluster ?? "default"} for flow run '{run.Name}'");
            var task = await client.RunTaskAsync(request, cancellationToken);
            var taskArn = task["taskArn"]!.GetValue<string>();
            var cluster = job.Cluster ?? task["clusterArn"]?.GetValue<string>() ?? "default";
            await started($"{cluster}::{taskArn}");
            return await FollowAsync(client, job, cluster, taskArn, cancellationToken);
        }
        finally
        {
            if (registered && job.AutoDeregister)
            {
                await DeregisterQuietlyAsync(client, definitionArn);
            }
        }
    }

    /// <summary>The run's task (its infrastructure id, else the task started by the run), followed until it stopped; null when there is none.</summary>
    public async Task<InfrastructureResult?> ResumeAsync(FlowRun run, JsonObject configuration, Func<string, Task> found, CancellationToken cancellationToken)
    {
        var job = EcsJob.From(configuration, run, options.RunEnvironment(run), options.Environment, options.Home);
        var client = Client(job);
        string cluster;
        string taskArn;
        if (run.InfrastructurePid is { Length: > 0 } pid && pid.Split("::", 2) is [var c, var t] && t.StartsWith("arn:", StringComparison.Ordinal))
        {
            (cluster, taskArn) = (c, t);
        }
        else if ((await client.ListTasksAsync(job.Cluster, run.Id.ToString(), cancellationToken)) is [var listed, ..])
        {
            (cluster, taskArn) = (job.Cluster ?? "default", listed);
        }
        else
        {
            return null;
        }

        var task = await client.DescribeTaskAsync(cluster, taskArn, cancellationToken);
        if (task is null)
        {
            return null;
        }

        await found($"{cluster}::{taskArn}");
        try
        {
            return await FollowAsync(client, job, cluster, taskArn, cancellationToken);
        }
        finally
        {
            var tags = (task["tags"] as JsonArray ?? []).OfType<JsonObject>();
            if (tags.Any(tag => JobConfiguration.Text(tag, "key") == EcsJob.DeregisterTag) && task["taskDefinitionArn"]?.GetValue<string>() is { } arn)
            {
                await DeregisterQuietlyAsync(client, arn);
            }
        }
    }

    private EcsClient Client(EcsJob job)
    {
        var api = new AwsApi(Http, job.Credentials, options.Clock);
        var region = job.Credentials.Region;
        return new EcsClient(api,
            new AwsService("ECS", options.EcsEndpoint ?? new Uri($"https://ecs.{region}.amazonaws.com/"), "ecs"),
            new AwsService("EC2", options.Ec2Endpoint ?? new Uri($"https://ec2.{region}.amazonaws.com/"), "ec2"));
    }

    /// <summary>The task definition's ARN, what it holds, and whether this run registered it.</summary>
    private async Task<(string Arn, JsonObject? Definition, bool Registered)> TaskDefinitionAsync(EcsClient client, EcsJob job, CancellationToken cancellationToken)
    {
        if (job.TaskDefinitionArn is { } arn)
        {
            var existing = await client.DescribeTaskDefinitionAsync(arn, cancellationToken)
                ?? throw new ArgumentException($"ECS has no task definition '{arn}' (the job variable 'task_definition_arn').");
            return (arn, existing, false);
        }

        var definition = job.TaskDefinition!;
        if (job.MatchLatestRevision && await client.DescribeTaskDefinitionAsync(definition["family"]!.GetValue<string>(), cancellationToken) is { } latest
            && latest["status"]?.GetValue<string>() == "ACTIVE" && EcsTaskDefinitions.Same(definition, latest)
            && latest["taskDefinitionArn"]?.GetValue<string>() is { } latestArn)
        {
            await options.Output.WriteLineAsync($"Using ECS task definition {latestArn}, the latest of its family, which is the same");
            return (latestArn, latest, false);
        }

        await options.Output.WriteLineAsync($"Registering ECS task definition of family {definition["family"]}");
        return (await client.RegisterTaskDefinitionAsync(definition, cancellationToken), definition, true);
    }

    /// <summary>Reads the task until it stopped; cancelling stops it, then waits for it to stop. A task that does not start in time is stopped.</summary>
    private async Task<InfrastructureResult> FollowAsync(EcsClient client, EcsJob job, string cluster, string taskArn, CancellationToken cancellationToken)
    {
        var poll = options.PollInterval ?? job.PollInterval;
        var startBy = options.Clock.GetUtcNow() + job.StartTimeout;
        var stopping = false;
        string? stoppedForTime = null;
        while (true)
        {
            JsonObject? task;
            try
            {
                task = await client.DescribeTaskAsync(cluster, taskArn, stopping ? CancellationToken.None : cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !stopping)
            {
                stopping = await StopAsync(client, cluster, taskArn, "The flow run was cancelled in Reeve.");
                continue;
            }

            if (task is null)
            {
                return new InfrastructureResult(-1, Explanation: $"ECS no longer knows task {Id(taskArn)}: it was stopped and forgotten before it was seen to end.");
            }

            var status = task["lastStatus"]?.GetValue<string>();
            if (status == "STOPPED")
            {
                return Outcome(task, job.ContainerName, taskArn, stoppedForTime);
            }

            if (!stopping && stoppedForTime is null && status is "PROVISIONING" or "PENDING" or "ACTIVATING" && options.Clock.GetUtcNow() > startBy)
            {
                stoppedForTime = $"ECS task {Id(taskArn)} did not start within {job.StartTimeout.TotalSeconds:0} s (it was {status}).";
                await StopAsync(client, cluster, taskArn, stoppedForTime);
                stopping = true;
            }

            try
            {
                await Task.Delay(poll, options.Clock, stopping ? CancellationToken.None : cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !stopping)
            {
                stopping = await StopAsync(client, cluster, taskArn, "The flow run was cancelled in Reeve.");
            }
        }
    }

    private async Task<bool> StopAsync(EcsClient client, string cluster, string taskArn, string reason)
    {
        await options.Output.WriteLineAsync($"Stopping ECS task {Id(taskArn)}: {reason}");
        await client.StopTaskAsync(cluster, taskArn, reason, CancellationToken.None);
        return true;
    }

    /// <summary>The orchestration container's exit code; ECS's stopped reason says why when the task failed.</summary>
    private static InfrastructureResult Outcome(JsonObject task, string containerName, string taskArn, string? stoppedForTime)
    {
        var containers = (task["containers"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var container = containers.FirstOrDefault(c => JobConfiguration.Text(c, "name") == containerName) ?? containers.FirstOrDefault();
        var reason = JobConfiguration.Text(task, "stoppedReason") is { Length: > 0 } r ? r : "no reason given";
        if (stoppedForTime is not null)
        {
            return new InfrastructureResult(-1, Explanation: stoppedForTime);
        }

        if (container?["exitCode"] is JsonValue code && code.TryGetValue<int>(out var exit))
        {
            if (exit == 0)
            {
                return new InfrastructureResult(0);
            }

            var why = container is not null && JobConfiguration.Text(container, "reason") is { Length: > 0 } containerReason ? $"{reason} ({containerReason})" : reason;
            return new InfrastructureResult(exit, Explanation: $"ECS task {Id(taskArn)} stopped: {why}; its container '{containerName}' exited with code {exit}.");
        }

        var containerWhy = container is not null && JobConfiguration.Text(container, "reason") is { Length: > 0 } cr ? $" ({cr})" : "";
        return new InfrastructureResult(-1, Explanation: $"ECS task {Id(taskArn)} stopped before its container '{containerName}' exited: {reason}{containerWhy}");
    }

    private async Task DeregisterQuietlyAsync(EcsClient client, string arn)
    {
        try
        {
            await client.DeregisterTaskDefinitionAsync(arn, CancellationToken.None);
        }
        catch (Exception e) when (e is AwsException or HttpRequestException or TaskCanceledException)
        {
            await options.Output.WriteLineAsync($"Could not deregister ECS task definition {arn}: {e.Message}");
        }
    }

    /// <summary>The task's id (the last segment of its ARN).</summary>
    private static string Id(string arn) => arn[(arn.LastIndexOf('/') + 1)..];
}
