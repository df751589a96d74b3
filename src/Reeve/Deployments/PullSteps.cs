using System.Text.Json.Nodes;

namespace Reeve.Deployments;

/// <summary>
/// A deployment's pull steps, run by the engine before it loads the flow: <c>git_clone</c> (a repository URL in
/// any transport git supports, a branch or a commit) and <c>set_working_directory</c> (a local folder). Step
/// names are <c>reeve.deployments.steps.NAME</c>; Prefect's <c>prefect.deployments.steps.NAME</c> work too.
/// </summary>
internal static class PullSteps
{
    public const string GitClone = "reeve.deployments.steps.git_clone";
    public const string SetWorkingDirectory = "reeve.deployments.steps.set_working_directory";

    /// <summary>Where the steps left the flow's source, and its commit when it came from git.</summary>
    public sealed record Result(string Folder, string? Commit);

    public static async Task<Result> RunAsync(JsonArray? steps, string workingFolder, CancellationToken cancellationToken)
    {
        var result = new Result(workingFolder, null);
        foreach (var step in steps ?? [])
        {
            if (step is not JsonObject { Count: 1 } single)
            {
                throw new DeploymentSourceException($"A pull step must be an object with one key, the step's name: {step?.ToJsonString()}");
            }

            var (name, body) = single.First();
            var settings = body as JsonObject ?? [];
            result = ShortName(name) switch
            {
                "git_clone" => await CloneAsync(settings, result.Folder, cancellationToken),
                "set_working_directory" => new Result(
                    settings["directory"]?.GetValue<string>() ?? throw new DeploymentSourceException("set_working_directory needs a directory."), result.Commit),
                _ => throw new DeploymentSourceException($"Unknown pull step '{name}'; known steps: git_clone, set_working_directory."),
            };
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

    private static async Task<Result> CloneAsync(JsonObject settings, string into, CancellationToken cancellationToken)
    {
        var repository = settings["repository"]?.GetValue<string>() ?? throw new DeploymentSourceException("git_clone needs a repository.");
        var branch = settings["branch"]?.GetValue<string>();
        var commit = settings["commit_sha"]?.GetValue<string>() ?? settings["commit"]?.GetValue<string>();
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

    /// <summary>Runs git; its error output becomes the exception's message.</summary>
    public static async Task<string> GitAsync(string folder, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        // Never stop to ask for credentials: there is nobody to answer.
        var git = await ChildProcess.RunAsync("git", folder, args, new Dictionary<string, string?> { ["GIT_TERMINAL_PROMPT"] = "0" }, cancellationToken);
        if (git.ExitCode != 0)
        {
            throw new DeploymentSourceException($"git {args[0]} failed: {git.Error.Trim()}");
        }

        return git.Output;
    }
}
