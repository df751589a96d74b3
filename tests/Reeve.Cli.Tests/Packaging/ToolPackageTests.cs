namespace Reeve.Cli.Tests.Packaging;

/// <summary>
/// The packages as users get them. The <c>reeve</c> command as a user installs it: <c>dotnet pack</c> makes the Reeve.Cli tool package, <c>dotnet tool
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
            (int ExitCode, string Output) packed;
            using (await HeavyBuildGate.EnterAsync())
            {
                packed = await RunAsync("dotnet", ["pack", Path.Combine(root, "src", "Reeve.Cli", "Reeve.Cli.csproj"), "-c", "Release", "-o", feed, "-nologo",
                    $"-p:ArtifactsPath={Path.Combine(work.FullName, "artifacts")}"], work.FullName);
            }

            Assert.True(packed.ExitCode == 0, packed.Output);
            // A pointer package, and one per platform: Linux x64 and arm64 precompiled, and a portable one for the rest.
            var packages = Directory.GetFiles(feed, "Reeve.Cli.*.nupkg").Select(Path.GetFileName).ToList();
            var package = Assert.Single(packages, p => char.IsAsciiDigit(p!["Reeve.Cli.".Length]));
            var version = Path.GetFileNameWithoutExtension(package)!["Reeve.Cli.".Length..];
            Assert.Equal(
                [$"Reeve.Cli.any.{version}.nupkg", $"Reeve.Cli.linux-arm64.{version}.nupkg", $"Reeve.Cli.linux-x64.{version}.nupkg"],
                packages.Where(p => p != package).Order(StringComparer.Ordinal));

            var installed = await RunAsync("dotnet", ["tool", "install", "--tool-path", tools, "Reeve.Cli", "--add-source", feed, "--version", version], work.FullName);
            Assert.True(installed.ExitCode == 0, installed.Output);

            // This machine got the precompiled package: its Reeve.Cli.dll carries ReadyToRun code.
            var assembly = Assert.Single(Directory.GetFiles(tools, "Reeve.Cli.dll", SearchOption.AllDirectories));
            Assert.Contains($"{Path.DirectorySeparatorChar}linux-", assembly, StringComparison.Ordinal);
            using (var pe = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(assembly)))
            {
                Assert.True(pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0, $"{assembly} is not ReadyToRun");
            }

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

    [Fact]
    public async Task TheSdkPackages_FromALocalFeed_BuildAProgramThatRunsAFlow()
    {
        var root = RepositoryRoot();
        var work = Directory.CreateTempSubdirectory("reeve-packages-test-");
        try
        {
            var feed = Path.Combine(work.FullName, "feed");
            var artifacts = Path.Combine(work.FullName, "artifacts");
            using (await HeavyBuildGate.EnterAsync())
            {
                foreach (var project in new[] { "Reeve.Core", "Reeve.Client", "Reeve.Workers", "Reeve" })
                {
                    var packed = await RunAsync("dotnet", ["pack", Path.Combine(root, "src", project, project + ".csproj"), "-c", "Release", "-o", feed, "-nologo",
                        $"-p:ArtifactsPath={artifacts}"], work.FullName);
                    Assert.True(packed.ExitCode == 0, packed.Output);
                }
            }

            var packages = Directory.GetFiles(feed).Select(Path.GetFileName).ToList();
            Assert.Contains(packages, p => p!.StartsWith("Reeve.0.", StringComparison.Ordinal) && p.EndsWith(".snupkg", StringComparison.Ordinal));
            var version = Path.GetFileNameWithoutExtension(packages.Single(p => p!.StartsWith("Reeve.0.", StringComparison.Ordinal) && p.EndsWith(".nupkg", StringComparison.Ordinal)))!["Reeve.".Length..];

            // A program of a user's own, outside the repository: only the feed and the machine's NuGet source.
            var app = Directory.CreateDirectory(Path.Combine(work.FullName, "hello")).FullName;
            await File.WriteAllTextAsync(Path.Combine(app, "Hello.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <ImplicitUsings>enable</ImplicitUsings>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="Reeve" Version="{version}" />
                  </ItemGroup>
                </Project>
                """);
            await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), """
                using Reeve.Flows;

                var result = await Flow.Define(Flows.Add).RunAsync<int>(2, 3);
                Console.WriteLine($"flow result: {result}");

                static class Flows
                {
                    [Flow(Name = "add")]
                    public static int Add(int a, int b) => a + b;
                }
                """);
            await File.WriteAllTextAsync(Path.Combine(app, "Directory.Build.props"), "<Project />");
            await File.WriteAllTextAsync(Path.Combine(app, "Directory.Packages.props"), "<Project />");
            // The feed beside the machine's own sources (its user-level NuGet.Config), as a user would add it.
            await File.WriteAllTextAsync(Path.Combine(app, "NuGet.Config"), $"""
                <configuration>
                  <packageSources>
                    <add key="reeve-local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            var ran = await RunAsync("dotnet", ["run", "--project", app, $"-p:RestorePackagesPath={Path.Combine(work.FullName, "packages")}"], app,
                new() { ["REEVE_API_URL"] = "" });
            Assert.True(ran.ExitCode == 0, ran.Output);
            Assert.Contains("flow result: 5", ran.Output, StringComparison.Ordinal);
            var metadata = await File.ReadAllTextAsync(Path.Combine(work.FullName, "packages", "reeve", version, ".nupkg.metadata"));
            Assert.Contains(feed.Replace("\\", "\\\\", StringComparison.Ordinal), metadata, StringComparison.Ordinal);
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

    private static Task<(int ExitCode, string Output)> RunAsync(string file, string[] args, string folder, Dictionary<string, string>? environment = null)
    {
        // The tool is installed from the test's own feed only; nothing the test process has set leaks in.
        var variables = new Dictionary<string, string?> { ["REEVE_API_KEY"] = null, ["NO_COLOR"] = "1" };
        foreach (var (key, value) in environment ?? [])
        {
            variables[key] = value;
        }

        return ExternalProcess.RunAsync(file, args, TimeSpan.FromMinutes(6), folder, variables);
    }
}
