using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reeve.Client;
using Reeve.Core.Json;
using Reeve.Core.Variables;
using Spectre.Console;

namespace Reeve.Cli.Commands;

/// <summary><c>reeve variable ...</c>: Prefect's variables, named JSON values that flows read.</summary>
internal static class VariableCommands
{
    public static Command Build(CliContext context)
    {
        var variables = new Command("variable", "Manage variables: named values (any JSON) for configuration that is not secret, read by flows with Variables.GetAsync.");
        variables.Subcommands.Add(List(context));
        variables.Subcommands.Add(Get(context));
        variables.Subcommands.Add(Set(context));
        variables.Subcommands.Add(Unset(context));
        return variables;
    }

    private static Argument<string> NameArgument() => new("name") { Description = "The variable's name (lowercase letters, digits and underscores)." };

    private static Command List(CliContext context)
    {
        var limit = new Option<int>("--limit") { Description = "How many at most (1 to 200).", DefaultValueFactory = _ => 100 };
        var output = CommonOptions.Output();
        var command = new Command("ls", "List variables, by name.") { limit, output };
        command.SetAction(async (parse, ct) =>
        {
            var count = parse.GetValue(limit);
            if (count is < 1 or > 200)
            {
                throw new CliException($"--limit: {count} must be between 1 and 200.");
            }

            using var client = context.CreateClient();
            var all = await client.FilterVariablesAsync(new VariableFilterRequest { Limit = count }, ct);
            if (parse.WantsJson(output))
            {
                context.WriteJson(all);
                return 0;
            }

            if (all.Count == 0)
            {
                context.WriteLine("No variables.");
                return 0;
            }

            var table = new TextTable("Variables");
            table.AddColumns("Name", "Value", "Tags", "Updated");
            foreach (var variable in all)
            {
                var value = variable.Value?.ToJsonString(ReeveJson.Default) ?? "null";
                table.AddRow(Markup.Escape(variable.Name), Markup.Escape(value.Length > 60 ? value[..57] + "..." : value),
                    Markup.Escape(string.Join(", ", variable.Tags)), variable.Updated.ToString("u", CultureInfo.InvariantCulture));
            }

            table.WriteTo(context.Out);
            return 0;
        });
        return command;
    }

    private static Command Get(CliContext context)
    {
        var name = NameArgument();
        var output = CommonOptions.Output();
        var command = new Command("get", "Print a variable's value (its JSON; a string as it is).") { name, output };
        command.SetAction(async (parse, ct) =>
        {
            using var client = context.CreateClient();
            var variable = await ReadAsync(client, parse.GetValue(name)!, ct);
            if (parse.WantsJson(output))
            {
                context.WriteJson(variable);
            }
            else
            {
                context.Out.Profile.Out.Writer.WriteLine(variable.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String
                    ? v.GetValue<string>()
                    : variable.Value?.ToJsonString(ReeveJson.Default) ?? "null");
            }

            return 0;
        });
        return command;
    }

    private static Command Set(CliContext context)
    {
        var name = NameArgument();
        var value = new Argument<string>("value") { Description = "The value: JSON (42, true, {\"a\": 1}, [1, 2]) or, when it is not JSON, a string." };
        var overwrite = new Option<bool>("--overwrite") { Description = "Change the variable if it exists." };
        var tags = new Option<string[]>("--tag") { Description = "A tag (repeatable)." };
        var command = new Command("set", "Create a variable, or change one with --overwrite.") { name, value, overwrite, tags };
        command.SetAction(async (parse, ct) =>
        {
            var variableName = parse.GetValue(name)!;
            var text = parse.GetValue(value)!;
            JsonNode? node;
            try
            {
                node = JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                node = JsonValue.Create(text);
            }

            var tagList = parse.GetValue(tags) is { Length: > 0 } given ? given.ToList() : null;
            using var client = context.CreateClient();
            try
            {
                await client.CreateVariableAsync(new VariableCreate { Name = variableName, Value = node, Tags = tagList }, ct);
                context.Success($"Set variable '{variableName}'.");
            }
            catch (ReeveApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
            {
                if (!parse.GetValue(overwrite))
                {
                    throw new CliException($"Variable '{variableName}' already exists. Use --overwrite to change it.");
                }

                await client.UpdateVariableByNameAsync(variableName, new VariableUpdate
                {
                    Value = new Optional<JsonNode?>(node),
                    Tags = tagList is null ? default : new Optional<List<string>?>(tagList),
                }, ct);
                context.Success($"Set variable '{variableName}'.");
            }

            return 0;
        });
        return command;
    }

    private static Command Unset(CliContext context)
    {
        var name = NameArgument();
        var command = new Command("unset", "Delete a variable.") { name };
        command.SetAction(async (parse, ct) =>
        {
            var variableName = parse.GetValue(name)!;
            using var client = context.CreateClient();
            try
            {
                await client.DeleteVariableByNameAsync(variableName, ct);
            }
            catch (ReeveApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                throw new CliException($"Variable '{variableName}' not found.");
            }

            context.Success($"Unset variable '{variableName}'.");
            return 0;
        });
        return command;
    }

    private static async Task<Variable> ReadAsync(ReeveClient client, string name, CancellationToken ct)
    {
        try
        {
            return await client.ReadVariableByNameAsync(name, ct);
        }
        catch (ReeveApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new CliException($"Variable '{name}' not found.");
        }
    }
}
