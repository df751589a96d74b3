using System.Text.Json.Nodes;

namespace Reeve.Deployments;

/// <summary>
/// Checks at deploy time that a deployment's git source can be read, as its runs will read it: the repository
/// answers (<c>git ls-remote</c>, with the credentials this machine has) and the branch named is there. A commit is
/// checked when the repository advertises it (a branch or tag points at it); otherwise the first run checks it.
/// </summary>
internal static class SourceCheck
{
    public static async Task RequireReadableAsync(JsonArray pullSteps, CancellationToken cancellationToken)
    {
        foreach (var step in pullSteps.OfType<JsonObject>())
        {
            if (step.FirstOrDefault() is not (var name, JsonObject settings) || !name.EndsWith(".git_clone", StringComparison.Ordinal))
            {
                continue;
            }

            var repository = settings["repository"]?.GetValue<string>() ?? throw new DeploymentSourceException("git_clone needs a repository.");
            var branch = settings["branch"]?.GetValue<string>();
            var shown = PullSteps.WithoutCredentials(repository);
            List<string> args = ["ls-remote", "--", repository];
            if (branch is not null)
            {
                args.AddRange([$"refs/heads/{branch}", $"refs/tags/{branch}"]);
            }

            var git = await ChildProcess.RunAsync("git", Directory.GetCurrentDirectory(), args,
                new Dictionary<string, string?> { ["GIT_TERMINAL_PROMPT"] = "0" }, cancellationToken);
            if (git.ExitCode != 0)
            {
                var reason = git.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .FirstOrDefault(l => l.StartsWith("fatal:", StringComparison.Ordinal) || l.StartsWith("remote:", StringComparison.Ordinal))
                    ?? $"git ls-remote exited with code {git.ExitCode}";
                throw new DeploymentSourceException($"The git source '{shown}' cannot be read: {reason.Replace(repository, shown, StringComparison.Ordinal)}");
            }

            if (branch is not null && git.Output.Trim().Length == 0)
            {
                throw new DeploymentSourceException($"The git source '{shown}' has no branch or tag '{branch}'.");
            }
        }
    }
}
