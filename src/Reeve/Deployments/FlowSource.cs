using System.Text.Json.Nodes;
using Reeve.Flows;

namespace Reeve.Deployments;

/// <summary>
/// A flow together with where its code lives — a git repository or a local folder — and its entrypoint there:
/// what <see cref="FlowDeployment.FromSource"/> returns, ready to <see cref="FlowDeployment.DeployAsync(FlowSource, string, string, DeployOptions?, CancellationToken)"/>.
/// </summary>
public sealed record FlowSource
{
    /// <summary>The flow.</summary>
    public required FlowDefinition Flow { get; init; }

    /// <summary>A git repository URL (any transport git supports) or a local folder.</summary>
    public required string Source { get; init; }

    /// <summary>Where the flow is in the source: <c>path/File.cs:Method</c>, <c>path/Project.csproj:Namespace.Type.Method</c> or <c>path/Assembly.dll:Namespace.Type.Method</c>.</summary>
    public required string Entrypoint { get; init; }

    /// <summary>The git branch to run (the repository's default branch when null).</summary>
    public string? Branch { get; init; }

    /// <summary>The git commit to run, pinning the code.</summary>
    public string? Commit { get; init; }

    /// <summary>The deployment's pull steps: a git clone, or a working directory for a local folder.</summary>
    public JsonArray PullSteps()
    {
        if (IsLocalFolder(Source))
        {
            return [new JsonObject { [Deployments.PullSteps.SetWorkingDirectory] = new JsonObject { ["directory"] = Path.GetFullPath(Source) } }];
        }

        var clone = new JsonObject { ["repository"] = Source };
        if (Branch is not null)
        {
            clone["branch"] = Branch;
        }

        if (Commit is not null)
        {
            clone["commit_sha"] = Commit;
        }

        return [new JsonObject { [Deployments.PullSteps.GitClone] = clone }];
    }

    private static bool IsLocalFolder(string source) =>
        !source.Contains("://", StringComparison.Ordinal) && !source.StartsWith("git@", StringComparison.Ordinal) && Directory.Exists(source);
}
