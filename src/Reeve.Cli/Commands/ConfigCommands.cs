using System.CommandLine;
using Reeve.Client;

namespace Reeve.Cli.Commands;

/// <summary><c>reeve config set|view|unset</c>: the client settings kept in the profile.</summary>
internal static class ConfigCommands
{
    public static Command Build(CliContext context)
    {
        var config = new Command("config", $"View and change client settings ({string.Join(", ", ReeveSettings.Known)}), kept in a profile in the Reeve home folder. Environment variables win over the profile.");
        config.Subcommands.Add(Set(context));
        config.Subcommands.Add(View(context));
        config.Subcommands.Add(Unset(context));
        return config;
    }

    private static Command Set(CliContext context)
    {
        var pairs = new Argument<string[]>("settings") { Description = "KEY=VALUE pairs, e.g. REEVE_API_URL=http://127.0.0.1:4200/api.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("set", "Set client settings in the profile.") { pairs };
        command.SetAction(parse =>
        {
            var path = ReeveSettings.ProfilePath(context.HomeFolder);
            var profile = Read(path);
            var changes = new List<(string Key, string Value)>();
            foreach (var pair in parse.GetValue(pairs)!)
            {
                var at = pair.IndexOf('=', StringComparison.Ordinal);
                if (at <= 0)
                {
                    throw new CliException($"'{pair}' is not KEY=VALUE.");
                }

                var key = RequireKnown(pair[..at].Trim());
                var value = pair[(at + 1)..].Trim();
                if (key == ReeveSettings.ApiUrlKey && !(Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
                {
                    throw new CliException($"{key} must be an http:// or https:// address (got '{value}').");
                }

                changes.Add((key, value));
            }

            foreach (var (key, value) in changes)
            {
                profile[key] = value;
            }

            ReeveSettings.WriteProfile(path, profile);
            foreach (var (key, value) in changes)
            {
                context.WriteLine($"Set '{key}' to '{Show(key, value, secrets: false)}'.");
                if (context.Environment(key) is { Length: > 0 })
                {
                    context.WriteLine($"{key} is also set by an environment variable, which wins over the profile. Run 'unset {key}' to clear it.");
                }
            }

            context.Success($"Updated profile {path}.");
            return 0;
        });
        return command;
    }

    private static Command View(CliContext context)
    {
        var secrets = new Option<bool>("--show-secrets") { Description = "Show the API key instead of masking it." };
        var output = CommonOptions.Output();
        var command = new Command("view", "Show the client settings in effect and where each comes from.") { secrets, output };
        command.SetAction(parse =>
        {
            var settings = context.LoadSettings();
            var showSecrets = parse.GetValue(secrets);
            var values = new Dictionary<string, string?>
            {
                [ReeveSettings.ApiUrlKey] = settings.ApiUrl,
                [ReeveSettings.ApiKeyKey] = settings.ApiKey is null ? null : Show(ReeveSettings.ApiKeyKey, settings.ApiKey, showSecrets),
            };
            if (parse.WantsJson(output))
            {
                context.WriteJson(values.Where(v => v.Value is not null).ToDictionary(v => v.Key, v => new { value = v.Value, source = settings.Sources[v.Key] }));
                return 0;
            }

            context.WriteLine($"PROFILE: {ReeveSettings.ProfilePath(context.HomeFolder)}");
            foreach (var (key, value) in values)
            {
                if (value is not null)
                {
                    context.WriteLine($"{key}='{value}' (from {settings.Sources[key]})");
                }
            }

            return 0;
        });
        return command;
    }

    private static Command Unset(CliContext context)
    {
        var keys = new Argument<string[]>("settings") { Description = "The settings to remove from the profile.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("unset", "Remove client settings from the profile.") { keys };
        command.SetAction(parse =>
        {
            var path = ReeveSettings.ProfilePath(context.HomeFolder);
            var profile = Read(path);
            var names = parse.GetValue(keys)!.Select(k => RequireKnown(k.Trim())).ToList();
            foreach (var key in names)
            {
                if (!profile.Remove(key))
                {
                    throw new CliException($"'{key}' is not set in the profile {path}.");
                }
            }

            ReeveSettings.WriteProfile(path, profile);
            foreach (var key in names)
            {
                context.WriteLine($"Unset '{key}'.");
            }

            context.Success($"Updated profile {path}.");
            return 0;
        });
        return command;
    }

    private static Dictionary<string, string> Read(string path)
    {
        try
        {
            return ReeveSettings.ReadProfile(path);
        }
        catch (InvalidDataException e)
        {
            throw new CliException(e.Message);
        }
    }

    private static string RequireKnown(string key) =>
        ReeveSettings.Known.Contains(key)
            ? key
            : throw new CliException($"Unknown setting name '{key}'. Known settings: {string.Join(", ", ReeveSettings.Known)}.");

    private static string Show(string key, string value, bool secrets) =>
        key == ReeveSettings.ApiKeyKey && !secrets ? new string('*', 8) : value;
}
