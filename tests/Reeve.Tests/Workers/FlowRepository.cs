using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Reeve.Tests.Workers;

/// <summary>
/// A user's flow repository, as a worker meets it: the RepoInfo example plus a few test flows, referencing the
/// Reeve SDK as a NuGet package (packed from this build into a local feed), committed to a real git repository
/// served by <c>git daemon</c> on loopback.
/// </summary>
public sealed class FlowRepository : IAsyncDisposable
{
    private Process? _daemon;

    private FlowRepository(string root) => Root = root;

    /// <summary>The folder holding the feed, the served repositories and the working copy.</summary>
    public string Root { get; }

    /// <summary>The <c>git://</c> URL of the repository.</summary>
    public string Url { get; private set; } = "";

    /// <summary>The working copy (commits pushed from here reach <see cref="Url"/>).</summary>
    public string WorkingCopy => Path.Combine(Root, "work");

    /// <summary>The version of the packed SDK the repository references.</summary>
    public string SdkVersion { get; private set; } = "";

    public static async Task<FlowRepository> CreateAsync()
    {
        var repository = new FlowRepository(Path.Combine(Path.GetTempPath(), "reeve-flow-repo", Guid.NewGuid().ToString("N")[..12]));
        Directory.CreateDirectory(repository.Root);
        await repository.PackSdkAsync();
        await repository.WriteSourcesAsync();
        await repository.ServeAsync();
        return repository;
    }

    /// <summary>Packs Reeve.Core, Reeve.Client, Reeve.Workers and Reeve from the tests' own build, under a version no cache has seen.</summary>
    private async Task PackSdkAsync()
    {
        SdkVersion = $"0.0.0-e2e.{TimeProvider.System.GetUtcNow():yyyyMMddHHmmss}.{Environment.ProcessId}";
        var config = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;
        foreach (var project in new[] { "Reeve.Core", "Reeve.Client", "Reeve.Workers", "Reeve" })
        {
            await RunAsync("dotnet", Root, "pack", Path.Combine(RepoRoot, "src", project, project + ".csproj"), "--no-build", "-c", config,
                "-o", Path.Combine(Root, "feed"), $"-p:Version={SdkVersion}", "-nologo", "-v", "quiet");
        }
    }

    private async Task WriteSourcesAsync()
    {
        Directory.CreateDirectory(WorkingCopy);
        var example = Path.Combine(RepoRoot, "examples", "RepoInfo");
        File.Copy(Path.Combine(example, "RepoInfoFlows.cs"), Path.Combine(WorkingCopy, "RepoInfoFlows.cs"));
        File.Copy(Path.Combine(example, "Program.cs"), Path.Combine(WorkingCopy, "Program.cs"));
        File.Copy(Path.Combine(example, "GitHubStandIn.cs"), Path.Combine(WorkingCopy, "GitHubStandIn.cs"));
        await File.WriteAllTextAsync(Path.Combine(WorkingCopy, "RepoInfo.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Reeve" Version="{SdkVersion}" />
                <!-- scripts/ holds file-based programs, built on their own. -->
                <Compile Remove="scripts/**" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(WorkingCopy, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="reeve-local" value="{Path.Combine(Root, "feed")}" />
              </packageSources>
            </configuration>
            """);
        await File.WriteAllTextAsync(Path.Combine(WorkingCopy, "TestFlows.cs"), TestFlowsSource);
        Directory.CreateDirectory(Path.Combine(WorkingCopy, "scripts"));
        await File.WriteAllTextAsync(Path.Combine(WorkingCopy, "scripts", "probe.cs"), $$"""
            #:package Reeve@{{SdkVersion}}
            using Reeve.Flows;

            Console.WriteLine("probe.cs is a flow program; its flow runs through a deployment.");

            public static class Probe
            {
                [Flow(LogPrints = true)]
                public static void ShowEnv()
                {
                    Console.WriteLine($"POOL_LEVEL={Environment.GetEnvironmentVariable("POOL_LEVEL")}");
                    Console.WriteLine($"DEPLOYMENT_LEVEL={Environment.GetEnvironmentVariable("DEPLOYMENT_LEVEL")}");
                }
            }
            """);
        await File.WriteAllTextAsync(Path.Combine(WorkingCopy, ".gitignore"), "bin/\nobj/\n");
        await GitAsync(WorkingCopy, "init", "--quiet", "--initial-branch=main");
        await CommitAllAsync("The RepoInfo flow and test flows");
    }

    /// <summary>Commits everything in the working copy and pushes it to the served repository; returns the commit.</summary>
    public async Task<string> CommitAllAsync(string message)
    {
        await GitAsync(WorkingCopy, "add", "-A");
        await GitAsync(WorkingCopy, "-c", "user.name=Reeve Tests", "-c", "user.email=tests@reeve.invalid", "commit", "--quiet", "-m", message);
        var served = Path.Combine(Root, "served", "repo-info.git");
        if (!Directory.Exists(served))
        {
            await GitAsync(Root, "clone", "--quiet", "--bare", WorkingCopy, served);
        }
        else
        {
            await GitAsync(WorkingCopy, "push", "--quiet", served, "main");
        }

        return (await GitAsync(WorkingCopy, "rev-parse", "HEAD")).Trim();
    }

    private async Task ServeAsync()
    {
        var port = FreePort();
        var info = new ProcessStartInfo("git")
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var arg in new[] { "daemon", "--reuseaddr", "--export-all", "--listen=127.0.0.1", $"--port={port}", $"--base-path={Path.Combine(Root, "served")}", Path.Combine(Root, "served") })
        {
            info.ArgumentList.Add(arg);
        }

        _daemon = Process.Start(info) ?? throw new InvalidOperationException("Could not start git daemon.");
        Url = $"git://127.0.0.1:{port}/repo-info.git";

        // Ready when a listing succeeds.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await GitAsync(Root, "ls-remote", Url);
                return;
            }
            catch (InvalidOperationException) when (attempt < 100)
            {
                await Task.Delay(100);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static Task<string> GitAsync(string folder, params string[] args) => RunAsync("git", folder, args);

    private static async Task<string> RunAsync(string program, string folder, params string[] args)
    {
        var result = await Reeve.Deployments.ChildProcess.RunAsync(program, folder, args, environment: null, CancellationToken.None);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({result.ExitCode}): {result.Error}{result.Output}");
        }

        return result.Output;
    }

    /// <summary>The repository's root: the folder holding Reeve.slnx, above the tests' output.</summary>
    private static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Reeve.slnx")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("Reeve.slnx not found above the tests' folder.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_daemon is { HasExited: false })
        {
            _daemon.Kill(entireProcessTree: true);
            await _daemon.WaitForExitAsync();
        }

        _daemon?.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A process of a test may still hold a file; the temporary folder is cleaned by the OS.
        }
    }

    private const string TestFlowsSource = """
        using System.Diagnostics;
        using Reeve.Flows;

        namespace RepoInfo;

        /// <summary>Flows the worker tests run from this repository.</summary>
        public static class TestFlows
        {
            /// <summary>Starts a child process and waits for it, deaf to cancellation: only signals stop it.</summary>
            [Flow(Name = "hang", LogPrints = true)]
            public static void Hang()
            {
                using var child = Process.Start("sleep", "600");
                Console.WriteLine($"CHILD_PID={child.Id}");
                child.WaitForExit();
            }

            /// <summary>Waits, then completes.</summary>
            [Flow(Name = "wait-then-complete", LogPrints = true)]
            public static void WaitThenComplete(int seconds = 3)
            {
                Console.WriteLine("waiting");
                Thread.Sleep(TimeSpan.FromSeconds(seconds));
                Console.WriteLine("done");
            }
        }
        """;
}
