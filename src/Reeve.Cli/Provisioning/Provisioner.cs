using System.Text.Json.Nodes;

namespace Reeve.Cli.Provisioning;

/// <summary>One step of provisioning: what it does (said before it runs), and the step itself, which says what it found or made.</summary>
internal sealed record ProvisioningStep(string Title, Func<CancellationToken, Task<string>> RunAsync);

/// <summary>
/// What <c>reeve work-pool create --provision-infra</c> sets up for a pool type: the plan shown before asking, the
/// steps (each idempotent: it finds what exists and makes only what is missing), and the pool's base job template,
/// filled in with what the steps made.
/// </summary>
internal abstract class Provisioner
{
    /// <summary>The lines of the plan, shown in a panel before asking to proceed.</summary>
    public abstract IReadOnlyList<string> Plan { get; }

    /// <summary>The steps, in order.</summary>
    public abstract IReadOnlyList<ProvisioningStep> Steps { get; }

    /// <summary>The pool's base job template once the steps have run.</summary>
    public abstract JsonObject Template();

    /// <summary>The pool types <see cref="For"/> provisions, comma-separated, for error messages.</summary>
    public static string Types => "docker:push, kubernetes:push, cloud-run:push, ecs:push, aci:push";

    /// <summary>The provisioner of <paramref name="type"/> for pool <paramref name="pool"/>, or null when the type has none.</summary>
    public static Provisioner? For(string type, string pool, ProvisioningOptions options, CliContext context) => type switch
    {
        "kubernetes:push" => new KubernetesPushProvisioner(pool, options, context),
        "docker:push" => new DockerPushProvisioner(pool, options, context),
        "cloud-run:push" => new CloudRunPushProvisioner(pool, options, context),
        "ecs:push" => new EcsPushProvisioner(pool, options, context),
        "aci:push" => new AciPushProvisioner(pool, options, context),
        _ => null,
    };

    /// <summary>A pool type's default template with <paramref name="defaults"/> set as its variables' defaults.</summary>
    protected static JsonObject TemplateWith(string type, IReadOnlyDictionary<string, JsonNode> defaults)
    {
        var template = Core.PoolTypes.PoolTypeCatalog.Find(type)!.DefaultBaseJobTemplate;
        var properties = template["variables"]!["properties"]!.AsObject();
        foreach (var (name, value) in defaults)
        {
            properties[name]!["default"] = value.DeepClone();
        }

        return template;
    }

    /// <summary>Makes <paramref name="buildNamespace"/> the default Docker build namespace of the CLI's profile; what the step says.</summary>
    protected static string SetBuildNamespace(CliContext context, string buildNamespace)
    {
        var path = Client.ReeveSettings.ProfilePath(context.HomeFolder);
        var profile = Client.ReeveSettings.ReadProfile(path);
        profile[Client.ReeveSettings.DefaultDockerBuildNamespaceKey] = buildNamespace;
        Client.ReeveSettings.WriteProfile(path, profile);
        return $"Default Docker build namespace: {buildNamespace}";
    }

    /// <summary>
    /// Docker's login to <paramref name="host"/>, kept as <c>docker login</c> keeps it, unless Docker has one there
    /// already (a credential helper's, say); <paramref name="login"/> is asked for the user and password only when it
    /// is needed. What the step says.
    /// </summary>
    protected static async Task<string> KeepDockerLoginAsync(CliContext context, string host, string who,
        Func<Task<(string User, string Password)>> login, CancellationToken ct)
    {
        var config = Workers.Docker.RegistryLogins.ConfigPath(context.Environment);
        try
        {
            if (Workers.Docker.RegistryLogins.KeptBy(host, config, context.Environment) is { } keeper)
            {
                return keeper == "auths" ? $"Docker has a login to {host}" : $"Docker logs in to {host} with its credential helper '{keeper}'";
            }

            var (user, password) = await login();
            await Workers.Docker.RegistryLogins.KeepAsync(host, user, password, config, context.Environment, ct);
        }
        catch (InvalidOperationException e)
        {
            // Docker's config is not JSON, or its credential helper cannot be run or refused the login.
            throw new CliException(e.Message);
        }

        return $"Docker logs in to {host} as {who}";
    }

    /// <summary>A reference to stored credentials, as a job variable's value (resolved only when a run is submitted).</summary>
    protected static JsonObject Reference(Guid credentials) =>
        new() { ["$ref"] = new JsonObject { ["block_document_id"] = credentials.ToString() } };
}

/// <summary>The options of <c>--provision-infra</c>.</summary>
internal sealed record ProvisioningOptions
{
    /// <summary>The Kubernetes namespace for a kubernetes:push pool.</summary>
    public string Namespace { get; init; } = "reeve";

    /// <summary>The registry (host[:port][/path]) images are pushed to, for a docker:push pool.</summary>
    public string? Registry { get; init; }

    /// <summary>The registry's user, when it needs a login (the password comes from REEVE_REGISTRY_PASSWORD).</summary>
    public string? RegistryUsername { get; init; }

    /// <summary>The region (Azure: location) for a cloud pool; null for the cloud's configured default.</summary>
    public string? Region { get; init; }

    /// <summary>The Google Cloud project for a cloud-run:push pool; null for the credentials' own.</summary>
    public string? Project { get; init; }

    /// <summary>The Azure subscription for an aci:push pool; null for AZURE_SUBSCRIPTION_ID.</summary>
    public string? Subscription { get; init; }

    /// <summary>The Azure resource group for an aci:push pool; null for the provisioner's default.</summary>
    public string? ResourceGroup { get; init; }
}
