using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Reeve.Core.FlowRuns;
using Reeve.Core.JobTemplates;

namespace Reeve.Workers.ContainerInstances;

/// <summary>
/// A rendered <c>aci:push</c> job configuration, read and checked: the service principal (<c>aci_credentials</c>), the
/// subscription and resource group, and the container group's body (ARM's <c>Microsoft.ContainerInstance/containerGroups</c>)
/// as Prefect's ACI worker fills in its template's container group — the environment as <c>{name, value}</c> pairs
/// (<c>secureValue</c> for the API key), the command split into arguments after the entrypoint, the image, the
/// registry credentials, user-assigned identities, subnets and DNS servers, and the GPU when one is asked for — plus
/// Reeve's labels as the group's tags.
/// </summary>
internal sealed partial record ContainerInstanceJob
{
    /// <summary>Variables whose values ACI is given as <c>secureValue</c> (never shown by the API or the portal).</summary>
    public static readonly IReadOnlySet<string> SecretVariables = new HashSet<string>(StringComparer.Ordinal) { "REEVE_API_KEY" };

    public required AzureServicePrincipal Principal { get; init; }

    public required string SubscriptionId { get; init; }

    public required string ResourceGroup { get; init; }

    /// <summary>The location given by the job; null for the resource group's.</summary>
    public string? Location { get; init; }

    /// <summary>The container group's body, without its location when none was given.</summary>
    public required JsonObject Body { get; init; }

    public required string GroupName { get; init; }

    public bool KeepContainerGroup { get; init; }

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(240);

    public TimeSpan? PollInterval { get; init; }

    /// <summary><c>/subscriptions/S/resourceGroups/G/providers/Microsoft.ContainerInstance/containerGroups/N</c>.</summary>
    public string ResourceId => GroupId(SubscriptionId, ResourceGroup, GroupName);

    /// <summary>The group's id: the one recorded for the run when it is followed again, else <see cref="ResourceId"/>.</summary>
    public Azure.Core.ResourceIdentifier Id
    {
        get => _id ?? new Azure.Core.ResourceIdentifier(ResourceId);
        init => _id = value;
    }

    private readonly Azure.Core.ResourceIdentifier? _id;

    public static string GroupId(string subscription, string resourceGroup, string name) =>
        $"/subscriptions/{subscription}/resourceGroups/{resourceGroup}/providers/Microsoft.ContainerInstance/containerGroups/{name}";

    /// <exception cref="ArgumentException">The configuration lacks what a container group needs, saying which variable.</exception>
    public static ContainerInstanceJob From(JsonObject configuration, FlowRun run, IReadOnlyDictionary<string, string> runEnvironment)
    {
        var credentials = configuration["aci_credentials"] as JsonObject
            ?? throw new ArgumentException("The job variable 'aci_credentials' is not set: give the pool azure-container-instance-credentials (reeve work-pool create --provision-infra does).", nameof(configuration));
        var principal = AzureServicePrincipal.From(credentials);
        var subscription = Required(configuration, "subscription_id", "the Azure subscription id runs are created under");
        var resourceGroup = Required(configuration, "resource_group_name", "the Azure resource group runs are created in");
        if (!Guid.TryParse(subscription, out _))
        {
            throw new ArgumentException($"The job variable 'subscription_id' ('{subscription}') is not a subscription id (a GUID).", nameof(configuration));
        }

        if (!ResourceGroupName().IsMatch(resourceGroup))
        {
            throw new ArgumentException($"The job variable 'resource_group_name' ('{resourceGroup}') is not a resource group name (letters, digits, '.', '_', '-', '(', ')', at most 90).", nameof(configuration));
        }

        var body = configuration["container_group"]?.DeepClone() as JsonObject
            ?? throw new ArgumentException("The job configuration has no container_group.", nameof(configuration));
        if (body["properties"] is not JsonObject properties
            || properties["containers"] is not JsonArray { Count: > 0 } containers
            || containers[0] is not JsonObject { } first
            || first["properties"] is not JsonObject container)
        {
            throw new ArgumentException("The container_group has no container (properties.containers[0].properties).", nameof(configuration));
        }

        var image = JobConfiguration.Text(configuration, "image") is { Length: > 0 } given ? given : JobConfiguration.Text(container, "image");
        if (image is not { Length: > 0 })
        {
            throw new ArgumentException("The job variable 'image' is not set: name the container image to run (in the pool's defaults, the deployment or the run).", nameof(configuration));
        }

        container["image"] = image;
        if (JobConfiguration.Text(first, "name") is not { Length: > 0 })
        {
            first["name"] = "reeve";
        }

        var environment = new JsonArray();
        foreach (var (variable, value) in Infrastructure.RunEnvironment.Of(runEnvironment, JobConfiguration.Strings(configuration, "env")))
        {
            if (value is not null)
            {
                environment.Add(new JsonObject { ["name"] = variable, [SecretVariables.Contains(variable) ? "secureValue" : "value"] = value });
            }
        }

        container["environmentVariables"] = environment;
        var command = new List<string>();
        if (JobConfiguration.Text(configuration, "entrypoint") is { Length: > 0 } entrypoint)
        {
            command.Add(entrypoint);
        }

        command.AddRange(JobConfiguration.Arguments(configuration, "command") ?? []);
        if (command.Count > 0)
        {
            container["command"] = new JsonArray([.. command.Select(a => (JsonNode)a)]);
        }
        else
        {
            container.Remove("command");
        }

        var resources = container["resources"] as JsonObject ?? [];
        var requests = resources["requests"] as JsonObject ?? [];
        requests["cpu"] = Number(configuration, "cpu", 1.0);
        requests["memoryInGB"] = Number(configuration, "memory", 1.0);
        if (configuration["gpu_count"] is JsonValue gpu && int.TryParse(gpu.ToJsonString().Trim('"'), CultureInfo.InvariantCulture, out var count) && count > 0)
        {
            requests["gpu"] = new JsonObject { ["count"] = count, ["sku"] = JobConfiguration.Text(configuration, "gpu_sku") ?? "K80" };
        }

        resources["requests"] = requests;
        container["resources"] = resources;

        if (Texts(configuration, "identities") is { Count: > 0 } identities)
        {
            if (identities.FirstOrDefault(i => !i.StartsWith("/subscriptions/", StringComparison.OrdinalIgnoreCase) || !i.Contains("/userAssignedIdentities/", StringComparison.OrdinalIgnoreCase)) is { } bad)
            {
                throw new ArgumentException($"The job variable 'identities' must hold identity resource ids (/subscriptions/.../providers/Microsoft.ManagedIdentity/userAssignedIdentities/NAME), not '{bad}'.", nameof(configuration));
            }

            var assigned = new JsonObject();
            foreach (var identity in identities)
            {
                assigned[identity] = new JsonObject();
            }

            body["identity"] = new JsonObject { ["type"] = "UserAssigned", ["userAssignedIdentities"] = assigned };
        }

        if (Texts(configuration, "subnet_ids") is { Count: > 0 } subnets)
        {
            properties["subnetIds"] = new JsonArray([.. subnets.Select(s => (JsonNode)new JsonObject { ["id"] = s })]);
        }

        if (Texts(configuration, "dns_servers") is { Count: > 0 } dns)
        {
            properties["dnsConfig"] = new JsonObject { ["nameServers"] = new JsonArray([.. dns.Select(s => (JsonNode)s)]) };
        }

        if (RegistryCredentials(configuration["image_registry"]) is { } registry)
        {
            properties["imageRegistryCredentials"] = new JsonArray(registry);
        }

        properties["osType"] ??= "Linux";
        properties["restartPolicy"] ??= "Never";
        var tags = new JsonObject();
        foreach (var (key, value) in JobConfiguration.Strings(configuration, "labels"))
        {
            if (value is not null && key.Length <= 512 && key.IndexOfAny(['<', '>', '%', '&', '\\', '?', '/']) < 0)
            {
                tags[key] = value.Length <= 256 ? value : value[..256];
            }
        }

        body["tags"] = tags;
        var location = JobConfiguration.Text(configuration, "location") is { Length: > 0 } l ? l
            : JobConfiguration.Text(body, "location") is { Length: > 0 } b ? b : null;
        if (location is null)
        {
            body.Remove("location");
        }
        else
        {
            body["location"] = location;
        }

        return new ContainerInstanceJob
        {
            Principal = principal,
            SubscriptionId = subscription,
            ResourceGroup = resourceGroup,
            Location = location,
            Body = body,
            GroupName = GroupNameFor(JobConfiguration.Text(configuration, "name") is { Length: > 0 } name ? name : run.Name, run.Id),
            KeepContainerGroup = JobConfiguration.Flag(configuration, "keep_container_group") ?? false,
            StartTimeout = TimeSpan.FromSeconds(Within(configuration, "task_start_timeout_seconds", 240, 1, 86_400)),
            PollInterval = configuration["task_watch_poll_interval"] is JsonValue
                ? TimeSpan.FromSeconds(Within(configuration, "task_watch_poll_interval", 5, 0.05, 3_600))
                : null,
        };
    }

    /// <summary>
    /// As Prefect names it: the name made letters, digits and dashes, then the flow run's id — so that the same run
    /// always names the same group (at most 63 characters, lowercase).
    /// </summary>
    public static string GroupNameFor(string name, Guid run)
    {
        var id = run.ToString();
        var safe = NotName().Replace(name.ToLowerInvariant(), "-").Trim('-');
        safe = safe[..Math.Min(safe.Length, 62 - id.Length)].Trim('-');
        return safe.Length == 0 ? $"reeve-{id}" : $"{safe}-{id}";
    }

    private static string Required(JsonObject configuration, string key, string what) =>
        JobConfiguration.Text(configuration, key) is { Length: > 0 } value ? value.Trim()
            : throw new ArgumentException($"The job variable '{key}' is not set: give {what}.", nameof(configuration));

    /// <summary>
    /// A number of seconds from <paramref name="least"/> to <paramref name="most"/>: a timeout of 1e308 would overflow a
    /// TimeSpan, and a poll interval of a nanosecond would turn the follow into a busy loop against ARM.
    /// </summary>
    private static double Within(JsonObject configuration, string key, double fallback, double least, double most) =>
        Number(configuration, key, fallback) is var seconds && seconds >= least && seconds <= most ? seconds
            : throw new ArgumentException($"The job variable '{key}' must be a number of seconds from {least.ToString(CultureInfo.InvariantCulture)} to {most.ToString(CultureInfo.InvariantCulture)}.", nameof(configuration));

    private static double Number(JsonObject configuration, string key, double fallback) => configuration[key] switch
    {
        null => fallback,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && double.Parse(v.ToJsonString(), CultureInfo.InvariantCulture) is var n && n > 0 => n,
        JsonValue v when v.GetValueKind() == JsonValueKind.String && double.TryParse(v.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0 => n,
        _ => throw new ArgumentException($"The job variable '{key}' must be a positive number.", nameof(configuration)),
    };

    private static List<string>? Texts(JsonObject configuration, string key) => configuration[key] switch
    {
        JsonArray list => [.. list.OfType<JsonValue>().Where(v => v.GetValueKind() == JsonValueKind.String).Select(v => v.GetValue<string>()).Where(s => s.Length > 0)],
        _ => null,
    };

    /// <summary>
    /// <c>image_registry</c>: docker-registry-credentials (<c>username</c>, <c>password</c>, <c>registry_url</c>) or an
    /// ACR reached with a managed identity (<c>registry_url</c>, <c>identity</c>), as ACI's <c>imageRegistryCredentials</c>.
    /// </summary>
    private static JsonObject? RegistryCredentials(JsonNode? registry)
    {
        if (registry is not JsonObject given || JobConfiguration.Text(given, "registry_url") is not { Length: > 0 } server)
        {
            return null;
        }

        if (JobConfiguration.Text(given, "identity") is { Length: > 0 } identity)
        {
            return new JsonObject { ["server"] = server, ["identity"] = identity };
        }

        return JobConfiguration.Text(given, "username") is { Length: > 0 } user && JobConfiguration.Text(given, "password") is { } password
            ? new JsonObject { ["server"] = server, ["username"] = user, ["password"] = password }
            : null;
    }

    [GeneratedRegex(@"^[-\w._()]{1,90}$")]
    private static partial Regex ResourceGroupName();

    [GeneratedRegex("[^a-z0-9-]+")]
    private static partial Regex NotName();
}
