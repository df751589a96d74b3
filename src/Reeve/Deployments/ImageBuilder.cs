using System.Formats.Tar;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Docker.DotNet.Models;
using Reeve.Workers.Docker;

namespace Reeve.Deployments;

/// <summary>
/// Builds a deployment's image: publishes the flow's project with a small generated engine program (self-contained and ReadyToRun,
/// for the image's platform), writes a Dockerfile (or takes the one given), has the Docker engine build the image
/// from that context and pushes it when asked. Progress goes to the deploy's output, a line per step.
/// </summary>
internal static class ImageBuilder
{
    /// <summary>Where the published flow and its engine live in the image; the runs' working folder.</summary>
    public const string AppFolder = "/app";

    private const string EngineName = "reeve-engine";

    /// <summary>Builds (and pushes) <paramref name="image"/> for the flow in <paramref name="flowAssembly"/>; returns the name the runs pull.</summary>
    public static async Task<string> BuildAsync(DeploymentImage image, string flowAssembly, Client.ReeveSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        var name = ImageName.Parse(image.Name);
        if (name.Tag is null)
        {
            name = name with { Tag = image.Tag ?? TimeProvider.System.GetUtcNow().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) };
        }

        name = name.InNamespace(settings.DefaultDockerBuildNamespace);
        var project = FindProject(image.Project, flowAssembly);
        var rid = RuntimeIdentifier(image.Platform);

        // One work folder per project, kept between deploys so that the engine program builds incrementally.
        var work = Path.Combine(Client.ReeveSettings.HomeFolder(), "images",
            Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(project)))[..16]);
        var engine = Path.Combine(work, "engine");
        var context = Path.Combine(work, "context");
        var app = Path.Combine(context, "app");
        Directory.CreateDirectory(engine);
        if (Directory.Exists(context))
        {
            Directory.Delete(context, recursive: true);
        }

        Directory.CreateDirectory(context);
        await WriteEngineAsync(engine, project, cancellationToken);
        await output.WriteLineAsync($"Publishing {Path.GetFileName(project)} for {rid}...");
        var engineProject = Path.Combine(engine, EngineName + ".csproj");
        await FlowBuilder.DotnetAsync(engineProject, ["publish", engineProject, "-c", "Release", "-r", rid, "--self-contained", "-p:PublishReadyToRun=true", "-o", app], "dotnet publish", cancellationToken);

        var dockerfile = image.Dockerfile is { } own
            ? await File.ReadAllTextAsync(own, cancellationToken)
            : GeneratedDockerfile(image.BaseImage ?? settings.DefaultDockerBaseImage ?? DeploymentImage.DefaultBaseImage);
        await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), dockerfile, cancellationToken);

        using var docker = DockerEngine.Connect();
        await output.WriteLineAsync($"Building image {name}...");
        var tar = Path.Combine(work, "context.tar");
        await using (var file = File.Create(tar))
        {
            await TarFile.CreateFromDirectoryAsync(context, file, includeBaseDirectory: false, cancellationToken);
        }

        var building = new JsonProgress(output);
        await using (var contents = File.OpenRead(tar))
        {
            await docker.Images.BuildImageFromDockerfileAsync(new ImageBuildParameters
            {
                Tags = [name.ToString()],
                Dockerfile = "Dockerfile",
                Platform = image.Platform!,
                Remove = true,
                ForceRemove = true,
            }, contents, null, null, building, cancellationToken);
        }

        File.Delete(tar);
        building.ThrowIfFailed($"Building image {name} failed");
        await output.WriteLineAsync($"Built image {name}.");

        if (image.Push ?? name.Registry is not null)
        {
            await output.WriteLineAsync($"Pushing image {name}...");
            await DockerEngine.PushAsync(docker, name, output, cancellationToken);
            await output.WriteLineAsync($"Pushed image {name}.");
        }

        return name.ToString();
    }

    /// <summary>The Dockerfile Reeve writes: the published flow on <paramref name="baseImage"/>, the engine as its command (which a job's <c>command</c> replaces).</summary>
    internal static string GeneratedDockerfile(string baseImage) => $"""
        FROM {baseImage}
        WORKDIR {AppFolder}
        COPY app/ {AppFolder}/
        CMD ["{AppFolder}/{EngineName}"]

        """;

    /// <summary>The .NET runtime identifier for a Docker platform (<c>linux/amd64</c> → <c>linux-x64</c>); this machine's architecture when null.</summary>
    internal static string RuntimeIdentifier(string? platform) => platform?.ToLowerInvariant() switch
    {
        null or "" => RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64",
        "linux/amd64" or "linux/x86_64" => "linux-x64",
        "linux/arm64" or "linux/arm64/v8" or "linux/aarch64" => "linux-arm64",
        "linux/arm" or "linux/arm/v7" => "linux-arm",
        _ => throw new ArgumentException($"Platform '{platform}' is not one Reeve builds for: linux/amd64, linux/arm64 or linux/arm/v7.", nameof(platform)),
    };

    /// <summary>
    /// The project given, or <c>ASSEMBLY.csproj</c> in the current folder, in a folder above the flow's assembly, or
    /// in a folder above one of its source files (read from the assembly's portable PDB, which names them: the way
    /// to the project when the build output is elsewhere, as with an artifacts folder).
    /// </summary>
    private static string FindProject(string? given, string flowAssembly)
    {
        if (given is not null)
        {
            return File.Exists(given) ? Path.GetFullPath(given) : throw new ArgumentException($"The project '{given}' does not exist.", nameof(given));
        }

        var wanted = Path.GetFileNameWithoutExtension(flowAssembly) + ".csproj";
        var starts = new[] { Directory.GetCurrentDirectory(), Path.GetDirectoryName(flowAssembly)! }.Concat(SourceFolders(flowAssembly));
        foreach (var start in starts)
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                var candidate = Path.Combine(folder.FullName, wanted);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new ArgumentException($"Could not find {wanted} in the current folder or above the flow's assembly or sources; set DeploymentImage.Project to the flow's project file.");
    }

    /// <summary>The folders of the source files the assembly's portable PDB names, when there is one beside it.</summary>
    private static IEnumerable<string> SourceFolders(string assembly)
    {
        var pdb = Path.ChangeExtension(assembly, ".pdb");
        if (!File.Exists(pdb))
        {
            return [];
        }

        try
        {
            using var stream = File.OpenRead(pdb);
            using var provider = System.Reflection.Metadata.MetadataReaderProvider.FromPortablePdbStream(stream);
            var reader = provider.GetMetadataReader();
            return [.. reader.Documents
                .Select(d => reader.GetString(reader.GetDocument(d).Name))
                .Where(path => Path.IsPathRooted(path) && !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                .Select(path => Path.GetDirectoryName(path)!)
                .Distinct()
                .Where(Directory.Exists)];
        }
        catch (BadImageFormatException)
        {
            return [];
        }
    }

    /// <summary>The engine program: the flow's project referenced, and a Main that runs the flow run the container was started for.</summary>
    private static async Task WriteEngineAsync(string folder, string project, CancellationToken cancellationToken)
    {
        var csproj = $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <!-- Written by Reeve when it builds a deployment's image: the flow's project and the engine that runs it. -->
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net{Environment.Version.Major}.0</TargetFramework>
                <AssemblyName>{EngineName}</AssemblyName>
                <RootNamespace>ReeveEngine</RootNamespace>
                <Nullable>enable</Nullable>
                <SelfContained>true</SelfContained>
                <!-- The flow's project may be a program of its own; the engine is the image's program. -->
                <ValidateExecutableReferencesMatchSelfContained>false</ValidateExecutableReferencesMatchSelfContained>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
              </PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="{System.Security.SecurityElement.Escape(project)}" />
              </ItemGroup>
            </Project>

            """;
        const string program = """
            // Written by Reeve: runs the flow run named by REEVE_FLOW_RUN_ID, with the flow this image was built with.
            return await Reeve.Deployments.ImageEngine.RunAsync(args);

            """;
        await WriteIfChangedAsync(Path.Combine(folder, EngineName + ".csproj"), csproj, cancellationToken);
        await WriteIfChangedAsync(Path.Combine(folder, "Program.cs"), program, cancellationToken);
    }

    private static async Task WriteIfChangedAsync(string path, string text, CancellationToken cancellationToken)
    {
        if (!File.Exists(path) || await File.ReadAllTextAsync(path, cancellationToken) != text)
        {
            await File.WriteAllTextAsync(path, text, cancellationToken);
        }
    }
}
