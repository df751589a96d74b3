using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Reeve.Core.FlowRuns;
using Reeve.Workers.Infrastructure;

namespace Reeve.Workers.Kubernetes;

/// <summary>
/// Runs a flow run as a Kubernetes Job: creates the Job from the rendered manifest (the run's Reeve settings in its
/// container's environment, the API key in a Secret the Job owns), then follows the Job and its pod to their end
/// with list-then-watch (see <see cref="JobFollower"/>). Cancelling deletes the Job in the foreground, so that its
/// pod is stopped (SIGTERM, then SIGKILL after the grace period) and nothing is left.
/// </summary>
public sealed class KubernetesInfrastructure(KubernetesInfrastructureOptions options) : IResumableInfrastructure
{
    /// <summary>The environment variable that carries the API key; it is passed through a Secret, never in the manifest.</summary>
    internal const string ApiKeyVariable = "REEVE_API_KEY";

    /// <inheritdoc />
    public async Task<InfrastructureResult> RunAsync(FlowRun run, JsonObject configuration, Func<string, Task> started, CancellationToken cancellationToken)
    {
        var job = KubernetesJob.From(configuration);
        using var client = Connect(job);
        var log = new RunLog(options, run);
        var environment = RunEnvironment.Of(options.RunEnvironment(run), job.Env);
        var apiKey = environment.GetValueOrDefault(ApiKeyVariable);
        var secret = apiKey is { Length: > 0 } ? await CreateKeySecretAsync(client, job, run, apiKey, cancellationToken) : null;
        V1Job created;
        try
        {
            var manifest = Manifest(job, run, environment, secret);
            created = await CreateJobAsync(client, job, run, manifest, cancellationToken);
        }
        catch
        {
            if (secret is not null)
            {
                await KubernetesErrors.IgnoreNotFoundAsync(() => client.CoreV1.DeleteNamespacedSecretAsync(secret, job.Namespace, cancellationToken: CancellationToken.None));
            }

            throw;
        }

        var name = created.Metadata.Name;
        if (secret is not null)
        {
            await OwnSecretAsync(client, job, secret, created);
        }

        await started($"{job.Namespace}:{name}");
        await log.WriteAsync(RunLog.Info, $"Created Job {job.Namespace}/{name} for flow run '{run.Name}'.");
        var follower = new JobFollower(client, job, created, options, log);
        return await follower.FollowAsync(cancellationToken);
    }

    /// <summary>The Job labelled with the run's id in the job's namespace, followed to its end; null when there is none.</summary>
    public async Task<InfrastructureResult?> ResumeAsync(FlowRun run, JsonObject configuration, Func<string, Task> found, CancellationToken cancellationToken)
    {
        var job = KubernetesJob.From(configuration);
        using var client = Connect(job);
        var existing = await client.BatchV1.ListNamespacedJobAsync(job.Namespace, labelSelector: $"{RunLabel}={run.Id}", cancellationToken: cancellationToken);
        if (existing.Items.OrderByDescending(j => j.Metadata.CreationTimestamp).FirstOrDefault() is not { } made)
        {
            return null;
        }

        var log = new RunLog(options, run);
        await log.WriteAsync(RunLog.Info, $"Following Job {job.Namespace}/{made.Metadata.Name} of flow run '{run.Name}' again.");
        await found($"{job.Namespace}:{made.Metadata.Name}");
        return await new JobFollower(client, job, made, options, log).FollowAsync(cancellationToken);
    }

    /// <summary>The client of the cluster the job names (<c>cluster_config</c>), else the worker's kubeconfig, else the in-cluster account.</summary>
    internal IKubernetes Connect(KubernetesJob job)
    {
        KubernetesClientConfiguration config;
        try
        {
            if (job.ClusterConfig is { } kubeconfig)
            {
                using var stream = new MemoryStream(Encoding.UTF8.GetBytes(kubeconfig.ToJsonString()));
                config = KubernetesClientConfiguration.BuildConfigFromConfigObject(KubernetesClientConfiguration.LoadKubeConfig(stream), job.ClusterContext);
            }
            else if (options.Kubeconfig is { } path)
            {
                config = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
            }
            else
            {
                config = KubernetesClientConfiguration.BuildDefaultConfig();
            }
        }
        catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or IOException or FormatException or ArgumentException)
        {
            throw new InvalidOperationException($"No usable Kubernetes configuration ({e.Message}): set KUBECONFIG, run the worker in a cluster, or set the job variable 'cluster_config'.", e);
        }

        return new k8s.Kubernetes(config);
    }

    /// <summary>The Job to create: the rendered manifest with the run's environment, Reeve's labels, a name prefix and the namespace.</summary>
    internal static V1Job Manifest(KubernetesJob job, FlowRun run, IReadOnlyDictionary<string, string?> environment, string? keySecret)
    {
        var manifest = (JsonObject)job.Manifest.DeepClone();
        var metadata = Object(manifest, "metadata");
        metadata["namespace"] = job.Namespace;
        if (metadata["name"] is null)
        {
            // Named after the run, as Prefect's are, when the manifest's "{{ name }}-" was left without a name.
            var prefix = (metadata["generateName"] as JsonValue)?.GetValue<string>()?.Trim('-');
            metadata["generateName"] = KubernetesJob.NamePrefix(string.IsNullOrEmpty(prefix) ? run.Name : prefix);
        }

        AddLabels(Object(metadata, "labels"), job.Labels);
        var spec = Object(manifest, "spec");
        var template = Object(spec, "template");
        AddLabels(Object(Object(template, "metadata"), "labels"), job.Labels);
        var container = (JsonObject)((JsonArray)template["spec"]!["containers"]!)[0]!;

        var env = new JsonArray();
        var given = container["env"] as JsonArray;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in environment)
        {
            if (value is null || given?.Any(e => e?["name"]?.GetValue<string>() == key) == true)
            {
                continue;
            }

            names.Add(key);
            env.Add(key == ApiKeyVariable && keySecret is not null
                ? new JsonObject { ["name"] = key, ["valueFrom"] = new JsonObject { ["secretKeyRef"] = new JsonObject { ["name"] = keySecret, ["key"] = ApiKeyVariable } } }
                : new JsonObject { ["name"] = key, ["value"] = value });
        }

        foreach (var entry in given ?? [])
        {
            env.Add(entry?.DeepClone());
        }

        container["env"] = env;
        foreach (var key in new[] { "args", "command" })
        {
            if (container[key] is JsonArray { Count: 0 } or JsonValue)
            {
                container.Remove(key);
            }
        }

        try
        {
            return KubernetesJson.Deserialize<V1Job>(manifest.ToJsonString());
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new ArgumentException($"The job manifest is not a valid batch/v1 Job: {e.Message}", nameof(job), e);
        }
    }

    private static JsonObject Object(JsonObject parent, string key)
    {
        if (parent[key] is JsonObject existing)
        {
            return existing;
        }

        var created = new JsonObject();
        parent[key] = created;
        return created;
    }

    private static void AddLabels(JsonObject labels, IReadOnlyDictionary<string, string> add)
    {
        foreach (var (key, value) in add)
        {
            labels[key] = value;
        }
    }

    /// <summary>
    /// Creates the Job, retrying on transient errors; a Job whose creation answer was lost (it carries the run's label)
    /// is taken rather than created twice.
    /// </summary>
    private static async Task<V1Job> CreateJobAsync(IKubernetes client, KubernetesJob job, FlowRun run, V1Job manifest, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await client.BatchV1.CreateNamespacedJobAsync(manifest, job.Namespace, cancellationToken: cancellationToken);
            }
            catch (Exception e) when (KubernetesErrors.IsTransient(e) && attempt < 4 && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500 * attempt), cancellationToken);
                var existing = await client.BatchV1.ListNamespacedJobAsync(job.Namespace, labelSelector: $"{RunLabel}={run.Id}", cancellationToken: cancellationToken);
                if (existing.Items.FirstOrDefault() is { } made)
                {
                    return made;
                }
            }
            catch (HttpOperationException e)
            {
                throw new InvalidOperationException($"Kubernetes refused to create the Job in namespace '{job.Namespace}': {KubernetesErrors.Describe(e)}", e);
            }
        }
    }

    /// <summary>The label that names a Job's flow run.</summary>
    internal const string RunLabel = "io.reeve.flow-run-id";

    private static async Task<string> CreateKeySecretAsync(IKubernetes client, KubernetesJob job, FlowRun run, string apiKey, CancellationToken cancellationToken)
    {
        var secret = new V1Secret
        {
            Metadata = new V1ObjectMeta
            {
                GenerateName = KubernetesJob.NamePrefix(run.Name + "-api-key"),
                NamespaceProperty = job.Namespace,
                Labels = new Dictionary<string, string> { [RunLabel] = run.Id.ToString() },
            },
            Type = "Opaque",
            StringData = new Dictionary<string, string> { [ApiKeyVariable] = apiKey },
        };
        try
        {
            return (await client.CoreV1.CreateNamespacedSecretAsync(secret, job.Namespace, cancellationToken: cancellationToken)).Metadata.Name;
        }
        catch (HttpOperationException e)
        {
            throw new InvalidOperationException($"Kubernetes refused to create the Secret that carries the API key in namespace '{job.Namespace}': {KubernetesErrors.Describe(e)}", e);
        }
    }

    /// <summary>Makes the Job the Secret's owner, so that removing the Job (by hand or by its TTL) removes the Secret.</summary>
    private async Task OwnSecretAsync(IKubernetes client, KubernetesJob job, string secret, V1Job owner)
    {
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = "batch/v1",
                    ["kind"] = "Job",
                    ["name"] = owner.Metadata.Name,
                    ["uid"] = owner.Metadata.Uid,
                }),
            },
        };
        try
        {
            await client.CoreV1.PatchNamespacedSecretAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), secret, job.Namespace);
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException)
        {
            await options.Error.WriteLineAsync($"Could not make Job {owner.Metadata.Name} the owner of Secret {secret} (remove it with the Job): {e.Message}");
        }
    }
}

/// <summary>Settings of <see cref="KubernetesInfrastructure"/>.</summary>
public sealed record KubernetesInfrastructureOptions
{
    /// <summary>The kubeconfig file to use; when null, <c>KUBECONFIG</c>, <c>~/.kube/config</c> or the in-cluster service account.</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>The variables every run's container gets (its run id, the API URL and key).</summary>
    public required Func<FlowRun, IReadOnlyDictionary<string, string>> RunEnvironment { get; init; }

    /// <summary>Writes a line into a run's logs on the server (what the worker saw of its Job); null writes only to <see cref="Output"/>.</summary>
    public Func<FlowRun, int, string, Task>? RunLog { get; init; }

    /// <summary>How long a cancelled run's pod has to stop after SIGTERM before it is killed.</summary>
    public TimeSpan KillGracePeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Where the worker's lines about Jobs and a pod's output are written.</summary>
    public TextWriter Output { get; init; } = Console.Out;

    /// <summary>Where errors are written.</summary>
    public TextWriter Error { get; init; } = Console.Error;

    /// <summary>The clock (for the pod start timeout and the follow time).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}

/// <summary>What the worker says about one run: to its console, and into the run's logs.</summary>
internal sealed class RunLog(KubernetesInfrastructureOptions options, FlowRun run)
{
    public const int Info = 20;
    public const int Warning = 30;
    public const int Error = 40;

    public async Task WriteAsync(int level, string message)
    {
        await options.Output.WriteLineAsync(message);
        if (options.RunLog is { } write)
        {
            try
            {
                await write(run, level, message);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or Reeve.Client.ReeveApiException or Reeve.Client.ReeveServerUnavailableException)
            {
                await options.Error.WriteLineAsync($"Could not write to the logs of flow run {run.Id}: {e.Message}");
            }
        }
    }
}

/// <summary>Reading the Kubernetes API's errors.</summary>
internal static class KubernetesErrors
{
    /// <summary>Worth another try: the API server unreachable or overloaded, a dropped connection, a client timeout.</summary>
    public static bool IsTransient(Exception e) => e switch
    {
        HttpOperationException h => h.Response.StatusCode is HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError,
        HttpRequestException or IOException => true,
        TaskCanceledException { InnerException: TimeoutException } => true,
        _ => false,
    };

    /// <summary>The API's own message (a Status object's <c>message</c>), else the HTTP status.</summary>
    public static string Describe(HttpOperationException e)
    {
        try
        {
            if (JsonNode.Parse(e.Response.Content ?? "") is JsonObject status && status["message"]?.GetValue<string>() is { Length: > 0 } message)
            {
                return message;
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Not a Status object.
        }

        return $"HTTP {(int)e.Response.StatusCode} {e.Response.ReasonPhrase}";
    }

    public static async Task IgnoreNotFoundAsync(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Gone already.
        }
    }
}
