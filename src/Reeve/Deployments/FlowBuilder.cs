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
    /// <summary>The assembly to load for <paramref name="entrypoint"/>, built (or found in the cache) from <paramref name="file"/>.</summary>
    public static async Task<(string Assembly, bool Cached)> BuildAsync(Entrypoint entrypoint, string file, string? commit, string home, CancellationToken cancellationToken)
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
        await DotnetBuildAsync(file, output, cancellationToken);
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

    private static Task DotnetBuildAsync(string file, string output, CancellationToken cancellationToken) =>
        DotnetAsync(file, ["build", file, "-c", "Release", "-o", output], "dotnet build", cancellationToken);

    /// <summary>
    /// Runs the .NET SDK on <paramref name="file"/> (quiet, without the run's own settings); a failure throws with the
    /// compiler's error lines, the first in the message.
    /// </summary>
    internal static async Task DotnetAsync(string file, IEnumerable<string> args, string what, CancellationToken cancellationToken)
    {
        string[] quiet = ["-nologo", "-v", "quiet", "-clp:NoSummary", "-p:TreatWarningsAsErrors=false"];
        var environment = new Dictionary<string, string?>
        {
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",

            // A build must not inherit the run's own settings (a build server started with them would outlive the run).
            ["REEVE_FLOW_RUN_ID"] = null,
        };
        var dotnet = await ChildProcess.RunAsync("dotnet", Path.GetDirectoryName(file)!, args.Concat(quiet), environment, cancellationToken);
        if (dotnet.ExitCode != 0)
        {
            var lines = (dotnet.Output + "\n" + dotnet.Error).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var errors = lines.Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)).Distinct().ToList();
            throw new DeploymentSourceException(
                $"Building {Path.GetFileName(file)} failed: {errors.FirstOrDefault() ?? $"{what} exited with code {dotnet.ExitCode}"}",
                errors.Count > 0 ? errors : lines);
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
