using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using Azure.Identity;
using Azure.ResourceManager;
using Azure.ResourceManager.Models;
using Azure.ResourceManager.Resources;
using Reeve.Core.FlowRuns;
using Reeve.Workers.Infrastructure;

namespace Reeve.Workers.ContainerInstances;

/// <summary>How the server runs flow runs on Azure Container Instances.</summary>
public sealed record ContainerInstanceInfrastructureOptions
{
    /// <summary>The Reeve settings each run's container is given (API URL and key, run id).</summary>
    public required Func<FlowRun, IReadOnlyDictionary<string, string>> RunEnvironment { get; init; }

    /// <summary>Where Azure is; tests point it at a stand-in.</summary>
    public AzureEndpoints Endpoints { get; init; } = new();

    /// <summary>How often a container group is read while it starts and runs, unless the job's <c>task_watch_poll_interval</c> says.</summary>
    public TimeSpan? PollInterval { get; init; }

    /// <summary>Where the infrastructure says what it does.</summary>
    public TextWriter Output { get; init; } = TextWriter.Null;

    /// <summary>The clock (for polling and timeouts).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}

/// <summary>
/// Runs a flow run as an Azure Container Instances container group, as Prefect's ACI worker does: creates the group from
/// the rendered job configuration (through Azure Resource Manager, as a generic resource, with the pool's service
/// principal), waits for it to be provisioned within <c>task_start_timeout_seconds</c>, follows its container until it
/// is terminated, and deletes it unless <c>keep_container_group</c>. Cancelling deletes the group (which stops its
/// container). The infrastructure id is the group's resource id, which a server started again follows
/// (<see cref="ResumeAsync"/>). Tested against a stand-in written from Microsoft's REST references, not against Azure.
/// </summary>
public sealed class ContainerInstanceInfrastructure(ContainerInstanceInfrastructureOptions options) : IResumableInfrastructure
{
    /// <summary>How long a group deleted to cancel its run may take to go before the worker stops waiting.</summary>
    private static readonly TimeSpan CancelWait = TimeSpan.FromMinutes(2);

    private readonly ConcurrentDictionary<AzureServicePrincipal, ClientSecretCredential> _credentials = new();

    /// <inheritdoc />
    public async Task<InfrastructureResult> RunAsync(FlowRun run, JsonObject configuration, Func<string, Task> started, CancellationToken cancellationToken)
    {
        var job = ContainerInstanceJob.From(configuration, run, options.RunEnvironment(run));
        var arm = Arm(job);
        var id = new ResourceIdentifier(job.ResourceId);
        await options.Output.WriteLineAsync($"Creating Azure container group {job.GroupName} in resource group {job.ResourceGroup} for flow run '{run.Name}'");
        try
        {
            await CreateAsync(arm, job, id, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cancelled while ARM was asked: a group it made anyway must not be left running.
            await DeleteQuietlyAsync(arm, job);
            throw;
        }

        try
        {
            await started(job.ResourceId);
            return await FollowAsync(arm, job, cancellationToken);
        }
        finally
        {
            if (!job.KeepContainerGroup)
            {
                await DeleteQuietlyAsync(arm, job);
            }
        }
    }

    /// <summary>Creates the group (ARM accepts it; provisioning goes on), in the resource group's location unless the job names one.</summary>
    private static Task<ArmOperation<GenericResource>> CreateAsync(ArmClient arm, ContainerInstanceJob job, ResourceIdentifier id, CancellationToken cancellationToken) =>
        CallAsync($"create container group {job.GroupName}", async () =>
        {
            var body = (JsonObject)job.Body.DeepClone();
            if (job.Location is null)
            {
                var group = await arm.GetResourceGroupResource(ResourceGroupResource.CreateResourceIdentifier(job.SubscriptionId, job.ResourceGroup)).GetAsync(cancellationToken);
                body["location"] = group.Value.Data.Location.Name;
            }

            return await arm.GetGenericResources().CreateOrUpdateAsync(WaitUntil.Started, id, Data(body), cancellationToken);
        });

    /// <summary>The run's container group (its infrastructure id, recorded when it was created), followed to its end; null when there is none.</summary>
    public async Task<InfrastructureResult?> ResumeAsync(FlowRun run, JsonObject configuration, Func<string, Task> found, CancellationToken cancellationToken)
    {
        var job = ContainerInstanceJob.From(configuration, run, options.RunEnvironment(run));
        if (run.InfrastructurePid is { Length: > 0 } recorded && !recorded.Contains("/containerGroups/", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        // The id recorded when the group was created; else the name this run's group always has (created, not yet recorded).
        var arm = Arm(job);
        var id = new ResourceIdentifier(run.InfrastructurePid is { Length: > 0 } pid ? pid : job.ResourceId);
        if (await ReadAsync(arm, id, cancellationToken) is null)
        {
            return null;
        }

        await found(id.ToString());
        try
        {
            return await FollowAsync(arm, job with { Id = id }, cancellationToken);
        }
        finally
        {
            if (!job.KeepContainerGroup)
            {
                await DeleteQuietlyAsync(arm, job with { Id = id });
            }
        }
    }

    /// <summary>The body as ARM's generic resource: location, tags, user-assigned identities and the properties as they are.</summary>
    private static GenericResourceData Data(JsonObject body)
    {
        var data = new GenericResourceData(new AzureLocation(body["location"]!.GetValue<string>()))
        {
            Properties = BinaryData.FromString(body["properties"]!.ToJsonString()),
        };
        foreach (var (key, value) in body["tags"] as JsonObject ?? [])
        {
            data.Tags[key] = value?.GetValue<string>() ?? "";
        }

        if (body["identity"]?["userAssignedIdentities"] is JsonObject identities)
        {
            data.Identity = new ManagedServiceIdentity(ManagedServiceIdentityType.UserAssigned);
            foreach (var (identity, _) in identities)
            {
                data.Identity.UserAssignedIdentities[new ResourceIdentifier(identity)] = new UserAssignedIdentity();
            }
        }

        return data;
    }

    private ArmClient Arm(ContainerInstanceJob job) =>
        options.Endpoints.Arm(_credentials.GetOrAdd(job.Principal, options.Endpoints.Credential), job.SubscriptionId);

    /// <summary>The group as ARM shows it (its <c>properties</c>), or null when it is gone.</summary>
    private static async Task<JsonObject?> ReadAsync(ArmClient arm, ResourceIdentifier id, CancellationToken cancellationToken)
    {
        try
        {
            var group = await CallAsync($"read container group {id.Name}", () => arm.GetGenericResource(id).GetAsync(cancellationToken));
            return group.Value.Data.Properties is { } properties ? JsonNode.Parse(properties.ToString()) as JsonObject ?? [] : [];
        }
        catch (AzureException e) when (e.StatusCode == 404)
        {
            return null;
        }
    }

    /// <summary>Reads the group until its container is terminated; cancelling deletes the group, then waits for it to go.</summary>
    private async Task<InfrastructureResult> FollowAsync(ArmClient arm, ContainerInstanceJob job, CancellationToken cancellationToken)
    {
        var interval = job.PollInterval ?? options.PollInterval ?? TimeSpan.FromSeconds(5);
        var startBy = options.Clock.GetUtcNow() + job.StartTimeout;
        var cancelled = false;
        var goneBy = DateTimeOffset.MaxValue;
        while (true)
        {
            JsonObject? group;
            try
            {
                group = await ReadAsync(arm, job.Id, cancelled ? CancellationToken.None : cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !cancelled)
            {
                cancelled = await CancelAsync(arm, job);
                continue;
            }

            if (group is null)
            {
                return new InfrastructureResult(-1, Explanation: cancelled
                    ? $"Azure container group {job.GroupName} was deleted to cancel the run."
                    : $"Azure container group {job.GroupName} was deleted before its container ended.");
            }

            if (Outcome(group, job.GroupName) is { } outcome)
            {
                return outcome;
            }

            if (cancelled && goneBy == DateTimeOffset.MaxValue)
            {
                goneBy = options.Clock.GetUtcNow() + CancelWait;
            }
            else if (options.Clock.GetUtcNow() > goneBy)
            {
                return new InfrastructureResult(-1, Explanation: $"Azure container group {job.GroupName} was being deleted to cancel the run, and was still there after {CancelWait.TotalSeconds:0} s.");
            }

            var provisioning = group["provisioningState"]?.GetValue<string>();
            if (provisioning is not ("Succeeded" or "Running") && options.Clock.GetUtcNow() > startBy && !cancelled)
            {
                await options.Output.WriteLineAsync($"Azure container group {job.GroupName} did not start within {job.StartTimeout.TotalSeconds:0} s");
                return new InfrastructureResult(-1, Explanation:
                    $"Azure container group {job.GroupName} did not start within {job.StartTimeout.TotalSeconds:0} s (task_start_timeout_seconds); provisioning state {provisioning ?? "unknown"}{Events(group)}.");
            }

            try
            {
                await Task.Delay(interval, options.Clock, cancelled ? CancellationToken.None : cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !cancelled)
            {
                cancelled = await CancelAsync(arm, job);
            }
        }
    }

    /// <summary>How the group ended, once it has: its container's exit code, or why its provisioning failed; null while it runs.</summary>
    internal static InfrastructureResult? Outcome(JsonObject group, string name)
    {
        var container = (group["containers"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault();
        var state = container?["properties"]?["instanceView"]?["currentState"] as JsonObject;
        if (state?["state"]?.GetValue<string>() == "Terminated")
        {
            var code = state["exitCode"] is JsonValue v && v.TryGetValue<int>(out var c) ? c : -1;
            if (code == 0)
            {
                return new InfrastructureResult(0);
            }

            var detail = state["detailStatus"]?.GetValue<string>() is { Length: > 0 } d ? $" ({d})" : "";
            var containerName = container?["name"]?.GetValue<string>() ?? "reeve";
            return new InfrastructureResult(code, Reason: state["detailStatus"]?.GetValue<string>(), Explanation:
                $"Azure container group {name}: container {containerName} terminated with exit code {code}{detail}{Events(group)}.");
        }

        if (group["provisioningState"]?.GetValue<string>() == "Failed")
        {
            return new InfrastructureResult(-1, Explanation: $"Azure container group {name} failed to provision{Events(group)}.");
        }

        return null;
    }

    /// <summary>The group's and its container's warning events (an image that cannot be pulled...), as ": message; message".</summary>
    private static string Events(JsonObject group)
    {
        var events = new List<JsonObject>();
        events.AddRange((group["instanceView"]?["events"] as JsonArray)?.OfType<JsonObject>() ?? []);
        foreach (var container in (group["containers"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            events.AddRange((container["properties"]?["instanceView"]?["events"] as JsonArray)?.OfType<JsonObject>() ?? []);
        }

        var said = events
            .Where(e => e["type"]?.GetValue<string>() != "Normal")
            .Select(e => e["message"]?.GetValue<string>()?.Split('\n')[0].Trim())
            .OfType<string>()
            .Where(m => m.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .Take(3)
            .ToList();
        return said.Count == 0 ? "" : ": " + string.Join("; ", said);
    }

    private async Task<bool> CancelAsync(ArmClient arm, ContainerInstanceJob job)
    {
        await options.Output.WriteLineAsync($"Cancelling: deleting Azure container group {job.GroupName}");
        await CallAsync($"delete container group {job.GroupName}", async () =>
        {
            try
            {
                return await arm.GetGenericResource(job.Id).DeleteAsync(WaitUntil.Started, CancellationToken.None);
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                return null;
            }
        });
        return true;
    }

    private async Task DeleteQuietlyAsync(ArmClient arm, ContainerInstanceJob job)
    {
        try
        {
            await arm.GetGenericResource(job.Id).DeleteAsync(WaitUntil.Started, CancellationToken.None);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
        catch (Exception e) when (AzureException.From(e, $"delete container group {job.GroupName}") is { } refused)
        {
            await options.Output.WriteLineAsync($"Could not delete Azure container group {job.GroupName}: {refused.Message}");
        }
    }

    /// <summary>Runs a call to Azure; a refusal becomes an <see cref="AzureException"/> of one line.</summary>
    private static async Task<T> CallAsync<T>(string what, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is not OperationCanceledException && AzureException.From(e, what) is { } refused)
        {
            throw refused;
        }
    }
}
