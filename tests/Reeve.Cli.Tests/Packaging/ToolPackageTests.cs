using System.Diagnostics;

namespace Reeve.Cli.Tests.Packaging;

/// <summary>
/// The <c>reeve</c> command as a user installs it: <c>dotnet pack</c> makes the Reeve.Cli tool package, <c>dotnet tool
/// install</c> puts it in a tool folder of the test's own, and the installed <c>reeve</c> answers.
/// </summary>
public sealed class ToolPackageTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task PackedAndInstalledAsATool_ReeveAnswersItsVersion_AndListsTheServersPools()
    {
        var root = RepositoryRoot();
        var work = Directory.CreateTempSubdirectory("reeve-tool-test-");
        try
        {
            var feed = Path.Combine(work.FullName, "feed");
            var tools = Path.Combine(work.FullName, "tools");
            // Built into a folder of its own: other suites build and publish the same projects in Release meanwhile.
            var packed = await RunAsync("dotnet", ["pack", Path.Combine(root, "src", "Reeve.Cli", "Reeve.Cli.csproj"), "-c", "Release", "-o", feed, "-nologo",
                $"-p:ArtifactsPath={Path.Combine(work.FullName, "artifacts")}"], work.FullName);
            Assert.True(packed.ExitCode == 0, packed.Output);
            var package = Assert.Single(Directory.GetFiles(feed, "Reeve.Cli.*.nupkg"));
            var version = Path.GetFileNameWithoutExtension(package)["Reeve.Cli.".Length..];

            var installed = await RunAsync("dotnet", ["tool", "install", "--tool-path", tools, "Reeve.Cli", "--add-source", feed, "--version", version], work.FullName);
            Assert.True(installed.ExitCode == 0, installed.Output);

            var reeve = Path.Combine(tools, "reeve");
            var answered = await RunAsync(reeve, ["--version"], work.FullName);
            Assert.True(answered.ExitCode == 0, answered.Output);
            Assert.StartsWith(version, answered.Output.Trim(), StringComparison.Ordinal);

            var pool = Names.Unique("tool-pool");
            await fixture.Server.Client.CreateWorkPoolAsync(new Core.WorkPools.WorkPoolCreate { Name = pool, Type = "process" });
            var listed = await RunAsync(reeve, ["work-pool", "ls"], work.FullName, new() { ["REEVE_API_URL"] = fixture.Server.ApiUrl, ["REEVE_HOME"] = work.FullName });
            Assert.True(listed.ExitCode == 0, listed.Output);
            Assert.Contains(pool, listed.Output, StringComparison.Ordinal);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "src", "Reeve.Cli", "Reeve.Cli.csproj")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root was not found above the test's folder.");
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] args, string folder, Dictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // The tool is installed from the test's own feed only; nothing the test process has set leaks in.
        start.Environment.Remove("REEVE_API_KEY");
        start.Environment["NO_COLOR"] = "1";
        foreach (var (key, value) in environment ?? [])
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
