using System.CommandLine;
using System.Globalization;
using System.Net;
using Reeve.Client;
using Reeve.Core.Artifacts;
using Spectre.Console;

namespace Reeve.Cli.Commands;

/// <summary><c>reeve artifact ls|inspect|delete</c>: what runs made for people to look at (Prefect's <c>prefect artifact</c>).</summary>
internal static class ArtifactCommands
{
    public static Command Build(CliContext context)
    {
        var artifacts = new Command("artifact", "Read artifacts: the Markdown reports, tables and links runs make (Artifacts.CreateMarkdownAsync and the like).");
        artifacts.Subcommands.Add(List(context));
        artifacts.Subcommands.Add(Inspect(context));
        artifacts.Subcommands.Add(Delete(context));
        return artifacts;
    }

    private static Command List(CliContext context)
    {
        var run = new Option<Guid?>("--flow-run") { Description = "Only the artifacts of this flow run." };
        var limit = new Option<int>("--limit") { Description = "How many at most (1 to 200).", DefaultValueFactory = _ => 50 };
        var output = CommonOptions.Output();
        var command = new Command("ls", "List artifacts, newest first.") { run, limit, output };
        command.SetAction(async (parse, ct) =>
        {
            var count = parse.GetValue(limit);
            if (count is < 1 or > 200)
            {
                throw new CliException($"--limit: {count} must be between 1 and 200.");
            }

            using var client = context.CreateClient();
            var all = await client.FilterArtifactsAsync(new ArtifactFilterRequest
            {
                Artifacts = parse.GetValue(run) is { } id ? new ArtifactFilter { FlowRunId = new() { Any = [id] } } : null,
                Limit = count,
            }, ct);
            if (parse.WantsJson(output))
            {
                context.WriteJson(all);
                return 0;
            }

            if (all.Count == 0)
            {
                context.WriteLine("No artifacts.");
                return 0;
            }

            var table = new TextTable("Artifacts");
            table.AddColumns("Key", "Type", "Description", "Flow run", "Created", "ID");
            foreach (var artifact in all)
            {
                var description = artifact.Description ?? "";
                table.AddRow(Markup.Escape(artifact.Key ?? ""), Markup.Escape(artifact.Type ?? ""),
                    Markup.Escape(description.Length > 40 ? description[..37] + "..." : description), artifact.FlowRunId?.ToString() ?? "",
                    artifact.Created.ToString("u", CultureInfo.InvariantCulture), artifact.Id.ToString());
            }

            table.WriteTo(context.Out);
            return 0;
        });
        return command;
    }

    private static Command Inspect(CliContext context)
    {
        var key = new Argument<string>("key") { Description = "The artifact's key: its latest version is shown." };
        var command = new Command("inspect", "Show the latest version of an artifact, as JSON.") { key };
        command.SetAction(async (parse, ct) =>
        {
            var which = parse.GetValue(key)!;
            using var client = context.CreateClient();
            try
            {
                context.WriteJson(await client.ReadLatestArtifactAsync(which, ct));
            }
            catch (ReeveApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                throw new CliException($"Artifact '{which}' not found.");
            }

            return 0;
        });
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var id = new Argument<Guid>("id") { Description = "The artifact's id." };
        var command = new Command("delete", "Delete one version of an artifact.") { id };
        command.SetAction(async (parse, ct) =>
        {
            var which = parse.GetValue(id);
            using var client = context.CreateClient();
            try
            {
                await client.DeleteArtifactAsync(which, ct);
            }
            catch (ReeveApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                throw new CliException($"Artifact {which} not found.");
            }

            context.Success($"Deleted artifact {which}.");
            return 0;
        });
        return command;
    }
}
