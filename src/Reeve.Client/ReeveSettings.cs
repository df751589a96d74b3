using System.Text.Json;
using System.Text.Json.Nodes;

namespace Reeve.Client;

/// <summary>
/// Client settings: <c>REEVE_API_URL</c> and <c>REEVE_API_KEY</c>, read from the environment first and
/// then from the profile file (<c>profile.json</c> in the Reeve home folder, written by <c>reeve config set</c>).
/// </summary>
public sealed record ReeveSettings
{
    /// <summary>The setting holding the API's address.</summary>
    public const string ApiUrlKey = "REEVE_API_URL";

    /// <summary>The setting holding the API key.</summary>
    public const string ApiKeyKey = "REEVE_API_KEY";

    /// <summary>
    /// The setting holding the registry namespace (such as <c>registry.example.com/team</c>) that an image built at
    /// deploy time goes to when its name has no registry of its own.
    /// </summary>
    public const string DefaultDockerBuildNamespaceKey = "REEVE_DEFAULT_DOCKER_BUILD_NAMESPACE";

    /// <summary>
    /// The setting holding the image that Dockerfiles Reeve writes start from (an air-gapped site's copy of
    /// <c>mcr.microsoft.com/dotnet/runtime-deps</c>, say).
    /// </summary>
    public const string DefaultDockerBaseImageKey = "REEVE_DEFAULT_DOCKER_BASE_IMAGE";

    /// <summary>The address used when nothing is set.</summary>
    public const string DefaultApiUrl = "http://127.0.0.1:4200/api";

    /// <summary>The settings the profile may hold.</summary>
    public static IReadOnlyList<string> Known { get; } = [ApiUrlKey, ApiKeyKey, DefaultDockerBuildNamespaceKey, DefaultDockerBaseImageKey];

    /// <summary>The API's address.</summary>
    public required string ApiUrl { get; init; }

    /// <summary>The API key, if any.</summary>
    public string? ApiKey { get; init; }

    /// <summary>The registry namespace for images built at deploy time whose name has no registry, if any.</summary>
    public string? DefaultDockerBuildNamespace { get; init; }

    /// <summary>The image generated Dockerfiles start from, if set.</summary>
    public string? DefaultDockerBaseImage { get; init; }

    /// <summary>Where each setting came from: <c>environment</c>, <c>profile</c> or <c>default</c>.</summary>
    public required IReadOnlyDictionary<string, string> Sources { get; init; }

    /// <summary>The Reeve home folder: <c>REEVE_HOME</c>, or <c>~/.reeve</c>.</summary>
    public static string HomeFolder(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var home = environment("REEVE_HOME");
        return string.IsNullOrWhiteSpace(home)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".reeve")
            : Path.GetFullPath(home);
    }

    /// <summary>The profile file in <paramref name="homeFolder"/>.</summary>
    public static string ProfilePath(string homeFolder) => Path.Combine(homeFolder, "profile.json");

    /// <summary>Reads the settings from the environment, then the profile.</summary>
    /// <param name="environment">Reads an environment variable; the process's by default.</param>
    public static ReeveSettings Load(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var profile = ReadProfile(ProfilePath(HomeFolder(environment)));
        var sources = new Dictionary<string, string>();

        string? Resolve(string key)
        {
            if (environment(key) is { Length: > 0 } fromEnvironment)
            {
                sources[key] = "environment";
                return fromEnvironment;
            }

            if (profile.TryGetValue(key, out var fromProfile) && fromProfile.Length > 0)
            {
                sources[key] = "profile";
                return fromProfile;
            }

            return null;
        }

        var apiUrl = Resolve(ApiUrlKey);
        if (apiUrl is null)
        {
            sources[ApiUrlKey] = "default";
        }

        return new ReeveSettings
        {
            ApiUrl = apiUrl ?? DefaultApiUrl,
            ApiKey = Resolve(ApiKeyKey),
            DefaultDockerBuildNamespace = Resolve(DefaultDockerBuildNamespaceKey),
            DefaultDockerBaseImage = Resolve(DefaultDockerBaseImageKey),
            Sources = sources,
        };
    }

    /// <summary>The settings stored in a profile file; empty when there is none.</summary>
    /// <exception cref="InvalidDataException">The file is not a JSON object of strings.</exception>
    public static Dictionary<string, string> ReadProfile(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        try
        {
            var node = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new InvalidDataException($"The profile {path} is not a JSON object.");
            return node.Where(p => p.Value is JsonValue).ToDictionary(p => p.Key, p => p.Value!.GetValue<string>());
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"The profile {path} cannot be read: {e.Message}", e);
        }
    }

    /// <summary>Writes a profile file, readable by its owner only.</summary>
    public static void WriteProfile(string path, IReadOnlyDictionary<string, string> values)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var json = new JsonObject();
        foreach (var (key, value) in values.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            json[key] = value;
        }

        var temporary = path + ".tmp";
        File.WriteAllText(temporary, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
