using System.Text.Json.Nodes;
using Reeve.Core.Deployments;

namespace Reeve.Ui;

/// <summary>
/// Where a deployment's code comes from, read from its pull steps and job variables: a git repository (with its branch
/// or commit), a folder, an image. Step names are Reeve's (<c>reeve.deployments.steps.*</c>) or Prefect's.
/// </summary>
internal static class DeploymentSource
{
    public static IEnumerable<(string Label, string Value)> Of(Deployment deployment)
    {
        foreach (var step in deployment.PullSteps?.OfType<JsonObject>() ?? [])
        {
            if (step.FirstOrDefault() is not (var name, JsonObject settings))
            {
                continue;
            }

            if (name.EndsWith(".git_clone", StringComparison.Ordinal))
            {
                yield return ("Git repository", Text(settings, "repository") ?? "—");
                if ((Text(settings, "commit_sha") ?? Text(settings, "commit")) is { } commit)
                {
                    yield return ("Commit", commit);
                }
                else
                {
                    yield return ("Branch", Text(settings, "branch") ?? "the default branch");
                }
            }
            else if (name.EndsWith(".set_working_directory", StringComparison.Ordinal))
            {
                yield return ("Folder", Text(settings, "directory") ?? "—");
            }
        }

        if (Text(deployment.JobVariables, "image") is { } image)
        {
            yield return ("Image", image);
        }
    }

    private static string? Text(JsonObject settings, string key) =>
        settings[key] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
