using System.CommandLine;
using System.Globalization;
using System.Net;
using Reeve.Client;
using Reeve.Core.Access;
using Spectre.Console;

namespace Reeve.Cli.Commands;

/// <summary><c>reeve api-key ...</c>: keys with roles, for people, CI and workers (an admin's commands).</summary>
internal static class ApiKeyCommands
{
    public static Command Build(CliContext context)
    {
        var keys = new Command("api-key",
            "Manage API keys: each has a name, a role (admin, platform, developer, worker, viewer), for a worker optionally its pools, "
            + "and optionally an expiry. Needs an admin key (REEVE_SERVER_API_KEY is one).");
        keys.Subcommands.Add(Create(context));
        keys.Subcommands.Add(List(context));
        keys.Subcommands.Add(Revoke(context));
        return keys;
    }

    private static Command Create(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "The key's name, unique: who or what holds it (ci, k8s-worker, alice)." };
        var role = new Option<string>("--role", "-r") { Description = $"The key's role: {string.Join(", ", ApiRoles.All)}.", Required = true };
        var pools = new Option<string[]>("--pool", "-p") { Description = "For a worker key: a pool it may work for (repeatable); none means every pool." };
        var expiresIn = new Option<string?>("--expires-in") { Description = "How long the key is accepted: 90d, 12h, 30m (default: until revoked)." };
        var output = CommonOptions.Output();
        var command = new Command("create", "Make an API key. The key is printed once; the server keeps only its hash.")
        {
            name, role, pools, expiresIn, output,
        };
        command.SetAction(async (parse, ct) =>
        {
            DateTimeOffset? expires = null;
            if (parse.GetValue(expiresIn) is { } text)
            {
                var lifetime = Durations.Parse(text, "--expires-in");
                if (lifetime <= TimeSpan.Zero || lifetime > TimeSpan.FromDays(36500))
                {
                    throw new CliException($"--expires-in: '{text}' must be more than nothing and at most 100 years.");
                }

                expires = TimeProvider.System.GetUtcNow() + lifetime;
            }

            using var client = context.CreateClient();
            ApiKeyCreated created;
            try
            {
                created = await client.CreateApiKeyAsync(new ApiKeyCreate
                {
                    Name = parse.GetValue(name)!,
                    Role = parse.GetValue(role)!,
                    WorkPools = parse.GetValue(pools) ?? [],
                    Expires = expires,
                }, ct);
            }
            catch (ReeveApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
            {
                throw new CliException(e.Detail ?? $"An API key named '{parse.GetValue(name)}' already exists.");
            }

            if (parse.WantsJson(output))
            {
                context.WriteJson(created);
                return 0;
            }

            context.Success($"Created API key '{created.Name}' ({created.Role}{Pools(created)}{Expiry(created)}).");
            context.WriteLine("The key, shown only this once (the server keeps its hash):");
            context.WriteLine();
            context.WriteLine($"    {created.Key}");
            context.WriteLine();
            context.WriteLine("Give it to its holder as REEVE_API_KEY.");
            return 0;
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var output = CommonOptions.Output();
        var command = new Command("ls", "List the API keys: names, roles, pools, expiry and each key's first characters (never the keys).") { output };
        command.SetAction(async (parse, ct) =>
        {
            using var client = context.CreateClient();
            var all = await AllAsync(client, ct);

            if (parse.WantsJson(output))
            {
                context.WriteJson(all);
                return 0;
            }

            var table = new TextTable("API keys");
            table.AddColumns("Name", "Role", "Pools", "Key", "Expires", "ID");
            foreach (var key in all)
            {
                table.AddRow(Markup.Escape(key.Name), key.Role, Markup.Escape(key.WorkPools.Count == 0 ? "" : string.Join(", ", key.WorkPools)),
                    Markup.Escape(key.Prefix + "…"), key.Expires?.ToString("u", CultureInfo.InvariantCulture) ?? "never", key.Id.ToString());
            }

            table.WriteTo(context.Out);
            return 0;
        });
        return command;
    }

    private static Command Revoke(CliContext context)
    {
        var key = new Argument<string>("key") { Description = "The key's name or id." };
        var command = new Command("revoke", "Revoke an API key: refused from then on (by other server replicas within 10 s).") { key };
        command.SetAction(async (parse, ct) =>
        {
            var which = parse.GetValue(key)!;
            using var client = context.CreateClient();
            var found = await FindAsync(client, which, ct) ?? throw new CliException($"API key '{which}' not found.");
            try
            {
                await client.RevokeApiKeyAsync(found.Id, ct);
            }
            catch (ReeveApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                throw new CliException($"API key '{which}' not found.");
            }

            context.Success($"Revoked API key '{found.Name}'.");
            return 0;
        });
        return command;
    }

    /// <summary>The key named <paramref name="which"/> (or with that id).</summary>
    private static async Task<ApiKey?> FindAsync(ReeveClient client, string which, CancellationToken ct)
    {
        var byId = Guid.TryParse(which, out var id);
        return (await AllAsync(client, ct)).FirstOrDefault(k => byId ? k.Id == id : k.Name == which);
    }

    /// <summary>Every key, a page of 200 at a time.</summary>
    private static async Task<List<ApiKey>> AllAsync(ReeveClient client, CancellationToken ct)
    {
        var all = new List<ApiKey>();
        for (var offset = 0; all.Count == offset; offset += 200)
        {
            all.AddRange(await client.FilterApiKeysAsync(new ApiKeyFilterRequest { Offset = offset, Limit = 200 }, ct));
        }

        return all;
    }

    private static string Pools(ApiKey key) => key.WorkPools.Count == 0 ? "" : $", pools {string.Join(", ", key.WorkPools)}";

    private static string Expiry(ApiKey key) => key.Expires is { } at ? $", expires {at.ToString("u", CultureInfo.InvariantCulture)}" : "";
}
