using System.Text.Json.Nodes;

namespace Reeve.Deployments;

/// <summary>
/// A deployment's pull steps, run by the engine before it loads the flow: <c>git_clone</c> (a repository URL in
/// any transport git supports, a branch or a commit) and <c>set_working_directory</c> (a local folder). Step
/// names are <c>reeve.deployments.steps.NAME</c>; Prefect's <c>prefect.deployments.steps.NAME</c> work too.
/// After a <c>git_clone</c>, <c>set_working_directory</c> moves within the clone only (relative to it; an absolute
/// folder, <c>..</c> or a symbolic link out of it is refused), so that a deployment's steps cannot point the engine at
/// another folder of the machine; a branch or commit that reads as an option of git is refused likewise.
/// </summary>
internal static class PullSteps
{
    public const string GitClone = "reeve.deployments.steps.git_clone";
    public const string SetWorkingDirectory = "reeve.deployments.steps.set_working_directory";

    /// <summary>Where the steps left the flow's source, and its commit when it came from git.</summary>
    public sealed record Result(string Folder, string? Commit);

    public static async Task<Result> RunAsync(JsonArray? steps, string workingFolder, CancellationToken cancellationToken, IProgress<string>? progress = null)
    {
        var result = new Result(workingFolder, null);
        string? clone = null;
        foreach (var step in steps ?? [])
        {
            if (step is not JsonObject { Count: 1 } single)
            {
                throw new DeploymentSourceException($"A pull step must be an object with one key, the step's name: {step?.ToJsonString()}");
            }

            var (name, body) = single.First();
            var settings = body as JsonObject ?? [];
            switch (ShortName(name))
            {
                case "git_clone":
                    result = await CloneAsync(settings, result.Folder, cancellationToken, progress);
                    clone = result.Folder;
                    break;
                case "set_working_directory":
                    var directory = Text(settings, "directory") ?? throw new DeploymentSourceException("set_working_directory needs a directory.");
                    result = result with { Folder = clone is null ? directory : Within(clone, directory) };
                    break;
                default:
                    throw new DeploymentSourceException($"Unknown pull step '{name}'; known steps: git_clone, set_working_directory.");
            }
        }

        return result;
    }

    private static string ShortName(string name)
    {
        foreach (var prefix in new[] { "reeve.deployments.steps.", "prefect.deployments.steps." })
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                return name[prefix.Length..];
            }
        }

        return name;
    }

    /// <summary>
    /// <paramref name="directory"/> read inside <paramref name="clone"/>, following symbolic links, or a refusal when it
    /// leads out of it.
    /// </summary>
    internal static string Within(string clone, string directory)
    {
        var root = RealPath(Path.GetFullPath(clone));
        var target = RealPath(Path.GetFullPath(Path.Combine(root, directory)));
        var inside = target == root || target.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        return inside
            ? target
            : throw new DeploymentSourceException($"set_working_directory must name a folder inside the cloned repository; '{directory}' leads out of it.");
    }

    /// <summary>A full path with every symbolic link along it followed (at most 40, as the kernel allows).</summary>
    private static string RealPath(string path)
    {
        var parts = path.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        var current = Path.GetPathRoot(path) ?? "/";
        var links = 0;
        for (var i = 0; i < parts.Length; i++)
        {
            var next = Path.Combine(current, parts[i]);
            var info = new DirectoryInfo(next);
            if (info.Exists && info.LinkTarget is { } link)
            {
                if (++links > 40)
                {
                    throw new DeploymentSourceException($"Too many symbolic links in '{path}'.");
                }

                // Restart from the link's target with the rest of the path after it.
                var resolved = Path.GetFullPath(Path.Combine(current, link));
                parts = [.. resolved.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries), .. parts[(i + 1)..]];
                current = Path.GetPathRoot(resolved) ?? "/";
                i = -1;
                continue;
            }

            current = next;
        }

        return current;
    }

    private static string? Text(JsonObject settings, string key) =>
        settings[key] is null ? null
        : settings[key] is JsonValue value && value.TryGetValue<string>(out var text) ? text
        : throw new DeploymentSourceException($"The pull step's {key} must be a string.");

    private static string? GitName(JsonObject settings, string key) =>
        Text(settings, key) is { } name && name.StartsWith('-')
            ? throw new DeploymentSourceException($"The pull step's {key} '{name}' would read as an option of git; a {key} does not start with '-'.")
            : Text(settings, key);

    private static async Task<Result> CloneAsync(JsonObject settings, string into, CancellationToken cancellationToken, IProgress<string>? progress)
    {
        var repository = Text(settings, "repository") ?? throw new DeploymentSourceException("git_clone needs a repository.");
        var branch = GitName(settings, "branch");
        var commit = GitName(settings, "commit_sha") ?? GitName(settings, "commit");
        progress?.Report($"Cloning {WithoutCredentials(repository)}{(commit is not null ? $" at commit {commit}" : branch is not null ? $" (branch {branch})" : "")}...");
        var name = Path.GetFileNameWithoutExtension(repository.TrimEnd('/'));
        var folder = Path.Combine(into, string.IsNullOrEmpty(name) ? "source" : name);

        if (commit is null)
        {
            List<string> args = ["clone", "--depth", "1", "--quiet"];
            if (branch is not null)
            {
                args.AddRange(["--branch", branch]);
            }

            await GitAsync(into, [.. args, "--", repository, folder], cancellationToken);
        }
        else
        {
            await GitAsync(into, ["clone", "--quiet", "--no-checkout", "--", repository, folder], cancellationToken);
            await GitAsync(folder, ["checkout", "--quiet", commit], cancellationToken);
        }

        var head = (await GitAsync(folder, ["rev-parse", "HEAD"], cancellationToken)).Trim();
        return new Result(folder, head);
    }

    /// <summary>A repository address fit for a log line: a user and password or token in it become <c>***</c>.</summary>
    internal static string WithoutCredentials(string repository) =>
        Uri.TryCreate(repository, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0
            ? repository.Replace(uri.UserInfo + "@", "***@", StringComparison.Ordinal)
            : repository;

    /// <summary>Runs git; its error output becomes the exception's message.</summary>
    public static async Task<string> GitAsync(string folder, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        // Never stop to ask for credentials: there is nobody to answer.
        var git = await ChildProcess.RunAsync("git", folder, args, new Dictionary<string, string?> { ["GIT_TERMINAL_PROMPT"] = "0" }, cancellationToken);
        if (git.ExitCode != 0)
        {
            // One line: git's own verdict (its "fatal:" line) rather than everything it printed.
            var lines = git.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var verdict = lines.FirstOrDefault(l => l.StartsWith("fatal:", StringComparison.Ordinal) || l.StartsWith("error:", StringComparison.Ordinal))
                ?? lines.FirstOrDefault() ?? $"exit code {git.ExitCode}";
            throw new DeploymentSourceException($"git {args[0]} failed: {verdict}");
        }

        return git.Output;
    }
}
