using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Docker.DotNet.Models;

namespace Reeve.Workers.Docker;

/// <summary>
/// A Docker credential helper (<c>docker-credential-NAME</c>, such as <c>desktop</c>, <c>pass</c> or
/// <c>osxkeychain</c>), spoken to as the Docker CLI does: <c>get</c> reads the registry's address on standard input
/// and writes <c>{"ServerURL", "Username", "Secret"}</c>; <c>store</c> reads that object. A helper's user name
/// <c>&lt;token&gt;</c> means its secret is an identity token.
/// </summary>
internal static class CredentialHelper
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <summary>The login the helper keeps for <paramref name="registry"/>, or null when it keeps none.</summary>
    public static AuthConfig? Get(string helper, string registry, Func<string, string?>? environment)
    {
        var (code, output) = Run(helper, "get", registry, environment);
        if (code != 0)
        {
            // The helpers' own words for "nothing kept for that registry" (Docker's helpers all use this one).
            if (output.Contains("credentials not found", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            throw new InvalidOperationException($"The Docker credential helper '{helper}' could not read the login for {registry}: {FirstLine(output)}");
        }

        JsonObject? answer;
        try
        {
            answer = JsonNode.Parse(output) as JsonObject;
        }
        catch (JsonException)
        {
            answer = null;
        }

        if (answer?["Username"] is not JsonValue user || !user.TryGetValue<string>(out var username)
            || answer["Secret"] is not JsonValue secret || !secret.TryGetValue<string>(out var password))
        {
            throw new InvalidOperationException($"The Docker credential helper '{helper}' answered something other than a login for {registry}.");
        }

        return username == "<token>"
            ? new AuthConfig { ServerAddress = registry, IdentityToken = password }
            : new AuthConfig { ServerAddress = registry, Username = username, Password = password };
    }

    /// <summary>Keeps a login with the helper.</summary>
    public static void Store(string helper, string registry, string username, string password, Func<string, string?>? environment)
    {
        var login = new JsonObject { ["ServerURL"] = registry, ["Username"] = username, ["Secret"] = password }.ToJsonString();
        var (code, output) = Run(helper, "store", login, environment);
        if (code != 0)
        {
            throw new InvalidOperationException($"The Docker credential helper '{helper}' could not keep the login for {registry}: {FirstLine(output)}");
        }
    }

    private static (int Code, string Output) Run(string helper, string verb, string input, Func<string, string?>? environment)
    {
        var program = Find($"docker-credential-{helper}", environment ?? Environment.GetEnvironmentVariable)
            ?? throw new InvalidOperationException(
                $"Docker's config names the credential helper '{helper}', but docker-credential-{helper} is not on the PATH.");
        var info = new ProcessStartInfo(program, verb)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = System.Diagnostics.Process.Start(info) ?? throw new InvalidOperationException($"docker-credential-{helper} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(input);
        process.StandardInput.Close();
        if (!process.WaitForExit(Limit))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"docker-credential-{helper} {verb} did not answer within {Limit.TotalSeconds:0} s.");
        }

        return (process.ExitCode, output.Result.Trim() is { Length: > 0 } said ? said : error.Result.Trim());
    }

    /// <summary>The program's path in the first <c>PATH</c> folder that has it.</summary>
    private static string? Find(string program, Func<string, string?> environment)
    {
        var names = OperatingSystem.IsWindows() ? [program + ".exe", program + ".cmd", program] : new[] { program };
        foreach (var folder in (environment("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in names)
            {
                var path = Path.Combine(folder, name);
                if (File.Exists(path))
                {
                    return path;
                }
            }
        }

        return null;
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim() is { Length: > 0 } line ? line : "(no answer)";
}
