using System.Text.Json;
using System.Text.Json.Nodes;
using Reeve.Core.Deployments;
using Reeve.Engine;
using Reeve.Flows;

namespace Reeve.Deployments;

/// <summary>
/// <c>Deploy</c>: a flow's deployment to a work pool, whose worker (or the server, for a managed pool) runs each
/// of its runs on the pool's infrastructure. The code comes from a source (<see cref="FromSource"/>) — a git
/// repository cloned per run — or, for code already where the worker runs, from this program's own assembly.
/// </summary>
public static class FlowDeployment
{
    /// <summary>The flow's code is in <paramref name="source"/> (a git repository URL or a local folder), at <paramref name="entrypoint"/>.</summary>
    public static FlowSource FromSource(this FlowDefinition flow, string source, string entrypoint, string? branch = null, string? commit = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        Entrypoint.Parse(entrypoint);
        return new FlowSource { Flow = flow, Source = source, Entrypoint = entrypoint, Branch = branch, Commit = commit };
    }

    /// <summary>Creates or updates deployment <paramref name="name"/> of the flow from its source, on <paramref name="workPool"/>.</summary>
    /// <exception cref="DeploymentException">The pool does not exist, or the source cannot be read (its repository or branch is not there); one line says which.</exception>
    public static async Task<Deployment> DeployAsync(this FlowSource source, string name, string workPool, DeployOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (options?.Image is { Build: true })
        {
            throw new ArgumentException(
                "An image is built from the flow's own project, not from a source its runs fetch: deploy with flow.DeployAsync(...) and DeploymentImage, " +
                "or give the name of an image built beforehand (Image = \"my-image:1\").", nameof(options));
        }

        // Said now, in one line, rather than by the first run: the pool is there, and so is the source.
        await RequirePoolAsync(RequireServer(), workPool, cancellationToken);
        await SourceCheck.RequireReadableAsync(source.PullSteps(), cancellationToken);
        return await DeployCoreAsync(source.Flow, name, workPool, source.PullSteps(), source.Entrypoint, options ?? new DeployOptions(), cancellationToken);
    }

    /// <summary>
    /// Creates or updates deployment <paramref name="name"/> of a flow whose code is already where the pool's
    /// worker runs: its runs load this program's assembly from where it is now.
    /// </summary>
    /// <remarks>
    /// With <see cref="DeployOptions.Image"/>, the code is in the image instead: a <see cref="DeploymentImage"/> is
    /// built (and pushed) from the flow's project first, and the runs load the flow from the image's <c>/app</c>.
    /// </remarks>
    public static async Task<Deployment> DeployAsync(this FlowDefinition flow, string name, string workPool, DeployOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new DeployOptions();
        var assembly = flow.Method.DeclaringType!.Assembly.Location;
        var entrypoint = $"{Path.GetFileName(assembly)}:{flow.Method.DeclaringType.FullName}.{flow.Method.Name}";
        if (options.Image is not { } image)
        {
            var local = new FlowSource { Flow = flow, Source = Path.GetDirectoryName(assembly)!, Entrypoint = entrypoint };
            return await local.DeployAsync(name, workPool, options, cancellationToken);
        }

        await RequirePoolAsync(RequireServer(), workPool, cancellationToken);
        var built = image.Build
            ? await ImageBuilder.BuildAsync(image, assembly, Client.ReeveSettings.Load(), options.Output ?? Console.Out, cancellationToken)
            : image.Name;
        JsonArray inImage = [new JsonObject { [PullSteps.SetWorkingDirectory] = new JsonObject { ["directory"] = ImageBuilder.AppFolder } }];
        return await DeployCoreAsync(flow, name, workPool, inImage, entrypoint, options with { Image = built }, cancellationToken);
    }

    private static async Task<Deployment> DeployCoreAsync(FlowDefinition flow, string name, string workPool, JsonArray pullSteps, string entrypoint,
        DeployOptions options, CancellationToken cancellationToken)
    {
        var runtime = ReeveRuntime.Current;
        var client = RequireServer();
        var jobVariables = ToObject(options.JobVariables, "jobVariables") ?? [];
        if (options.Image is not null)
        {
            jobVariables["image"] = options.Image.Name;
        }

        var request = new DeploymentCreate
        {
            Name = name,
            FlowId = await runtime.FlowIdAsync(flow.Name, cancellationToken),
            WorkPoolName = workPool,
            WorkQueueName = options.WorkQueue,
            Schedules = Schedules.Of(options.Cron, options.Interval, options.RRule, options.Timezone, options.AnchorDate, options.Schedules),
            ExpireLateRunsAfter = options.ExpireLateRunsAfter?.TotalSeconds,
            ParameterOpenapiSchema = flow.ParameterSchema,
            EnforceParameterSchema = true,
            Parameters = ToObject(options.Parameters, "parameters") ?? [],
            JobVariables = jobVariables,
            PullSteps = pullSteps,
            Entrypoint = entrypoint,
            Tags = [.. options.Tags ?? flow.Options.Tags ?? []],
            Description = options.Description ?? flow.Options.Description,
            Version = options.Version ?? flow.Options.Version,
            Paused = options.Paused,
        };
        var before = await ExistingAsync(client, flow.Name, name, cancellationToken);
        Deployment deployment;
        try
        {
            deployment = await client.CreateDeploymentAsync(request, cancellationToken);
        }
        catch (Client.ReeveApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            // The flow was just made sure of, so what is missing is the pool (or its queue).
            throw new DeploymentException(
                $"{e.Detail} Create the pool first ('reeve work-pool create {workPool} --type process') or start a worker for it.", e);
        }
        catch (Client.ReeveApiException e) when ((int)e.StatusCode is >= 400 and < 500)
        {
            throw new DeploymentException($"The server refused the deployment: {e.Detail}", e);
        }

        await PrintAsync(options.Output ?? Console.Out, $"{flow.Name}/{name}", Changes(before, deployment));
        return deployment;
    }

    private static async Task<Deployment?> ExistingAsync(Client.ReeveClient client, string flow, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await client.ReadDeploymentByNameAsync(flow, name, cancellationToken);
        }
        catch (Client.ReeveApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>What a redeploy changed that its user may not expect: the pool it moved from, a pause it lifted or set.</summary>
    internal static string Changes(Deployment? before, Deployment after)
    {
        if (before is null)
        {
            return "created";
        }

        var changes = new List<string>();
        if (before.WorkPoolName != after.WorkPoolName)
        {
            changes.Add(before.WorkPoolName is null ? $"moved from being served to pool '{after.WorkPoolName}'" : $"moved from pool '{before.WorkPoolName}' to '{after.WorkPoolName}'");
        }

        if (before.Paused && !after.Paused)
        {
            changes.Add("resumed (it was paused)");
        }
        else if (!before.Paused && after.Paused)
        {
            changes.Add("paused");
        }

        return changes.Count == 0 ? "updated" : "updated: " + string.Join("; ", changes);
    }

    private static Client.ReeveClient RequireServer() => ReeveRuntime.Current.Client ?? throw new DeploymentException(
        "Deploying needs a Reeve server: set REEVE_API_URL (or run 'reeve config set REEVE_API_URL=...').");

    /// <summary>Fails in one line when the work pool is not on the server.</summary>
    internal static async Task RequirePoolAsync(Client.ReeveClient client, string workPool, CancellationToken cancellationToken)
    {
        try
        {
            await client.ReadWorkPoolAsync(workPool, cancellationToken);
        }
        catch (Client.ReeveApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            throw new DeploymentException(
                $"Work pool '{workPool}' does not exist. Create it first ('reeve work-pool create {workPool} --type process') or start a worker for it.", e);
        }
    }

    private static JsonObject? ToObject(object? value, string what) => value switch
    {
        null => null,
        JsonObject obj => (JsonObject)obj.DeepClone(),
        _ => JsonSerializer.SerializeToNode(value) as JsonObject
            ?? throw new ArgumentException($"{what} must serialize to a JSON object.", what),
    };

    /// <summary>The summary the tutorial shows: a table of the deployments and how to run one.</summary>
    private static async Task PrintAsync(TextWriter output, string fullName, string details)
    {
        string[] header = ["Name", "Status", "Details"];
        string[] row = [fullName, "applied", details];
        var widths = header.Select((h, i) => Math.Max(h.Length, row[i].Length) + 2).ToArray();
        string Line(string left, string fill, string middle, string right) =>
            left + string.Join(middle, widths.Select(w => string.Concat(Enumerable.Repeat(fill, w)))) + right;
        string Cells(string[] cells, string edge) =>
            edge + string.Join(edge, cells.Select((c, i) => " " + c.PadRight(widths[i] - 1))) + edge;

        var table = new[]
        {
            Line("┏", "━", "┳", "┓"),
            Cells(header, "┃"),
            Line("┡", "━", "╇", "┩"),
            Cells(row, "│"),
            Line("└", "─", "┴", "┘"),
        };
        await output.WriteLineAsync("Successfully created/updated all deployments!");
        var title = "Deployments";
        await output.WriteLineAsync(title.PadLeft((table[0].Length + title.Length) / 2));
        foreach (var line in table)
        {
            await output.WriteLineAsync(line);
        }

        await output.WriteLineAsync();
        await output.WriteLineAsync("To schedule a run for this deployment, use the following command:");
        await output.WriteLineAsync();
        await output.WriteLineAsync($"        $ reeve deployment run '{fullName}'");
        await output.WriteLineAsync();
    }
}
