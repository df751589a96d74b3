using System.Security.Cryptography;
using System.Text;

namespace Reeve.Deployments;

/// <summary>
/// Builds an entrypoint's program with <c>dotnet build</c> into the build cache (<c>REEVE_HOME/builds</c>),
/// keyed by the source's commit and the entrypoint: a second run of the same commit loads what the first built.
/// Sources without a commit (local folders) are built every time, incrementally.
/// </summary>
internal static class FlowBuilder
{
    /// <summary>
    /// The assembly to load for <paramref name="entrypoint"/>, built (or found in the cache) from <paramref name="file"/>;
    /// <paramref name="progress"/> hears what a build is doing (the start, each project built), since a first build
    /// takes tens of seconds.
    /// </summary>
    public static async Task<(string Assembly, bool Cached)> BuildAsync(Entrypoint entrypoint, string file, string? commit, string home,
        CancellationToken cancellationToken, IProgress<string>? progress = null)
    {
        if (entrypoint.Kind == EntrypointKind.Assembly)
        {
            return (file, false);
        }

        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{commit ?? file}\n{entrypoint.Path}")))[..24];
        var cache = Path.Combine(home, "builds", key);
        var assemblyName = Path.GetFileNameWithoutExtension(file) + ".dll";
        var built = Path.Combine(cache, assemblyName);
        if (commit is not null && File.Exists(Path.Combine(cache, ".complete")))
        {
            return (built, true);
        }

        // Built beside the cache entry, then moved into place: a reader never sees half a build, and of two
        // engines building the same commit at once, the first to finish wins and the other's build is dropped.
        var staging = cache + "." + Guid.NewGuid().ToString("N")[..8];
        var output = commit is null ? cache : staging;
        progress?.Report(commit is null
            ? $"Building {entrypoint.Path} (a folder is built for every run, incrementally)..."
            : $"Building {entrypoint.Path} of commit {commit[..Math.Min(12, commit.Length)]} (once per commit; later runs take it from the cache)...");
        await DotnetAsync(file, ["build", file, "-c", "Release", "-o", output], "dotnet build", cancellationToken, progress);
        if (commit is not null)
        {
            await File.WriteAllTextAsync(Path.Combine(staging, ".complete"), commit, cancellationToken);
            try
            {
                Directory.Move(staging, cache);
            }
            catch (IOException) when (File.Exists(Path.Combine(cache, ".complete")))
            {
                TryDelete(staging);
            }
        }

        return (built, false);
    }

    /// <summary>
    /// Runs the .NET SDK on <paramref name="file"/> (quiet, without the run's own settings); a failure throws with the
    /// compiler's error lines, the first in the message.
    /// </summary>
    internal static async Task DotnetAsync(string file, IEnumerable<string> args, string what, CancellationToken cancellationToken, IProgress<string>? progress = null)
    {
        // Minimal verbosity prints a line per project built ("Name -> path"), which is the progress worth telling.
        string[] quiet = ["-nologo", "-v", progress is null ? "quiet" : "minimal", "-clp:NoSummary", "-p:TreatWarningsAsErrors=false"];
        var environment = new Dictionary<string, string?>
        {
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",

            // A build must not inherit the run's own settings (a build server started with them would outlive the run).
            ["REEVE_FLOW_RUN_ID"] = null,
        };
        var dotnet = await ChildProcess.RunAsync("dotnet", Path.GetDirectoryName(file)!, args.Concat(quiet), environment, cancellationToken,
            progress is null ? null : line => Report(progress, line));
        if (dotnet.ExitCode != 0)
        {
            var lines = (dotnet.Output + "\n" + dotnet.Error).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var errors = lines.Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)).Distinct().ToList();
            throw new DeploymentSourceException(
                $"Building {Path.GetFileName(file)} failed: {errors.FirstOrDefault() ?? $"{what} exited with code {dotnet.ExitCode}"}",
                errors.Count > 0 ? errors : lines);
        }
    }

    /// <summary>Tells the lines of a build worth telling: a project built, packages restored.</summary>
    private static void Report(IProgress<string> progress, string line)
    {
        var text = line.Trim();
        var arrow = text.IndexOf(" -> ", StringComparison.Ordinal);
        if (arrow > 0 && !text[..arrow].Contains(' ', StringComparison.Ordinal))
        {
            progress.Report($"Built {text[..arrow]}");
        }
        else if (text.StartsWith("Restored ", StringComparison.Ordinal))
        {
            progress.Report($"Restored the packages of {Path.GetFileName(text["Restored ".Length..].Split(" (in ", 2)[0].Trim())}");
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover staging folder costs disk, nothing else.
        }
    }
}
