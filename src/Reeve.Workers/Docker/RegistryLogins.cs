using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Reeve.Workers.Docker;

/// <summary>
/// The registry logins <c>docker login</c> keeps, where it keeps them: Docker's <c>config.json</c> (in
/// <c>DOCKER_CONFIG</c> or <c>~/.docker</c>) names a credential helper for the registry (<c>credHelpers</c>) or for
/// every registry (<c>credsStore</c>, as Docker Desktop sets), else the login is in its <c>auths</c>. Read when an
/// image is pushed, so that a push works wherever <c>docker push</c> would, and written by
/// <c>reeve work-pool create --provision-infra</c> after the engine has checked the login with the registry.
/// A helper is the program <c>docker-credential-NAME</c> on the <c>PATH</c>, spoken to as Docker does (<c>get</c>
/// and <c>store</c>, JSON on standard input and output).
/// </summary>
public static class RegistryLogins
{
    /// <summary>Docker's config file: <c>$DOCKER_CONFIG/config.json</c>, else <c>$HOME/.docker/config.json</c>.</summary>
    public static string ConfigPath(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var folder = environment("DOCKER_CONFIG") is { Length: > 0 } configured
            ? configured
            : Path.Combine(environment("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker");
        return Path.Combine(folder, "config.json");
    }

    /// <summary>The login kept for <paramref name="registry"/> (<c>host[:port]</c>), or null when there is none (or no registry).</summary>
    /// <exception cref="InvalidOperationException">The config file is not Docker's JSON.</exception>
    /// <exception cref="InvalidOperationException">The config names a credential helper that cannot be run, or that failed.</exception>
    public static AuthConfig? For(string? registry, string? configPath = null, Func<string, string?>? environment = null)
    {
        configPath ??= ConfigPath(environment);
        if (registry is null || !File.Exists(configPath))
        {
            return null;
        }

        var config = Read(configPath);
        if (HelperFor(config, registry) is { } helper && CredentialHelper.Get(helper, registry, environment) is { } kept)
        {
            return kept;
        }

        var auths = config["auths"] as JsonObject;
        var entry = auths is null ? null
            : auths[registry] ?? auths[$"https://{registry}"] ?? auths[$"http://{registry}"] ?? auths[$"https://{registry}/v1/"];
        if (entry is not JsonObject login)
        {
            return null;
        }

        string? username = login["username"]?.GetValue<string>(), password = login["password"]?.GetValue<string>();
        if (login["auth"]?.GetValue<string>() is { Length: > 0 } encoded)
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            var colon = pair.IndexOf(':');
            (username, password) = colon < 0 ? (pair, "") : (pair[..colon], pair[(colon + 1)..]);
        }

        return username is null && login["identitytoken"] is null
            ? null
            : new AuthConfig { Username = username, Password = password, ServerAddress = registry, IdentityToken = login["identitytoken"]?.GetValue<string>() };
    }

    /// <summary>
    /// Where the config keeps a login for <paramref name="registry"/>: the credential helper it names for that registry
    /// (<c>credHelpers</c>, as <c>gcloud auth configure-docker</c> sets), <c>auths</c> when it holds the login itself,
    /// or the store every registry shares (<c>credsStore</c>) when that store has one; null when there is none.
    /// </summary>
    /// <exception cref="InvalidOperationException">The config file is not Docker's JSON, or its store cannot be asked.</exception>
    internal static string? KeptBy(string registry, string configPath, Func<string, string?>? environment)
    {
        if (!File.Exists(configPath))
        {
            return null;
        }

        var config = Read(configPath);
        if ((config["credHelpers"] as JsonObject)?[registry] is JsonValue own && own.TryGetValue<string>(out var helper) && helper.Length > 0)
        {
            return helper;
        }

        if ((config["auths"] as JsonObject)?[registry] is JsonObject { Count: > 0 })
        {
            return "auths";
        }

        return HelperFor(config, registry) is { } store && CredentialHelper.Get(store, registry, environment) is not null ? store : null;
    }

    /// <summary>
    /// Logs in to <paramref name="registry"/> as <c>docker login</c> does: the engine checks the login with the
    /// registry, then it is kept in the config file (its other contents untouched, readable by its owner only).
    /// </summary>
    /// <exception cref="DockerApiException">The registry refused the login.</exception>
    /// <exception cref="InvalidOperationException">The config names a credential helper that cannot be run, or that failed.</exception>
    public static async Task LoginAsync(IDockerClient docker, string registry, string username, string password, string? configPath, CancellationToken cancellationToken,
        Func<string, string?>? environment = null)
    {
        await docker.System.AuthenticateAsync(new AuthConfig { Username = username, Password = password, ServerAddress = registry }, cancellationToken);
        await KeepAsync(registry, username, password, configPath ?? ConfigPath(environment), environment, cancellationToken);
    }

    /// <summary>
    /// Keeps a login as <c>docker login</c> does once the registry took it: with the registry's credential helper when
    /// the config names one (the config then holds an empty entry for the registry, and no secret), else in the
    /// config's <c>auths</c>.
    /// </summary>
    public static async Task KeepAsync(string registry, string username, string password, string configPath, Func<string, string?>? environment,
        CancellationToken cancellationToken)
    {
        var config = File.Exists(configPath) ? Read(configPath) : [];
        var auths = config["auths"] as JsonObject ?? [];
        if (HelperFor(config, registry) is { } helper)
        {
            CredentialHelper.Store(helper, registry, username, password, environment);
            auths[registry] = new JsonObject();
        }
        else
        {
            auths[registry] = new JsonObject { ["auth"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")) };
        }

        config["auths"] = auths;
        Directory.CreateDirectory(Path.GetDirectoryName(configPath)!);
        var written = configPath + ".reeve-tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // Readable by its owner only, as docker login leaves it.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var file = new FileStream(written, options))
        {
            await file.WriteAsync(Encoding.UTF8.GetBytes(config.ToJsonString(new JsonSerializerOptions { WriteIndented = true })), cancellationToken);
        }

        File.Move(written, configPath, overwrite: true);
    }

    /// <summary>The helper the config names for <paramref name="registry"/>: its own (<c>credHelpers</c>), else everyone's (<c>credsStore</c>).</summary>
    private static string? HelperFor(JsonObject config, string registry) =>
        (config["credHelpers"] as JsonObject)?[registry] is JsonValue own && own.TryGetValue<string>(out var name) && name.Length > 0 ? name
        : config["credsStore"] is JsonValue all && all.TryGetValue<string>(out var store) && store.Length > 0 ? store
        : null;

    private static JsonObject Read(string configPath)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(configPath)) as JsonObject ?? [];
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"{configPath} is not Docker's config (JSON): {e.Message}", e);
        }
    }
}
