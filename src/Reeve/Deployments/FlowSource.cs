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
    public JsonArray PullSteps() => PullStepsOf(Source, Branch, Commit);

    /// <summary>The pull steps that fetch a source: a <c>set_working_directory</c> for a local folder, else a <c>git_clone</c>.</summary>
    internal static JsonArray PullStepsOf(string source, string? branch, string? commit)
    {
        if (IsLocalFolder(source))
        {
            return [new JsonObject { [Deployments.PullSteps.SetWorkingDirectory] = new JsonObject { ["directory"] = Path.GetFullPath(source) } }];
        }

        var clone = new JsonObject { ["repository"] = source };
        if (branch is not null)
        {
            clone["branch"] = branch;
        }

        if (commit is not null)
        {
            clone["commit_sha"] = commit;
        }

        return [new JsonObject { [Deployments.PullSteps.GitClone] = clone }];
    }

    /// <summary>
    /// Fetches a source as a worker would (a clone into a scratch folder, or the folder itself), builds the
    /// entrypoint into the build cache and loads its flow: how <c>reeve deploy</c> learns the flow's name and
    /// parameters from code it has not got in its own process.
    /// </summary>
    internal static async Task<FlowSource> LoadAsync(string source, string entrypoint, string? branch, string? commit, string home, CancellationToken cancellationToken)
    {
        var parsed = Deployments.Entrypoint.Parse(entrypoint);
        var scratch = Directory.CreateTempSubdirectory("reeve-deploy-");
        try
        {
            var fetched = await Deployments.PullSteps.RunAsync(PullStepsOf(source, branch, commit), scratch.FullName, cancellationToken);
            var (assembly, _) = await FlowBuilder.BuildAsync(parsed, parsed.Resolve(fetched.Folder), fetched.Commit, home, cancellationToken);
            var flow = FlowLoader.Load(assembly, parsed, flowName: null);
            return new FlowSource { Flow = flow, Source = source, Entrypoint = entrypoint, Branch = branch, Commit = commit };
        }
        finally
        {
            try
            {
                scratch.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A file held open by the build server; the temporary folder is cleaned by the OS.
            }
        }
    }

    private static bool IsLocalFolder(string source) =>
        !source.Contains("://", StringComparison.Ordinal) && !source.StartsWith("git@", StringComparison.Ordinal) && Directory.Exists(source);
}
