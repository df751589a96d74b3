using System.CommandLine;
using System.Net;
using Reeve.Client;
using Reeve.Core.Deployments;
using Reeve.Deployments;

namespace Reeve.Cli.Commands;

/// <summary>
/// <c>reeve deploy ENTRYPOINT --name NAME --pool POOL</c>: deploys a flow from its source without writing the
/// deploy call in C#. The source (a git repository, or a folder: the current one by default) is fetched and
/// built as a worker would, so the flow's name and parameters are read from the code itself.
/// </summary>
internal static class DeployCommand
{
    public static Command Build(CliContext context)
    {
        var entrypoint = new Argument<string>("entrypoint")
        {
            Description = "Where the flow is in the source: 'Project.csproj:Namespace.Type.Method', 'File.cs:Method' or 'Assembly.dll:Namespace.Type.Method'.",
        };
        var name = new Option<string>("--name", "-n") { Description = "The deployment's name.", Required = true };
        var pool = new Option<string>("--pool", "-p") { Description = "The work pool its runs go to.", Required = true };
        var source = new Option<string?>("--source") { Description = "A git repository URL, or a folder (default: the current folder)." };
        var branch = new Option<string?>("--branch") { Description = "The branch to clone (git sources)." };
        var commit = new Option<string?>("--commit") { Description = "The commit to run (git sources); default: the branch's latest at each run." };
        var queue = new Option<string?>("--work-queue", "-q") { Description = "The pool's queue (default: 'default')." };
        var param = new Option<string[]>("--param") { Description = "A default parameter, as key=value (JSON values are read as JSON). Repeatable." };
        var paramsJson = new Option<string?>("--params") { Description = "Default parameters as a JSON object." };
        var jobVariable = new Option<string[]>("--job-variable", "-jv") { Description = "A job variable, as key=value, over the pool's defaults. Repeatable." };
        var tags = new Option<string[]>("--tag", "-t") { Description = "A tag. Repeatable." };
        var description = new Option<string?>("--description", "-d") { Description = "A description." };
        var version = new Option<string?>("--version", "-v") { Description = "A version." };
        var expire = new Option<string?>("--expire-late-runs-after")
        {
            Description = "Give up scheduled runs not started this long after their time ('2h', '90 minutes'): they end CANCELLED, named Expired.",
        };
        var image = new Option<string?>("--image")
        {
            Description = "Build an image holding the flow, from the project of a folder source, and deploy it: its runs load the flow from the image " +
                "(for docker and kubernetes pools). Pushed when the name holds a registry, or REEVE_DEFAULT_DOCKER_BUILD_NAMESPACE gives one.",
        };
        var when = new ScheduleOptions();
        var command = new Command("deploy", "Deploy a flow from its source to a work pool, with an optional schedule.")
        {
            entrypoint, name, pool, source, branch, commit, queue, param, paramsJson, jobVariable, tags, description, version, expire, image,
        };
        when.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var schedule = when.Read(parse);
            if (schedule is not null)
            {
                // Checked here too, so that a typo is reported before a build of the source, not after.
                try
                {
                    Core.Schedules.Schedule.Validate(schedule, TimeProvider.System.GetUtcNow());
                }
                catch (Core.Errors.ReeveValidationException e)
                {
                    throw new CliException(e.Reason);
                }
            }

            var expireAfter = parse.GetValue(expire) is { } expiry ? Durations.Parse(expiry, "--expire-late-runs-after") : (TimeSpan?)null;
            var settings = context.LoadSettings();
            ReeveSdk.UseServer(settings.ApiUrl, settings.ApiKey);
            var from = parse.GetValue(source) ?? Directory.GetCurrentDirectory();

            // Before a build that can take a minute: an image can be built from here, and the pool must be there.
            string? project = null;
            if (parse.GetValue(image) is not null)
            {
                if (from.Contains("://", StringComparison.Ordinal) || from.StartsWith("git@", StringComparison.Ordinal) || !Directory.Exists(from))
                {
                    throw new CliException("--image builds the image from the flow's project in a folder: give a folder as --source (the default is the current folder), not a git repository.");
                }

                try
                {
                    var entry = Entrypoint.Parse(parse.GetValue(entrypoint)!);
                    project = entry.Kind == EntrypointKind.Project
                        ? entry.Resolve(from)
                        : throw new CliException("--image needs a project entrypoint (PATH/Project.csproj:Namespace.Type.Method): the image is published from the project.");
                }
                catch (DeploymentSourceException e)
                {
                    throw new CliException(e.Message);
                }
            }

            try
            {
                using var client = context.CreateClient();
                await FlowDeployment.RequirePoolAsync(client, parse.GetValue(pool)!, ct);
            }
            catch (DeploymentException e)
            {
                throw new CliException(e.Message);
            }

            context.WriteLine($"Building {parse.GetValue(entrypoint)} from {from}...");
            FlowSource flow;
            try
            {
                flow = await FlowSource.LoadAsync(from, parse.GetValue(entrypoint)!, parse.GetValue(branch), parse.GetValue(commit), context.HomeFolder, ct);
            }
            catch (DeploymentSourceException e)
            {
                foreach (var line in e.Details.Take(20))
                {
                    context.Error.WriteLine(line);
                }

                throw new CliException(e.Message);
            }

            try
            {
                var options = new DeployOptions
                {
                    WorkQueue = parse.GetValue(queue),
                    Schedules = schedule is null ? null : [new DeploymentScheduleCreate { Schedule = schedule }],
                    Parameters = Parameters.Read(parse.GetValue(param), parse.GetValue(paramsJson), "--param"),
                    JobVariables = Parameters.Read(parse.GetValue(jobVariable), null, "--job-variable"),
                    Tags = parse.GetValue(tags) is { Length: > 0 } t ? t : null,
                    Description = parse.GetValue(description),
                    Version = parse.GetValue(version),
                    ExpireLateRunsAfter = expireAfter,
                    Output = context.Out.Profile.Out.Writer,
                };
                if (project is not null)
                {
                    // The runs load the flow from the image's /app, not from the folder.
                    await flow.Flow.DeployAsync(parse.GetValue(name)!, parse.GetValue(pool)!, options with
                    {
                        Image = new DeploymentImage(parse.GetValue(image)!) { Project = project },
                    }, ct);
                }
                else
                {
                    await flow.DeployAsync(parse.GetValue(name)!, parse.GetValue(pool)!, options, ct);
                }
            }
            catch (DeploymentException e)
            {
                throw new CliException(e.Message);
            }
            finally
            {
                await ReeveSdk.FlushAsync();
            }

            return 0;
        });
        return command;
    }
}
