using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Reeve.Client;
using Reeve.Core.Credentials;
using Reeve.Workers.Docker;

namespace Reeve.Cli.Provisioning;

/// <summary>
/// A <c>cloud-run:push</c> pool's infrastructure, made with the CLI user's Google Cloud credentials through Google's
/// REST APIs (Prefect's provisioner runs <c>gcloud</c>; Reeve needs no gcloud): the Cloud Run and Artifact Registry
/// APIs turned on, a Docker repository for the flows' images, a service account with the roles to run jobs and push
/// images, a key for it kept as GCP credentials that the pool's <c>credentials</c> refers to, Docker's login to the
/// repository, and the repository as the default Docker build namespace. Each step finds what exists first: a second
/// run makes nothing twice, and a new key is made only when neither the credentials nor Docker's login exist yet.
/// </summary>
internal sealed partial class CloudRunPushProvisioner(string pool, ProvisioningOptions options, CliContext context) : Provisioner
{
    public const string Account = "reeve-cloud-run";
    public const string Repository = "reeve-images";

    /// <summary>The roles the service account is given on the project: Prefect's two, and pushing images to the repository.</summary>
    public static IReadOnlyList<(string Role, string Title)> Roles { get; } =
    [
        ("roles/iam.serviceAccountUser", "Service Account User"),
        ("roles/run.developer", "Cloud Run Developer"),
        ("roles/artifactregistry.writer", "Artifact Registry Writer"),
    ];

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(60) };

    private GoogleCloud? _google;
    private string? _project;
    private JsonObject? _key;
    private Guid? _credentials;

    private GoogleCloud Google => _google ??= GoogleCloud.Connect(Http, context.Environment, TimeProvider.System);

    private string Project => _project ??= ResolveProject();

    private string Region => options.Region ?? Given("CLOUDSDK_RUN_REGION") ?? "us-central1";

    private string Email => $"{Account}@{Project}.iam.gserviceaccount.com";

    private string CredentialsName => $"{pool}-push-pool-credentials";

    /// <summary>The repository's Docker host (<c>REGION-docker.pkg.dev</c>).</summary>
    private string RegistryHost => $"{Region}-docker.pkg.dev";

    /// <summary>Where images go: the build namespace that provisioning sets.</summary>
    private string Namespace => $"{RegistryHost}/{Project}/{Repository}";

    private string DockerConfig => RegistryLogins.ConfigPath(context.Environment);

    public override IReadOnlyList<string> Plan =>
    [
        $"Updates in Google Cloud project {Project} in region {Region} (as {Google.Who})",
        "    - Activate the Cloud Run API for your project",
        "    - Activate the Artifact Registry API for your project",
        $"    - Create an Artifact Registry repository named {Repository}",
        $"    - Create a service account for managing Cloud Run jobs: {Account}",
        "        - Service account will be granted the following roles:",
        .. Roles.Select(r => $"            - {r.Title}"),
        $"    - Create a key for service account {Account}, when no credentials or Docker login hold one yet",
        "Updates in Reeve",
        $"    - Create GCP credentials {CredentialsName} to store the service account key",
        "Updates on this machine",
        $"    - Log Docker in to {RegistryHost} with the key (kept as docker login keeps it), unless it has a login there",
        $"    - Set the default Docker build namespace to {Namespace}",
    ];

    public override IReadOnlyList<ProvisioningStep> Steps =>
    [
        new("Activating Cloud Run API", ct => EnableAsync("run.googleapis.com", "Cloud Run API", ct)),
        new("Activating Artifact Registry API", ct => EnableAsync("artifactregistry.googleapis.com", "Artifact Registry API", ct)),
        new("Creating Artifact Registry repository", CreateRepositoryAsync),
        new("Creating service account", CreateAccountAsync),
        new("Assigning roles to service account", AssignRolesAsync),
        new("Creating service account key", CreateKeyAsync),
        new("Creating GCP credentials", StoreCredentialsAsync),
        new("Configuring authentication to Artifact Registry", LogInAsync),
        new("Setting default Docker build namespace", SetNamespaceAsync),
    ];

    public override JsonObject Template() => TemplateWith("cloud-run:push", new Dictionary<string, JsonNode>
    {
        ["credentials"] = Reference(_credentials ?? throw new InvalidOperationException("The credentials step has not run.")),
        ["region"] = JsonValue.Create(Region),
    });

    /// <summary>--project, else the environment's project (as gcloud and Google's libraries read it), else the credentials'.</summary>
    private string ResolveProject()
    {
        var project = options.Project ?? Given("GOOGLE_CLOUD_PROJECT") ?? Given("CLOUDSDK_CORE_PROJECT") ?? Google.CredentialsProject
            ?? throw new CliException("No Google Cloud project: name one with --project (or set GOOGLE_CLOUD_PROJECT).");
        if (!ProjectId().IsMatch(project))
        {
            throw new CliException($"'{project}' is not a Google Cloud project id (6 to 30 lowercase letters, digits and '-', starting with a letter).");
        }

        if (!RegionName().IsMatch(Region))
        {
            throw new CliException($"'{Region}' is not a Google Cloud region (such as us-central1).");
        }

        return project;
    }

    private string? Given(string variable) => context.Environment(variable) is { Length: > 0 } value ? value : null;

    private async Task<string> EnableAsync(string service, string title, CancellationToken ct)
    {
        var path = $"v1/projects/{Project}/services/{service}";
        if ((await Google.FindAsync("serviceusage", path, $"Reading the {title}'s state", ct))?["state"]?.ToString() == "ENABLED")
        {
            return $"The {title} is active";
        }

        var operation = await Google.CallAsync(HttpMethod.Post, "serviceusage", $"{path}:enable", [], $"Activating the {title}", ct);
        await Google.WaitAsync("serviceusage", operation, $"Activating the {title}", ct);
        return $"Activated the {title}";
    }

    private async Task<string> CreateRepositoryAsync(CancellationToken ct)
    {
        var parent = $"v1/projects/{Project}/locations/{Region}/repositories";
        if (await Google.FindAsync("artifactregistry", $"{parent}/{Repository}", "Reading the Artifact Registry repository", ct) is not null)
        {
            return $"Artifact Registry repository {Repository} exists";
        }

        var operation = await Google.CreateAsync("artifactregistry", $"{parent}?repositoryId={Repository}", new JsonObject
        {
            ["format"] = "DOCKER",
            ["description"] = "Images of Reeve flows, pushed by reeve deploy --image.",
        }, "Creating the Artifact Registry repository", ct);
        if (operation is null)
        {
            return $"Artifact Registry repository {Repository} exists";
        }

        await Google.WaitAsync("artifactregistry", operation, "Creating the Artifact Registry repository", ct);
        return $"Created Artifact Registry repository {Repository}";
    }

    private async Task<string> CreateAccountAsync(CancellationToken ct)
    {
        if (await Google.FindAsync("iam", $"v1/projects/{Project}/serviceAccounts/{Email}", "Reading the service account", ct) is not null)
        {
            return $"Service account {Account} exists";
        }

        var created = await Google.CreateAsync("iam", $"v1/projects/{Project}/serviceAccounts", new JsonObject
        {
            ["accountId"] = Account,
            ["serviceAccount"] = new JsonObject
            {
                ["displayName"] = "Reeve Cloud Run Service Account",
                ["description"] = "Runs the flow runs of Reeve's cloud-run:push pools as Cloud Run jobs.",
            },
        }, "Creating the service account", ct);
        return created is null ? $"Service account {Account} exists" : $"Created service account {Account}";
    }

    /// <summary>
    /// Adds the account to the project's policy for each role it lacks: read, change, write with the read's etag; a
    /// write that lost a race with another change (ABORTED), or that Google refused because a service account just
    /// made is not yet known to IAM, is tried again, a few times.
    /// </summary>
    private async Task<string> AssignRolesAsync(CancellationToken ct)
    {
        var member = $"serviceAccount:{Email}";
        for (var attempt = 1; ; attempt++)
        {
            var policy = await Google.CallAsync(HttpMethod.Post, "cloudresourcemanager", $"v1/projects/{Project}:getIamPolicy",
                new JsonObject { ["options"] = new JsonObject { ["requestedPolicyVersion"] = 3 } }, "Reading the project's IAM policy", ct);
            var bindings = policy["bindings"] as JsonArray ?? [];
            var missing = Roles.Where(r => !bindings.OfType<JsonObject>().Any(b => b["role"]?.ToString() == r.Role && b["condition"] is null
                && (b["members"] as JsonArray ?? []).Any(m => m?.ToString() == member))).ToList();
            if (missing.Count == 0)
            {
                return $"Service account {Account} has its roles";
            }

            foreach (var (role, _) in missing)
            {
                if (bindings.OfType<JsonObject>().FirstOrDefault(b => b["role"]?.ToString() == role && b["condition"] is null) is { } binding)
                {
                    (binding["members"] as JsonArray ?? (JsonArray)(binding["members"] = new JsonArray())).Add(member);
                }
                else
                {
                    bindings.Add(new JsonObject { ["role"] = role, ["members"] = new JsonArray(member) });
                }
            }

            policy["bindings"] = bindings;
            policy["version"] = 3;
            try
            {
                await Google.CallAsync(HttpMethod.Post, "cloudresourcemanager", $"v1/projects/{Project}:setIamPolicy",
                    new JsonObject { ["policy"] = policy }, "Assigning roles to the service account", ct);
                return $"Granted {Account} {string.Join(", ", missing.Select(r => r.Title))}";
            }
            catch (GoogleRefusal e) when (attempt < 5 && (e.StatusCode == 409 || (e.StatusCode == 400 && e.Message.Contains("does not exist", StringComparison.Ordinal))))
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt), TimeProvider.System, ct);
            }
        }
    }

    /// <summary>A new key, only when the credentials or Docker's login still need one: keys are limited per account, and each is a secret to guard.</summary>
    private async Task<string> CreateKeyAsync(CancellationToken ct)
    {
        _credentials = await FindCredentialsAsync(ct);
        if (_credentials is not null && RegistryLogins.KeptBy(RegistryHost, DockerConfig, context.Environment) is not null)
        {
            return $"No new key needed: credentials {CredentialsName} and Docker's login to {RegistryHost} exist";
        }

        var created = await Google.CallAsync(HttpMethod.Post, "iam", $"v1/projects/{Project}/serviceAccounts/{Email}/keys", [],
            "Creating the service account key", ct);
        try
        {
            _key = JsonNode.Parse(Convert.FromBase64String(created["privateKeyData"]?.ToString() ?? "")) as JsonObject;
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
        {
            _key = null;
        }

        if (_key is null)
        {
            throw new CliException("Creating the service account key: Google's answer held no key file (privateKeyData).");
        }

        return $"Created a key for service account {Account}";
    }

    private async Task<Guid?> FindCredentialsAsync(CancellationToken ct)
    {
        using var client = context.CreateClient();
        try
        {
            return (await client.ReadCredentialsAsync("gcp-credentials", CredentialsName, ct)).Id;
        }
        catch (ReeveApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task<string> StoreCredentialsAsync(CancellationToken ct)
    {
        if (_credentials is not null)
        {
            return $"GCP credentials {CredentialsName} exist";
        }

        using var client = context.CreateClient();
        _credentials = (await client.CreateCredentialsAsync(new CredentialsCreate
        {
            Type = "gcp-credentials",
            Name = CredentialsName,
            Data = new JsonObject { ["service_account_info"] = _key!.DeepClone(), ["project"] = Project },
        }, ct)).Id;
        return $"Created GCP credentials {CredentialsName}";
    }

    /// <summary>
    /// Docker's login to the repository's host, kept as <c>docker login</c> keeps it: the key itself
    /// (<c>_json_key_base64</c>, which Artifact Registry takes), unless Docker already has a login there (gcloud's
    /// credential helper, say).
    /// </summary>
    private Task<string> LogInAsync(CancellationToken ct) =>
        KeepDockerLoginAsync(context, RegistryHost, $"service account {Account}",
            () => Task.FromResult(("_json_key_base64", Convert.ToBase64String(Encoding.UTF8.GetBytes(_key!.ToJsonString())))), ct);

    private Task<string> SetNamespaceAsync(CancellationToken ct) => Task.FromResult(SetBuildNamespace(context, Namespace));

    [GeneratedRegex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$")]
    private static partial Regex ProjectId();

    [GeneratedRegex("^[a-z]+-[a-z]+[0-9]{1,2}$")]
    private static partial Regex RegionName();
}
