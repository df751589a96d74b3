using System.Text.Json.Nodes;
using Reeve.Client;
using Reeve.Core.Credentials;
using Reeve.Workers.Docker;

namespace Reeve.Cli.Provisioning;

/// <summary>
/// A <c>docker:push</c> pool's infrastructure: the engine the server will run containers on is reachable, the
/// registry's login is checked and kept as <c>docker login</c> keeps it (so that <c>reeve deploy --image</c> pushes
/// with it) and stored as credentials (so that the pool's runs pull with it), and the registry becomes the default
/// Docker build namespace of this CLI's profile (so <c>reeve deploy --image NAME</c> pushes there).
/// </summary>
internal sealed class DockerPushProvisioner(string pool, ProvisioningOptions options, CliContext context) : Provisioner
{
    private Guid? _credentials;

    private string CredentialsName => $"{pool}-registry";

    public override IReadOnlyList<string> Plan =>
    [
        $"Check the Docker engine at {context.Environment("DOCKER_HOST") ?? "the local socket"}",
        .. options.RegistryUsername is { } user
            ? [$"Log in to {RegistryHost} as {user} (kept in {RegistryLogins.ConfigPath(context.Environment)}, as docker login keeps it)",
                $"Create registry credentials {CredentialsName} for {user} at {options.Registry}"]
            : Array.Empty<string>(),
        .. options.Registry is { } registry ? [$"Set the default Docker build namespace to {registry}"] : Array.Empty<string>(),
    ];

    public override IReadOnlyList<ProvisioningStep> Steps =>
    [
        new("Checking the Docker engine", CheckEngineAsync),
        .. options.RegistryUsername is not null
            ? [new ProvisioningStep("Logging in to the registry", LogInAsync), new ProvisioningStep("Creating registry credentials", StoreLoginAsync)]
            : Array.Empty<ProvisioningStep>(),
        .. options.Registry is not null ? [new ProvisioningStep("Setting default Docker build namespace", SetNamespaceAsync)] : Array.Empty<ProvisioningStep>(),
    ];

    public override JsonObject Template() => TemplateWith("docker:push", _credentials is { } id
        ? new Dictionary<string, JsonNode> { ["registry_credentials"] = Reference(id) }
        : new Dictionary<string, JsonNode>());

    private async Task<string> CheckEngineAsync(CancellationToken ct)
    {
        using var docker = Workers.Docker.DockerEngine.Connect(context.Environment("DOCKER_HOST"));
        try
        {
            var version = await docker.System.GetVersionAsync(ct);
            return $"Docker engine {version.Version} answers";
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException or Docker.DotNet.DockerApiException
            or System.Net.Sockets.SocketException)
        {
            throw new CliException($"The Docker engine at {context.Environment("DOCKER_HOST") ?? "the local socket"} does not answer: {e.Message}");
        }
    }

    /// <summary>The registry's address (<c>host[:port]</c>) without the namespace.</summary>
    private string RegistryHost => options.Registry!.Split('/')[0];

    private string Password => context.Environment("REEVE_REGISTRY_PASSWORD")
        ?? throw new CliException("--registry-username needs the password in REEVE_REGISTRY_PASSWORD.");

    /// <summary><c>docker login</c>: the engine checks the login with the registry; then it is kept for pushes.</summary>
    private async Task<string> LogInAsync(CancellationToken ct)
    {
        var password = Password;
        using var docker = Workers.Docker.DockerEngine.Connect(context.Environment("DOCKER_HOST"));
        var config = RegistryLogins.ConfigPath(context.Environment);
        try
        {
            await RegistryLogins.LoginAsync(docker, RegistryHost, options.RegistryUsername!, password, config, ct, context.Environment);
        }
        catch (Docker.DotNet.DockerApiException e)
        {
            throw new CliException($"The registry at {RegistryHost} refused the login of '{options.RegistryUsername}': {FirstLine(e.ResponseBody ?? e.Message)}");
        }
        catch (InvalidOperationException e)
        {
            // A credential helper named by Docker's config that cannot be run, or that refused to keep the login.
            throw new CliException(e.Message);
        }

        return $"Logged in to {RegistryHost} as {options.RegistryUsername}";
    }

    /// <summary>The engine's message (<c>{"message": "..."}</c>) or the text, its first line.</summary>
    private static string FirstLine(string text)
    {
        var message = text;
        try
        {
            if (JsonNode.Parse(text) is JsonObject answer && answer["message"] is { } said)
            {
                message = said.ToString();
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Not the engine's JSON: the text as it is.
        }

        return message.Split('\n')[0].Trim();
    }

    private async Task<string> StoreLoginAsync(CancellationToken ct)
    {
        var password = Password;
        using var client = context.CreateClient();
        try
        {
            _credentials = (await client.ReadCredentialsAsync("docker-registry-credentials", CredentialsName, ct)).Id;
            return $"Registry credentials {CredentialsName} exist";
        }
        catch (ReeveApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            _credentials = (await client.CreateCredentialsAsync(new CredentialsCreate
            {
                Type = "docker-registry-credentials",
                Name = CredentialsName,
                Data = new JsonObject
                {
                    ["username"] = options.RegistryUsername,
                    ["password"] = password,
                    ["registry_url"] = RegistryHost,
                },
            }, ct)).Id;
            return $"Created registry credentials {CredentialsName}";
        }
    }

    private Task<string> SetNamespaceAsync(CancellationToken ct) => Task.FromResult(SetBuildNamespace(context, options.Registry!));
}
