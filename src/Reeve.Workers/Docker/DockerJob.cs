using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Reeve.Core.JobTemplates;

namespace Reeve.Workers.Docker;

/// <summary>When the docker worker pulls a run's image.</summary>
public enum ImagePullPolicy
{
    /// <summary>Only when the engine does not hold the image.</summary>
    IfNotPresent,

    /// <summary>Before every run.</summary>
    Always,

    /// <summary>Never: the image must be on the engine already.</summary>
    Never,
}

/// <summary>
/// A flow run's rendered job configuration for the <c>docker</c> pool type, read and checked: what the container
/// is made from. Errors name the job variable and what is wrong with it.
/// </summary>
public sealed partial record DockerJob
{
    /// <summary>The image to run.</summary>
    public required ImageName Image { get; init; }

    /// <summary>The command, split into arguments; the image's own when empty.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    /// <summary>Variables for the container; a null value unsets one the worker would set.</summary>
    public IReadOnlyDictionary<string, string?> Env { get; init; } = new Dictionary<string, string?>();

    /// <summary>Labels for the container.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>The container's name, made Docker-safe; the engine names it when null.</summary>
    public string? Name { get; init; }

    /// <summary>When to pull, as set; see <see cref="EffectivePullPolicy"/>.</summary>
    public ImagePullPolicy? PullPolicy { get; init; }

    /// <summary>Networks to connect the container to.</summary>
    public IReadOnlyList<string> Networks { get; init; } = [];

    /// <summary>The network mode, as set (the infrastructure picks <c>host</c> for a server on loopback when unset).</summary>
    public string? NetworkMode { get; init; }

    /// <summary>Remove the container once its run has ended.</summary>
    public bool AutoRemove { get; init; }

    /// <summary>Bind mounts, <c>host-path:container-path[:mode]</c>.</summary>
    public IReadOnlyList<string> Volumes { get; init; } = [];

    /// <summary>Copy the container's output to the worker's.</summary>
    public bool StreamOutput { get; init; } = true;

    /// <summary>The memory limit in bytes.</summary>
    public long? MemoryLimit { get; init; }

    /// <summary>Memory plus swap in bytes; -1 for unlimited swap.</summary>
    public long? MemorySwapLimit { get; init; }

    /// <summary>Extended privileges.</summary>
    public bool Privileged { get; init; }

    /// <summary>Credentials for the image's registry.</summary>
    public RegistryCredentials? Credentials { get; init; }

    /// <summary>
    /// The pull policy in effect: the one set, or (as Kubernetes and Prefect do) Always for an image tagged
    /// <c>latest</c> or not tagged, IfNotPresent otherwise.
    /// </summary>
    public ImagePullPolicy EffectivePullPolicy => PullPolicy ?? (Image.Tag is null or "latest" && Image.Digest is null ? ImagePullPolicy.Always : ImagePullPolicy.IfNotPresent);

    /// <summary>Reads <paramref name="configuration"/>; an <see cref="ArgumentException"/> names the job variable at fault.</summary>
    public static DockerJob From(JsonObject configuration)
    {
        var image = JobConfiguration.Text(configuration, "image") is { Length: > 0 } name
            ? ImageName.Parse(name)
            : throw new ArgumentException("The job variable 'image' is not set: name the container image to run (in the pool's defaults, the deployment or the run).", nameof(configuration));
        return new DockerJob
        {
            Image = image,
            Command = JobConfiguration.Arguments(configuration, "command") ?? [],
            Env = JobConfiguration.Strings(configuration, "env"),
            Labels = JobConfiguration.Strings(configuration, "labels").Where(l => l.Value is not null).ToDictionary(l => l.Key, l => l.Value!, StringComparer.Ordinal),
            Name = ContainerName(JobConfiguration.Text(configuration, "name")),
            PullPolicy = JobConfiguration.Text(configuration, "image_pull_policy") switch
            {
                null or "" => null,
                var policy => Enum.TryParse<ImagePullPolicy>(policy, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
                    ? parsed
                    : throw new ArgumentException($"The job variable 'image_pull_policy' is '{policy}'; it must be IfNotPresent, Always or Never.", nameof(configuration)),
            },
            Networks = Texts(configuration, "networks"),
            NetworkMode = JobConfiguration.Text(configuration, "network_mode") is { Length: > 0 } mode ? mode : null,
            AutoRemove = JobConfiguration.Flag(configuration, "auto_remove") ?? false,
            Volumes = Texts(configuration, "volumes"),
            StreamOutput = JobConfiguration.Flag(configuration, "stream_output") ?? true,
            MemoryLimit = Size(configuration, "mem_limit"),
            MemorySwapLimit = Size(configuration, "memswap_limit"),
            Privileged = JobConfiguration.Flag(configuration, "privileged") ?? false,
            Credentials = configuration["registry_credentials"] is JsonObject credentials ? RegistryCredentials.From(credentials) : null,
        };
    }

    /// <summary>
    /// A name Docker accepts (<c>[a-zA-Z0-9][a-zA-Z0-9_.-]*</c>): other characters become dashes, leading
    /// <c>_-.</c> go; null when nothing is left.
    /// </summary>
    public static string? ContainerName(string? name)
    {
        if (name is null)
        {
            return null;
        }

        var safe = Unsafe().Replace(name, "-").TrimStart('_', '-', '.');
        return safe.Length == 0 ? null : safe[..Math.Min(safe.Length, 250)];
    }

    private static long? Size(JsonObject configuration, string key) => configuration[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<long>(out var bytes) => bytes,
        JsonValue v when v.TryGetValue<string>(out var text) && text.Length > 0 => ByteSize.Parse(text, key),
        _ => null,
    };

    private static string[] Texts(JsonObject configuration, string key) => configuration[key] switch
    {
        JsonArray items => [.. items.Select(i => i?.GetValue<string>()).OfType<string>()],
        JsonValue v when v.TryGetValue<string>(out var single) && single.Length > 0 => [single],
        _ => [],
    };

    [GeneratedRegex("[^a-zA-Z0-9_.-]+")]
    private static partial Regex Unsafe();
}

/// <summary>A registry login from the <c>registry_credentials</c> job variable.</summary>
public sealed record RegistryCredentials(string Username, string Password, string RegistryUrl)
{
    internal static RegistryCredentials From(JsonObject credentials)
    {
        string Required(string key) => JobConfiguration.Text(credentials, key) is { Length: > 0 } value
            ? value
            : throw new ArgumentException($"The job variable 'registry_credentials' needs '{key}'.", nameof(credentials));
        return new RegistryCredentials(Required("username"), Required("password"), Required("registry_url"));
    }
}
