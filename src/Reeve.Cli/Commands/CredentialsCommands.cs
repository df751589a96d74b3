using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reeve.Client;
using Reeve.Core.Credentials;
using Spectre.Console;

namespace Reeve.Cli.Commands;

/// <summary><c>reeve credentials ...</c>: credentials that job templates refer to, secrets encrypted and never shown.</summary>
internal static class CredentialsCommands
{
    public static Command Build(CliContext context)
    {
        var credentials = new Command("credentials",
            "Manage credentials for infrastructure (registry logins, cluster configs, cloud keys): stored encrypted, shown masked, "
            + "read only when a run is submitted. Job templates refer to them as {{ prefect.blocks.TYPE.NAME }} or {\"$ref\": {\"block_document_id\": \"ID\"}}.");
        credentials.Subcommands.Add(Create(context));
        credentials.Subcommands.Add(List(context));
        credentials.Subcommands.Add(Inspect(context));
        credentials.Subcommands.Add(Delete(context));
        credentials.Subcommands.Add(Types(context));
        return credentials;
    }

    private static Argument<string> ReferenceArgument() =>
        new("credentials") { Description = "The credentials, as TYPE/NAME (docker-registry-credentials/ci) or their id." };

    private static Command Create(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "The credentials' name, unique per type." };
        var type = new Option<string>("--type", "-t") { Description = $"The credentials' type: {CredentialsTypeCatalog.KnownTypes}.", Required = true };
        var fields = new Option<string[]>("--field", "-f")
        {
            Description = "A field as KEY=VALUE (repeatable). Secrets are better given with --field-from-env or --field-from-file, "
                + "or left out to be asked for: a command line is seen by other users of the machine and kept in shell history.",
            AllowMultipleArgumentsPerToken = false,
        };
        var fromEnv = new Option<string[]>("--field-from-env") { Description = "A field as KEY=VARIABLE: the value of an environment variable (repeatable)." };
        var fromFile = new Option<string[]>("--field-from-file") { Description = "A field as KEY=PATH: the content of a file, e.g. a JSON key (repeatable)." };
        var command = new Command("create", "Store credentials. Secret fields not given are asked for (hidden) when the terminal is interactive.")
        {
            name, type, fields, fromEnv, fromFile,
        };
        command.SetAction(async (parse, ct) =>
        {
            var credentialsName = parse.GetValue(name)!;
            var typeName = parse.GetValue(type)!;
            var credentialsType = CredentialsTypeCatalog.Find(typeName)
                ?? throw new CliException($"Unknown credentials type '{typeName}'; known types: {CredentialsTypeCatalog.KnownTypes}.");
            var data = new JsonObject();
            foreach (var (key, value) in Pairs(parse.GetValue(fields), "--field"))
            {
                data[key] = Value(credentialsType, key, value);
            }

            foreach (var (key, variable) in Pairs(parse.GetValue(fromEnv), "--field-from-env"))
            {
                data[key] = Value(credentialsType, key, context.Environment(variable)
                    ?? throw new CliException($"--field-from-env {key}={variable}: the environment variable '{variable}' is not set."));
            }

            foreach (var (key, path) in Pairs(parse.GetValue(fromFile), "--field-from-file"))
            {
                string text;
                try
                {
                    text = await File.ReadAllTextAsync(path, ct);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new CliException($"--field-from-file {key}={path}: {e.Message}");
                }

                data[key] = Value(credentialsType, key, text.TrimEnd('\r', '\n'));
            }

            foreach (var field in credentialsType.Fields.Where(f => f.Required && f.IsSecret && !data.ContainsKey(f.Name)))
            {
                if (!context.IsInteractive)
                {
                    throw new CliException($"'{typeName}' credentials need '{field.Name}' ({field.Description}); give it with --field-from-env or --field-from-file.");
                }

                data[field.Name] = Value(credentialsType, field.Name,
                    context.Out.Prompt(new TextPrompt<string>($"{Markup.Escape(field.Name)} ({Markup.Escape(field.Description)}):").Secret()));
            }

            using var client = context.CreateClient();
            Credentials created;
            try
            {
                created = await client.CreateCredentialsAsync(new CredentialsCreate { Name = credentialsName, Type = credentialsType.Slug, Data = data }, ct);
            }
            catch (ReeveApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
            {
                throw new CliException($"'{typeName}' credentials named '{credentialsName}' already exist.");
            }

            context.Success($"Created credentials '{created.Type}/{created.Name}' ({created.Id}).");
            context.WriteLine("Refer to them in a job template or a job variable as:");
            context.WriteLine($"    {{{{ {CredentialsReferences.NamePrefix}{created.Type}.{created.Name} }}}}");
            return 0;
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var type = new Option<string?>("--type", "-t") { Description = "Only credentials of this type." };
        var output = CommonOptions.Output();
        var command = new Command("ls", "List credentials (secret fields are never shown).") { type, output };
        command.SetAction(async (parse, ct) =>
        {
            using var client = context.CreateClient();
            var all = await client.FilterCredentialsAsync(new CredentialsFilterRequest { Type = parse.GetValue(type) }, ct);
            if (parse.WantsJson(output))
            {
                context.WriteJson(all);
                return 0;
            }

            var table = new TextTable("Credentials");
            table.AddColumns("Type", "Name", "ID", "Updated");
            foreach (var credentials in all)
            {
                table.AddRow(Markup.Escape(credentials.Type), Markup.Escape(credentials.Name), credentials.Id.ToString(),
                    credentials.Updated.ToString("u", CultureInfo.InvariantCulture));
            }

            table.WriteTo(context.Out);
            return 0;
        });
        return command;
    }

    private static Command Inspect(CliContext context)
    {
        var reference = ReferenceArgument();
        var output = CommonOptions.Output();
        var command = new Command("inspect", "Show credentials' fields, secrets masked.") { reference, output };
        command.SetAction(async (parse, ct) =>
        {
            using var client = context.CreateClient();
            var credentials = await ReadAsync(client, parse.GetValue(reference)!, ct);
            if (parse.WantsJson(output))
            {
                context.WriteJson(credentials);
                return 0;
            }

            var grid = new Grid().AddColumn().AddColumn();
            void Row(string label, string? value) => grid.AddRow($"[bold]{Markup.Escape(label)}[/]", Markup.Escape(value ?? "None"));
            Row("Type", credentials.Type);
            Row("Name", credentials.Name);
            Row("ID", credentials.Id.ToString());
            Row("Updated", credentials.Updated.ToString("u", CultureInfo.InvariantCulture));
            foreach (var (key, value) in credentials.Data)
            {
                Row(key, value is JsonValue text && text.GetValueKind() == JsonValueKind.String ? text.GetValue<string>() : value?.ToJsonString());
            }

            context.Out.Write(grid);
            return 0;
        });
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var reference = ReferenceArgument();
        var command = new Command("delete", "Delete credentials. Runs whose templates refer to them crash at submission, saying so.") { reference };
        command.SetAction(async (parse, ct) =>
        {
            using var client = context.CreateClient();
            var credentials = await ReadAsync(client, parse.GetValue(reference)!, ct);
            await client.DeleteCredentialsAsync(credentials.Id, ct);
            context.Success($"Deleted credentials '{credentials.Type}/{credentials.Name}'.");
            return 0;
        });
        return command;
    }

    private static Command Types(CliContext context)
    {
        var command = new Command("types", "List the credentials types and their fields (* secret, ! required).");
        command.SetAction(_ =>
        {
            var table = new TextTable("Credentials types");
            table.AddColumns("Type", "Fields", "Description");
            foreach (var type in CredentialsTypeCatalog.All)
            {
                table.AddRow(type.Slug, Markup.Escape(string.Join(", ", type.Fields.Select(f => f.Name + (f.IsSecret ? "*" : "") + (f.Required ? "!" : "")))),
                    Markup.Escape(type.Description));
            }

            table.WriteTo(context.Out);
            return 0;
        });
        return command;
    }

    private static async Task<Credentials> ReadAsync(ReeveClient client, string reference, CancellationToken ct)
    {
        try
        {
            if (Guid.TryParse(reference, out var id))
            {
                return await client.ReadCredentialsAsync(id, ct);
            }

            var slash = reference.IndexOf('/');
            if (slash <= 0 || slash == reference.Length - 1)
            {
                throw new CliException($"'{reference}' is neither TYPE/NAME (docker-registry-credentials/ci) nor an id.");
            }

            return await client.ReadCredentialsAsync(reference[..slash], reference[(slash + 1)..], ct);
        }
        catch (ReeveApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new CliException($"Credentials '{reference}' not found.");
        }
    }

    private static IEnumerable<(string Key, string Value)> Pairs(string[]? values, string option)
    {
        foreach (var pair in values ?? [])
        {
            var equals = pair.IndexOf('=');
            if (equals <= 0)
            {
                throw new CliException($"{option} '{pair}': expected KEY=VALUE.");
            }

            yield return (pair[..equals], pair[(equals + 1)..]);
        }
    }

    /// <summary>A field's value from text, as its kind wants it (a JSON object for a kubeconfig or a key, true/false for a flag).</summary>
    private static JsonNode Value(CredentialsType type, string key, string text)
    {
        var field = type.Field(key) ?? throw new CliException(
            $"'{type.Slug}' credentials have no field '{key}'; their fields: {string.Join(", ", type.Fields.Select(f => f.Name))}.");
        switch (field.Kind)
        {
            case CredentialsFieldKind.SecretObject:
                try
                {
                    return JsonNode.Parse(text) as JsonObject ?? throw new CliException($"'{key}' must be a JSON object.");
                }
                catch (JsonException e)
                {
                    throw new CliException($"'{key}' must be a JSON object: {e.Message}");
                }

            case CredentialsFieldKind.Flag:
                return bool.TryParse(text, out var flag) ? JsonValue.Create(flag) : throw new CliException($"'{key}' must be true or false.");
            default:
                return JsonValue.Create(text);
        }
    }
}
