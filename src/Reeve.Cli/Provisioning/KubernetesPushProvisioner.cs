using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Reeve.Client;
using Reeve.Core.Credentials;

namespace Reeve.Cli.Provisioning;

/// <summary>
/// A <c>kubernetes:push</c> pool's infrastructure, made with the CLI user's kubeconfig: a namespace, a service account
/// for the server with a Role of the least it needs there (the documented worker Role's rules), a token for that
/// account, and Reeve credentials holding a kubeconfig of that token, which the pool's <c>cluster_config</c> refers
/// to. The server then submits Jobs with that account, and the user's own credentials never leave this machine.
/// </summary>
internal sealed class KubernetesPushProvisioner(string pool, ProvisioningOptions options, CliContext context) : Provisioner
{
    public const string Account = "reeve-push";
    private static readonly TimeSpan TokenWait = TimeSpan.FromSeconds(60);

    private KubernetesClientConfiguration? _config;
    private IKubernetes? _kube;
    private Guid? _credentials;

    private string Namespace => options.Namespace;

    private string CredentialsName => $"{pool}-cluster";

    /// <summary>What the server's account may do in its namespace: the same rules as deploy/kubernetes/base/worker-role.yaml.</summary>
    public static IReadOnlyList<V1PolicyRule> Rules { get; } =
    [
        new() { ApiGroups = ["batch"], Resources = ["jobs"], Verbs = ["create", "get", "list", "watch", "delete"] },
        new() { ApiGroups = [""], Resources = ["pods"], Verbs = ["get", "list", "watch"] },
        new() { ApiGroups = [""], Resources = ["pods/log"], Verbs = ["get"] },
        new() { ApiGroups = [""], Resources = ["secrets"], Verbs = ["create", "patch", "delete"] },
    ];

    public override IReadOnlyList<string> Plan =>
    [
        $"Updates in the Kubernetes cluster at {Config.Host}",
        $"    - Create the namespace {Namespace}",
        $"    - Create a service account for submitting Jobs: {Account}",
        $"    - Create a Role {Account} (Jobs, their pods and logs, per-run Secrets; nothing else) and bind it",
        $"    - Create a token for the service account {Account}",
        "Updates in Reeve",
        $"    - Create Kubernetes credentials {CredentialsName} to store the account's kubeconfig",
    ];

    public override IReadOnlyList<ProvisioningStep> Steps =>
    [
        new("Creating namespace", CreateNamespaceAsync),
        new("Creating service account", CreateAccountAsync),
        new("Assigning a role to the service account", CreateRoleAsync),
        new("Creating service account token", CreateTokenAsync),
        new("Creating Kubernetes credentials", StoreCredentialsAsync),
    ];

    public override JsonObject Template() => TemplateWith("kubernetes:push", new Dictionary<string, JsonNode>
    {
        ["namespace"] = JsonValue.Create(Namespace),
        ["cluster_config"] = Reference(_credentials ?? throw new InvalidOperationException("The credentials step has not run.")),
    });

    private KubernetesClientConfiguration Config => _config ??= LoadConfig();

    private IKubernetes Kube => _kube ??= new Kubernetes(Config);

    private KubernetesClientConfiguration LoadConfig()
    {
        try
        {
            return context.Environment("KUBECONFIG") is { Length: > 0 } path
                ? KubernetesClientConfiguration.BuildConfigFromConfigFile(path.Split(':')[0])
                : KubernetesClientConfiguration.BuildDefaultConfig();
        }
        catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or IOException or FormatException)
        {
            throw new CliException($"No usable Kubernetes configuration to provision with ({e.Message}): set KUBECONFIG.");
        }
    }

    /// <summary>Runs a call to the cluster; a refusal or an unreachable cluster ends the command in one line.</summary>
    private static async Task<T?> CallAsync<T>(string what, Func<Task<T>> call, bool notFoundIsNull = false)
        where T : class
    {
        try
        {
            return await call();
        }
        catch (HttpOperationException e) when (notFoundIsNull && e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (HttpOperationException e)
        {
            throw new CliException($"{what}: the cluster answered {(int)e.Response.StatusCode} {Reason(e)}.");
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"{what}: the cluster cannot be reached ({e.Message}).");
        }
    }

    private static string Reason(HttpOperationException e) =>
        JsonNode.Parse(e.Response.Content ?? "{}")?["message"]?.GetValue<string>() is { } message ? message : e.Response.ReasonPhrase ?? "";

    private async Task<string> CreateNamespaceAsync(CancellationToken ct)
    {
        if (await CallAsync("Reading the namespace", () => Kube.CoreV1.ReadNamespaceAsync(Namespace, cancellationToken: ct), notFoundIsNull: true) is not null)
        {
            return $"Namespace {Namespace} exists";
        }

        await CallAsync("Creating the namespace", () => Kube.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Namespace } }, cancellationToken: ct));
        return $"Created namespace {Namespace}";
    }

    private async Task<string> CreateAccountAsync(CancellationToken ct)
    {
        if (await CallAsync("Reading the service account", () => Kube.CoreV1.ReadNamespacedServiceAccountAsync(Account, Namespace, cancellationToken: ct), notFoundIsNull: true) is not null)
        {
            return $"Service account {Account} exists";
        }

        await CallAsync("Creating the service account", () => Kube.CoreV1.CreateNamespacedServiceAccountAsync(
            new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = Account, Labels = Labels } }, Namespace, cancellationToken: ct));
        return $"Created service account {Account}";
    }

    private async Task<string> CreateRoleAsync(CancellationToken ct)
    {
        var made = new List<string>();
        if (await CallAsync("Reading the role", () => Kube.RbacAuthorizationV1.ReadNamespacedRoleAsync(Account, Namespace, cancellationToken: ct), notFoundIsNull: true) is null)
        {
            await CallAsync("Creating the role", () => Kube.RbacAuthorizationV1.CreateNamespacedRoleAsync(
                new V1Role { Metadata = new V1ObjectMeta { Name = Account, Labels = Labels }, Rules = [.. Rules] }, Namespace, cancellationToken: ct));
            made.Add("role");
        }

        if (await CallAsync("Reading the role binding", () => Kube.RbacAuthorizationV1.ReadNamespacedRoleBindingAsync(Account, Namespace, cancellationToken: ct), notFoundIsNull: true) is null)
        {
            await CallAsync("Binding the role", () => Kube.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
            {
                Metadata = new V1ObjectMeta { Name = Account, Labels = Labels },
                RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = Account },
                Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = Account, NamespaceProperty = Namespace }],
            }, Namespace, cancellationToken: ct));
            made.Add("binding");
        }

        return made.Count == 0 ? $"Role {Account} and its binding exist" : $"Created role {Account} and its binding";
    }

    private async Task<string> CreateTokenAsync(CancellationToken ct)
    {
        var name = $"{Account}-token";
        var existed = await CallAsync("Reading the token", () => Kube.CoreV1.ReadNamespacedSecretAsync(name, Namespace, cancellationToken: ct), notFoundIsNull: true) is not null;
        if (!existed)
        {
            await CallAsync("Creating the token", () => Kube.CoreV1.CreateNamespacedSecretAsync(new V1Secret
            {
                Metadata = new V1ObjectMeta
                {
                    Name = name,
                    Labels = Labels,
                    Annotations = new Dictionary<string, string> { ["kubernetes.io/service-account.name"] = Account },
                },
                Type = "kubernetes.io/service-account-token",
            }, Namespace, cancellationToken: ct));
        }

        return existed ? $"Token {name} exists" : $"Created token {name}";
    }

    /// <summary>The account's token and the cluster's CA, once the cluster's token controller has filled the Secret in.</summary>
    private async Task<(string Token, byte[] Ca)> TokenAsync(CancellationToken ct)
    {
        var name = $"{Account}-token";
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TokenWait);
        try
        {
            var current = await CallAsync("Reading the token", () => Kube.CoreV1.ReadNamespacedSecretAsync(name, Namespace, cancellationToken: deadline.Token));
            if (Filled(current) is { } now)
            {
                return now;
            }

            await foreach (var (_, secret) in Kube.CoreV1.WatchListNamespacedSecretAsync(Namespace, fieldSelector: $"metadata.name={name}",
                resourceVersion: current?.Metadata.ResourceVersion, cancellationToken: deadline.Token))
            {
                if (Filled(secret) is { } filled)
                {
                    return filled;
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // Fall through: the controller did not fill it in time.
        }

        throw new CliException($"The cluster did not issue a token for service account {Account} within {TokenWait.TotalSeconds:N0} s (is its controller manager running?).");
    }

    private static (string Token, byte[] Ca)? Filled(V1Secret? secret) =>
        secret?.Data is { } data && data.TryGetValue("token", out var token) && data.TryGetValue("ca.crt", out var ca)
            ? (Encoding.UTF8.GetString(token), ca)
            : null;

    private async Task<string> StoreCredentialsAsync(CancellationToken ct)
    {
        using var client = context.CreateClient();
        try
        {
            _credentials = (await client.ReadCredentialsAsync("kubernetes-cluster-config", CredentialsName, ct)).Id;
            return $"Kubernetes credentials {CredentialsName} exist";
        }
        catch (ReeveApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            var (token, ca) = await TokenAsync(ct);
            const string contextName = "reeve-push";
            var kubeconfig = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Config",
                ["clusters"] = new JsonArray(new JsonObject
                {
                    ["name"] = contextName,
                    ["cluster"] = new JsonObject { ["server"] = Config.Host, ["certificate-authority-data"] = Convert.ToBase64String(ca) },
                }),
                ["users"] = new JsonArray(new JsonObject { ["name"] = Account, ["user"] = new JsonObject { ["token"] = token } }),
                ["contexts"] = new JsonArray(new JsonObject
                {
                    ["name"] = contextName,
                    ["context"] = new JsonObject { ["cluster"] = contextName, ["user"] = Account, ["namespace"] = Namespace },
                }),
                ["current-context"] = contextName,
            };
            _credentials = (await client.CreateCredentialsAsync(new CredentialsCreate
            {
                Type = "kubernetes-cluster-config",
                Name = CredentialsName,
                Data = new JsonObject { ["config"] = kubeconfig, ["context_name"] = contextName },
            }, ct)).Id;
            return $"Created Kubernetes credentials {CredentialsName}";
        }
    }

    private static Dictionary<string, string> Labels => new() { ["app.kubernetes.io/managed-by"] = "reeve" };
}
