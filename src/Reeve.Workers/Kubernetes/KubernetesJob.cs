using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Reeve.Core.JobTemplates;

namespace Reeve.Workers.Kubernetes;

/// <summary>
/// A flow run's rendered job configuration for the <c>kubernetes</c> pool type, read and checked: the Job manifest
/// and how the worker follows it. Errors name the job variable and what is wrong with it.
/// </summary>
public sealed partial record KubernetesJob
{
    /// <summary>The namespace the Job is created in.</summary>
    public required string Namespace { get; init; }

    /// <summary>The rendered batch/v1 Job manifest, not yet given the run's environment and labels.</summary>
    public required JsonObject Manifest { get; init; }

    /// <summary>Variables for the Job's container; a null value unsets one the worker would set.</summary>
    public IReadOnlyDictionary<string, string?> Env { get; init; } = new Dictionary<string, string?>();

    /// <summary>Labels for the Job and its pod, Reeve's among them (values made valid label values).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Copy the pod's output to the worker's console.</summary>
    public bool StreamOutput { get; init; } = true;

    /// <summary>How long the pod may take to start running (scheduled, image pulled) before the run is ended CRASHED.</summary>
    public TimeSpan PodStartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the worker follows the Job; to its end when null.</summary>
    public TimeSpan? FollowFor { get; init; }

    /// <summary>The cluster, from the <c>cluster_config</c> variable: a kubeconfig (as JSON) and its context; null for the worker's own.</summary>
    public JsonObject? ClusterConfig { get; init; }

    /// <summary>The context of <see cref="ClusterConfig"/> to use.</summary>
    public string? ClusterContext { get; init; }

    /// <summary>Reads <paramref name="configuration"/>; an <see cref="ArgumentException"/> names the job variable at fault.</summary>
    public static KubernetesJob From(JsonObject configuration)
    {
        var manifest = configuration["job_manifest"] as JsonObject
            ?? throw new ArgumentException("The job configuration has no 'job_manifest' object: the pool's base job template must hold a batch/v1 Job manifest.", nameof(configuration));
        if (JobConfiguration.Text(manifest, "kind") is { } kind && kind != "Job")
        {
            throw new ArgumentException($"The job manifest's kind is '{kind}'; it must be 'Job'.", nameof(configuration));
        }

        var containers = manifest["spec"]?["template"]?["spec"]?["containers"] as JsonArray;
        if (containers is not { Count: > 0 } || containers[0] is not JsonObject first)
        {
            throw new ArgumentException("The job manifest has no container (spec.template.spec.containers).", nameof(configuration));
        }

        if (JobConfiguration.Text(first, "image") is not { Length: > 0 })
        {
            throw new ArgumentException("The job variable 'image' is not set: name the container image to run (in the pool's defaults, the deployment or the run).", nameof(configuration));
        }

        var ns = JobConfiguration.Text(configuration, "namespace") is { Length: > 0 } given ? given : "default";
        if (!DnsLabel().IsMatch(ns))
        {
            throw new ArgumentException($"The job variable 'namespace' is '{ns}'; a namespace is lowercase letters, digits and '-', at most 63 characters.", nameof(configuration));
        }

        var cluster = configuration["cluster_config"] as JsonObject;
        return new KubernetesJob
        {
            Namespace = ns,
            Manifest = (JsonObject)manifest.DeepClone(),
            Env = JobConfiguration.Strings(configuration, "env"),
            Labels = JobConfiguration.Strings(configuration, "labels")
                .Where(l => l.Value is not null && LabelKey().IsMatch(l.Key))
                .ToDictionary(l => l.Key, l => LabelValue(l.Value!), StringComparer.Ordinal),
            StreamOutput = JobConfiguration.Flag(configuration, "stream_output") ?? true,
            PodStartTimeout = Seconds(configuration, "pod_watch_timeout_seconds") ?? TimeSpan.FromSeconds(60),
            FollowFor = Seconds(configuration, "job_watch_timeout_seconds"),
            ClusterConfig = cluster?["config"] as JsonObject,
            ClusterContext = cluster is null ? null : JobConfiguration.Text(cluster, "context_name"),
        };
    }

    /// <summary>
    /// The Job's name prefix (<c>generateName</c>): lowercase letters, digits and dashes, short enough for the
    /// random suffix Kubernetes adds; "reeve-" when nothing usable is left.
    /// </summary>
    public static string NamePrefix(string? name)
    {
        var safe = NotDns().Replace((name ?? "").ToLowerInvariant(), "-").Trim('-');
        safe = safe[..Math.Min(safe.Length, 56)].TrimEnd('-');
        return safe.Length == 0 ? "reeve-" : safe + "-";
    }

    /// <summary>A valid label value: at most 63 characters of letters, digits, '-', '_' and '.', alphanumeric at both ends.</summary>
    public static string LabelValue(string value)
    {
        var safe = NotLabel().Replace(value, "-");
        safe = safe[..Math.Min(safe.Length, 63)];
        return safe.Trim('-', '_', '.');
    }

    private static TimeSpan? Seconds(JsonObject configuration, string key) => configuration[key] switch
    {
        JsonValue v when v.TryGetValue<double>(out var s) && s > 0 => TimeSpan.FromSeconds(Math.Min(s, TimeSpan.FromDays(365).TotalSeconds)),
        JsonValue v when v.TryGetValue<string>(out var text) && double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var s) && s > 0
            => TimeSpan.FromSeconds(Math.Min(s, TimeSpan.FromDays(365).TotalSeconds)),
        null => null,
        _ => throw new ArgumentException($"The job variable '{key}' must be a positive number of seconds.", nameof(configuration)),
    };

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("[^a-z0-9-]+")]
    private static partial Regex NotDns();

    [GeneratedRegex("[^A-Za-z0-9_.-]+")]
    private static partial Regex NotLabel();

    [GeneratedRegex(@"^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex LabelKey();
}
