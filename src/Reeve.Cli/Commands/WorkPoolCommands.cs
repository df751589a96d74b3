using System.CommandLine;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reeve.Client;
using Reeve.Core.PoolTypes;
using Reeve.Core.WorkPools;
using Spectre.Console;

namespace Reeve.Cli.Commands;

/// <summary><c>reeve work-pool ...</c>: create, list, inspect, pause, resume, update and delete work pools.</summary>
internal static class WorkPoolCommands
{
    public static Command Build(CliContext context)
    {
        var pools = new Command("work-pool", "Manage work pools: typed bridges to the infrastructure flow runs execute on.");
        pools.Subcommands.Add(Create(context));
        pools.Subcommands.Add(List(context));
        pools.Subcommands.Add(Inspect(context));
        pools.Subcommands.Add(Pause(context, pause: true));
        pools.Subcommands.Add(Pause(context, pause: false));
        pools.Subcommands.Add(Update(context));
        pools.Subcommands.Add(SetConcurrencyLimit(context));
        pools.Subcommands.Add(ClearConcurrencyLimit(context));
        pools.Subcommands.Add(Delete(context));
        pools.Subcommands.Add(PreviewCommands.ForPool(context));
        pools.Subcommands.Add(DefaultTemplate(context));
        return pools;
    }

    private static Argument<string> NameArgument() => new("name") { Description = "The work pool's name." };

    private static Command Create(CliContext context)
    {
        var name = NameArgument();
        var type = new Option<string?>("--type", "-t") { Description = $"The pool's type: {PoolTypeCatalog.KnownTypes}." };
        var template = new Option<FileInfo?>("--base-job-template") { Description = "A JSON file with the base job template; default: the type's." };
        var paused = new Option<bool>("--paused") { Description = "Create the pool paused." };
        var limit = new Option<int?>("--concurrency-limit") { Description = "The most runs of the pool that may run at once." };
        var description = new Option<string?>("--description") { Description = "A description of the pool." };
        var overwrite = new Option<bool>("--overwrite") { Description = "Update the pool if it already exists." };
        var provision = new Option<bool>("--provision-infra") { Description = "Set up the infrastructure a push pool needs first (kubernetes:push: namespace, service account, role, token, credentials; docker:push: engine check, registry login, build namespace; cloud-run:push, with your Google application default credentials: Cloud Run and Artifact Registry APIs, image repository, service account with its roles and key, credentials, Docker login, build namespace; ecs:push: IAM user, policy and access key stored as credentials, task execution role, ECS cluster, the default VPC, ECR repository, login and build namespace; aci:push: resource group, app registration and service principal, secret stored as credentials, Contributor role, container registry, identity with AcrPull; signs in with AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_TENANT_ID). Shows the plan and asks before it starts; safe to run again." };
        var yes = new Option<bool>("--yes", "-y") { Description = "With --provision-infra: do not ask before provisioning." };
        var ns = new Option<string>("--namespace") { Description = "With --provision-infra, kubernetes:push: the namespace runs go to.", DefaultValueFactory = _ => "reeve" };
        var registry = new Option<string?>("--registry") { Description = "With --provision-infra, docker:push: the registry (host[:port][/path]) images are pushed to; becomes the default Docker build namespace." };
        var registryUser = new Option<string?>("--registry-username") { Description = "With --provision-infra, docker:push: the registry's user (its password in REEVE_REGISTRY_PASSWORD): logged in as docker login does (kept for reeve deploy --image's push) and stored as credentials for the runs' pulls." };
        var region = new Option<string?>("--region") { Description = "With --provision-infra, cloud-run:push, ecs:push and aci:push: the region (Azure: location) the infrastructure goes to; default: the cloud's configured one, else us-central1, us-east-1 or eastus." };
        var project = new Option<string?>("--project") { Description = "With --provision-infra, cloud-run:push: the Google Cloud project; default: the credentials' own (GOOGLE_CLOUD_PROJECT, the key's project)." };
        var subscription = new Option<string?>("--subscription") { Description = "With --provision-infra, aci:push: the Azure subscription id; default: AZURE_SUBSCRIPTION_ID." };
        var resourceGroup = new Option<string?>("--resource-group") { Description = "With --provision-infra, aci:push: the Azure resource group runs go to (made when missing); default: reeve-aci-push-pool-rg." };
        var command = new Command("create", "Create a work pool.")
        {
            name, type, template, paused, limit, description, overwrite, provision, yes, ns, registry, registryUser,
            region, project, subscription, resourceGroup,
        };
        command.SetAction(async (parse, ct) =>
        {
            var poolName = parse.GetValue(name)!;
            if (poolName.Trim('\'', '"', ' ').Length == 0)
            {
                throw new CliException("Work pool name cannot be empty.");
            }

            var typeName = parse.GetValue(type)
                ?? throw new CliException($"A --type is required; choose from {PoolTypeCatalog.KnownTypes}.");
            var baseJobTemplate = parse.GetValue(template) is { } file ? JsonFiles.ReadObject(file.FullName, "base job template") : null;
            using var client = context.CreateClient();
            if (parse.GetValue(provision))
            {
                if (baseJobTemplate is not null)
                {
                    throw new CliException("--provision-infra fills in the pool's base job template itself; leave out --base-job-template.");
                }

                var provisioner = Provisioning.Provisioner.For(typeName, poolName, new Provisioning.ProvisioningOptions
                {
                    Namespace = parse.GetValue(ns)!,
                    Registry = parse.GetValue(registry),
                    RegistryUsername = parse.GetValue(registryUser),
                    Region = parse.GetValue(region),
                    Project = parse.GetValue(project),
                    Subscription = parse.GetValue(subscription),
                    ResourceGroup = parse.GetValue(resourceGroup),
                }, context) ?? throw new CliException($"--provision-infra works for the push pool types ({Provisioning.Provisioner.Types}), not '{typeName}'.");
                if (await ProvisionAsync(context, poolName, provisioner, parse.GetValue(yes), ct) is not { } provisioned)
                {
                    return 1;
                }

                baseJobTemplate = provisioned;
            }

            WorkPool pool;
            try
            {
                pool = await client.CreateWorkPoolAsync(new WorkPoolCreate
                {
                    Name = poolName,
                    Type = typeName,
                    BaseJobTemplate = baseJobTemplate,
                    IsPaused = parse.GetValue(paused),
                    ConcurrencyLimit = parse.GetValue(limit),
                    Description = parse.GetValue(description),
                }, ct);
                context.Success($"Created work pool '{pool.Name}'!");
            }
            catch (ReeveApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
            {
                if (!parse.GetValue(overwrite) && parse.GetValue(provision))
                {
                    // Provisioning again finds what exists: the pool too.
                    context.WriteLine($"Work pool '{poolName}' already exists; left as it is (--overwrite updates its template).");
                    return 0;
                }

                if (!parse.GetValue(overwrite))
                {
                    throw new CliException($"Work pool named '{poolName}' already exists. Use --overwrite to update it.");
                }

                var update = new WorkPoolUpdate { IsPaused = parse.GetValue(paused) };
                if (baseJobTemplate is not null)
                {
                    update = update with { BaseJobTemplate = baseJobTemplate };
                }

                if (parse.GetValue(limit) is { } l)
                {
                    update = update with { ConcurrencyLimit = l };
                }

                if (parse.GetValue(description) is { } d)
                {
                    update = update with { Description = d };
                }

                await client.UpdateWorkPoolAsync(poolName, update, ct);
                pool = await client.ReadWorkPoolAsync(poolName, ct);
                context.Success($"Updated work pool '{pool.Name}'!");
            }

            var type_ = PoolTypeCatalog.Find(pool.Type);
            if (!pool.IsPaused && type_ is { RunsOnServer: false })
            {
                context.WriteLine();
                context.WriteLine("To start a worker for this work pool, run:");
                context.WriteLine();
                context.WriteLine($"        reeve worker start --pool {Quote(pool.Name)}");
            }
            else if (type_ is { IsPush: true })
            {
                context.WriteLine();
                context.WriteLine($"The Reeve server submits this pool's flow runs to {type_.Infrastructure} itself; no worker is needed.");
            }
            else if (type_ is { IsManaged: true })
            {
                context.WriteLine();
                context.WriteLine("The Reeve server runs this pool's flow runs itself; no worker is needed.");
            }

            context.WriteLine();
            context.WriteLine($"└── UUID: {pool.Id}");
            context.WriteLine($"└── Type: {pool.Type}");
            context.WriteLine($"└── Description: {pool.Description}");
            context.WriteLine($"└── Status: {Display(pool.Status)}");
            return 0;
        });
        return command;
    }

    /// <summary>Shows the plan, asks (unless <paramref name="yes"/>), runs each step saying what it does, and returns the pool's template; null when the user said no.</summary>
    private static async Task<JsonObject?> ProvisionAsync(CliContext context, string pool, Provisioning.Provisioner provisioner, bool yes, CancellationToken ct)
    {
        var plan = string.Join('\n', provisioner.Plan.Select(line => Markup.Escape(line)));
        context.Out.Write(new Panel(new Markup($"Provisioning infrastructure for your work pool {Markup.Escape(pool)} will require:\n\n{plan}")) { Border = BoxBorder.Rounded });
        if (!yes)
        {
            context.Out.Markup("Proceed with infrastructure provisioning? [[y/n]]: ");
            var answer = Console.In.ReadLine()?.Trim().ToLowerInvariant();
            if (answer is not ("y" or "yes"))
            {
                context.WriteLine("Infrastructure provisioning cancelled; nothing was created.");
                return null;
            }
        }

        // Each step says what it does as it starts, then what it found or made; a progress bar when a person watches.
        async Task RunStepsAsync(Action advance)
        {
            foreach (var step in provisioner.Steps)
            {
                context.WriteLine(step.Title);
                var outcome = await step.RunAsync(ct);
                context.WriteLine($"    {outcome}");
                advance();
            }
        }

        if (context.IsInteractive)
        {
            await context.Out.Progress().StartAsync(async progress =>
            {
                var bar = progress.AddTask("Provisioning Infrastructure", maxValue: provisioner.Steps.Count);
                await RunStepsAsync(() => bar.Increment(1));
            });
        }
        else
        {
            await RunStepsAsync(() => { });
        }

        context.Success("Infrastructure successfully provisioned!");
        return provisioner.Template();
    }

    private static Command List(CliContext context)
    {
        var output = CommonOptions.Output();
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Show each pool's base job template too." };
        var command = new Command("ls", "List work pools, newest first.") { output, verbose };
        command.SetAction(async (parse, ct) =>
        {
            using var client = context.CreateClient();
            var pools = await ReadAllAsync(client, ct);
            var ordered = pools.OrderByDescending(p => p.Created).ToList();
            if (parse.WantsJson(output))
            {
                context.WriteJson(ordered);
                return 0;
            }

            if (ordered.Count == 0)
            {
                context.WriteLine("No work pools found.");
                return 0;
            }

            var table = new TextTable("Work Pools", caption: "(**) denotes a paused pool");
            table.AddColumns("Name", "Type", "ID", "Concurrency Limit", "Status");
            if (parse.GetValue(verbose))
            {
                table.AddColumn("Base Job Template");
            }

            foreach (var pool in ordered)
            {
                var cells = new List<string>
                {
                    Markup.Escape(pool.Name) + (pool.IsPaused ? " [red](**)[/]" : ""),
                    Markup.Escape(pool.Type),
                    pool.Id.ToString(),
                    pool.ConcurrencyLimit is { } l ? $"[red]{l}[/]" : "[blue]None[/]",
                    StatusMarkup(pool.Status),
                };
                if (parse.GetValue(verbose))
                {
                    cells.Add(Markup.Escape(pool.BaseJobTemplate.ToJsonString()));
                }

                table.AddRow(cells.ToArray());
            }

            table.WriteTo(context.Out);
            return 0;
        });
        return command;
    }

    private static Command Inspect(CliContext context)
    {
        var name = NameArgument();
        var output = CommonOptions.Output();
        var command = new Command("inspect", "Show a work pool's settings and base job template.") { name, output };
        command.SetAction(async (parse, ct) =>
        {
            using var client = context.CreateClient();
            var pool = await ReadOrExplainAsync(client, parse.GetValue(name)!, ct);
            if (parse.WantsJson(output))
            {
                context.WriteJson(pool);
                return 0;
            }

            var grid = new Grid().AddColumn().AddColumn();
            void Row(string label, string? value) => grid.AddRow($"[bold]{label}[/]", Markup.Escape(value ?? "None"));
            Row("Name", pool.Name);
            Row("ID", pool.Id.ToString());
            Row("Type", pool.Type);
            Row("Description", pool.Description);
            grid.AddRow("[bold]Status[/]", StatusMarkup(pool.Status));
            Row("Paused", pool.IsPaused ? "yes" : "no");
            Row("Concurrency Limit", pool.ConcurrencyLimit?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Row("Default Queue ID", pool.DefaultQueueId?.ToString());
            Row("Created", pool.Created.ToString("u", System.Globalization.CultureInfo.InvariantCulture));
            Row("Updated", pool.Updated.ToString("u", System.Globalization.CultureInfo.InvariantCulture));
            context.Out.Write(grid);
            context.WriteLine();
            context.Out.MarkupLine("[bold]Base Job Template[/]");
            context.WriteLine(pool.BaseJobTemplate.ToJsonString(CliContext.Indented));
            return 0;
        });
        return command;
    }

    private static Command Pause(CliContext context, bool pause)
    {
        var name = NameArgument();
        var command = new Command(pause ? "pause" : "resume", pause ? "Pause a work pool: none of its runs are handed out." : "Resume a paused work pool.") { name };
        command.SetAction(async (parse, ct) =>
        {
            var poolName = parse.GetValue(name)!;
            using var client = context.CreateClient();
            await UpdateOrExplainAsync(client, poolName, new WorkPoolUpdate { IsPaused = pause }, ct);
            context.Success(pause ? $"Paused work pool '{poolName}'" : $"Resumed work pool '{poolName}'");
            return 0;
        });
        return command;
    }

    private static Command Update(CliContext context)
    {
        var name = NameArgument();
        var template = new Option<FileInfo?>("--base-job-template") { Description = "A JSON file with the new base job template." };
        var limit = new Option<int?>("--concurrency-limit") { Description = "The new concurrency limit (0 or more)." };
        var description = new Option<string?>("--description") { Description = "The new description." };
        var expire = new Option<string?>("--expire-late-runs-after")
        {
            Description = "Give up scheduled runs of this pool not started this long after their time ('2h', '90 minutes'; 'never' to stop): they end CANCELLED, named Expired.",
        };
        var command = new Command("update", "Change a work pool's base job template, concurrency limit, description or late-run expiry.")
        {
            name, template, limit, description, expire,
        };
        command.SetAction(async (parse, ct) =>
        {
            var poolName = parse.GetValue(name)!;
            var update = new WorkPoolUpdate();
            if (parse.GetValue(template) is { } file)
            {
                update = update with { BaseJobTemplate = JsonFiles.ReadObject(file.FullName, "base job template") };
            }

            if (parse.GetValue(limit) is { } l)
            {
                update = update with { ConcurrencyLimit = l };
            }

            if (parse.GetValue(description) is { } d)
            {
                update = update with { Description = d };
            }

            if (parse.GetValue(expire) is { } e)
            {
                update = update with { ExpireLateRunsAfter = e == "never" ? null : Durations.Parse(e, "--expire-late-runs-after").TotalSeconds };
            }

            if (!update.BaseJobTemplate.IsSet && !update.ConcurrencyLimit.IsSet && !update.Description.IsSet && !update.ExpireLateRunsAfter.IsSet)
            {
                throw new CliException("Nothing to update: give --base-job-template, --concurrency-limit, --description or --expire-late-runs-after.");
            }

            using var client = context.CreateClient();
            await UpdateOrExplainAsync(client, poolName, update, ct);
            context.Success($"Updated work pool '{poolName}'");
            return 0;
        });
        return command;
    }

    private static Command SetConcurrencyLimit(CliContext context)
    {
        var name = NameArgument();
        var limit = new Argument<int>("limit") { Description = "The most runs of the pool that may be pending or running at once." };
        var command = new Command("set-concurrency-limit", "Set a work pool's concurrency limit.") { name, limit };
        command.SetAction(async (parse, ct) =>
        {
            var poolName = parse.GetValue(name)!;
            var value = parse.GetValue(limit);
            using var client = context.CreateClient();
            await UpdateOrExplainAsync(client, poolName, new WorkPoolUpdate { ConcurrencyLimit = value }, ct);
            context.Success($"Set concurrency limit for work pool '{poolName}' to {value}");
            return 0;
        });
        return command;
    }

    private static Command ClearConcurrencyLimit(CliContext context)
    {
        var name = NameArgument();
        var command = new Command("clear-concurrency-limit", "Remove a work pool's concurrency limit.") { name };
        command.SetAction(async (parse, ct) =>
        {
            var poolName = parse.GetValue(name)!;
            using var client = context.CreateClient();
            await UpdateOrExplainAsync(client, poolName, new WorkPoolUpdate { ConcurrencyLimit = new int?() }, ct);
            context.Success($"Cleared concurrency limit for work pool '{poolName}'");
            return 0;
        });
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var name = NameArgument();
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation." };
        var command = new Command("delete", "Delete a work pool, its queues and its workers.") { name, yes };
        command.SetAction(async (parse, ct) =>
        {
            var poolName = parse.GetValue(name)!;
            if (context.IsInteractive && !parse.GetValue(yes)
                && !await context.Out.ConfirmAsync($"Are you sure you want to delete work pool with name '{Markup.Escape(poolName)}'?", defaultValue: false, ct))
            {
                throw new CliException("Deletion aborted.");
            }

            using var client = context.CreateClient();
            try
            {
                await client.DeleteWorkPoolAsync(poolName, ct);
            }
            catch (ReeveApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                throw new CliException($"Work pool '{poolName}' does not exist.");
            }

            context.Success($"Deleted work pool '{poolName}'");
            return 0;
        });
        return command;
    }

    private static Command DefaultTemplate(CliContext context)
    {
        var type = new Option<string>("--type", "-t") { Description = $"The pool type: {PoolTypeCatalog.KnownTypes}.", Required = true };
        var file = new Option<FileInfo?>("--file", "-f") { Description = "Write the template to this file instead of printing it." };
        var command = new Command("get-default-base-job-template", "Print the default base job template of a pool type, to start a custom one from.") { type, file };
        command.SetAction(async (parse, ct) =>
        {
            var typeName = parse.GetValue(type)!;
            var poolType = PoolTypeCatalog.Find(typeName)
                ?? throw new CliException($"Unknown work pool type '{typeName}'. Please choose from {PoolTypeCatalog.KnownTypes}.");
            var json = poolType.DefaultBaseJobTemplate.ToJsonString(CliContext.Indented);
            if (parse.GetValue(file) is { } target)
            {
                await File.WriteAllTextAsync(target.FullName, json + "\n", ct);
                context.Success($"Wrote the default base job template of '{typeName}' to {target.FullName}");
            }
            else
            {
                context.Out.Profile.Out.Writer.WriteLine(json);
            }

            return 0;
        });
        return command;
    }

    internal static async Task<List<WorkPool>> ReadAllAsync(ReeveClient client, CancellationToken ct)
    {
        var all = new List<WorkPool>();
        while (true)
        {
            var page = await client.FilterWorkPoolsAsync(new WorkPoolFilterRequest { Offset = all.Count }, ct);
            all.AddRange(page);
            if (page.Count < Core.Filters.Paging.MaxLimit)
            {
                return all;
            }
        }
    }

    private static async Task<WorkPool> ReadOrExplainAsync(ReeveClient client, string name, CancellationToken ct)
    {
        try
        {
            return await client.ReadWorkPoolAsync(name, ct);
        }
        catch (ReeveApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new CliException($"Work pool '{name}' not found!");
        }
    }

    private static async Task UpdateOrExplainAsync(ReeveClient client, string name, WorkPoolUpdate update, CancellationToken ct)
    {
        try
        {
            await client.UpdateWorkPoolAsync(name, update, ct);
        }
        catch (ReeveApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new CliException($"Work pool named '{name}' does not exist.");
        }
    }

    internal static string Display(WorkPoolStatus? status) => status switch
    {
        WorkPoolStatus.Ready => "READY",
        WorkPoolStatus.NotReady => "NOT_READY",
        WorkPoolStatus.Paused => "PAUSED",
        _ => "None",
    };

    private static string StatusMarkup(WorkPoolStatus? status) => status switch
    {
        WorkPoolStatus.Ready => "[green]READY[/]",
        WorkPoolStatus.NotReady => "[red]NOT_READY[/]",
        WorkPoolStatus.Paused => "[yellow]PAUSED[/]",
        _ => "None",
    };

    private static string Quote(string name) => name.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"' or '$' or '`' or '\\')
        ? "'" + name.Replace("'", "'\\''", StringComparison.Ordinal) + "'"
        : name;

}
