namespace Reeve.Deployments;

/// <summary>
/// Where a deployment's flow is in its source: <c>path/File.cs:Method</c> (a .NET file-based program),
/// <c>path/Project.csproj:Namespace.Type.Method</c> or <c>path/Assembly.dll:Namespace.Type.Method</c>, the path
/// relative to the source's folder.
/// </summary>
internal sealed record Entrypoint(string Path, string Target, EntrypointKind Kind)
{
    public static Entrypoint Parse(string entrypoint)
    {
        var colon = entrypoint.LastIndexOf(':');
        if (colon <= 0 || colon == entrypoint.Length - 1)
        {
            throw new DeploymentSourceException(
                $"The entrypoint '{entrypoint}' is not PATH:TARGET (such as 'RepoInfo.csproj:RepoInfo.RepoInfoFlows.GetRepoInfo' or 'flows.cs:GetRepoInfo').");
        }

        var path = entrypoint[..colon];
        var target = entrypoint[(colon + 1)..];
        var kind = System.IO.Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".cs" => EntrypointKind.File,
            ".csproj" => EntrypointKind.Project,
            ".dll" => EntrypointKind.Assembly,
            _ => throw new DeploymentSourceException($"The entrypoint '{entrypoint}' names '{path}'; it must be a .cs file, a .csproj project or a .dll assembly."),
        };
        if (kind != EntrypointKind.File && !target.Contains('.', StringComparison.Ordinal))
        {
            throw new DeploymentSourceException($"The entrypoint '{entrypoint}' must name its method as Namespace.Type.Method.");
        }

        return new Entrypoint(path, target, kind);
    }

    /// <summary>The entrypoint's file inside <paramref name="root"/>; refused when it would leave that folder.</summary>
    public string Resolve(string root)
    {
        if (System.IO.Path.IsPathRooted(Path))
        {
            throw new DeploymentSourceException($"The entrypoint path '{Path}' is absolute; it must be relative to the flow's source folder.");
        }

        var fullRoot = System.IO.Path.GetFullPath(root).TrimEnd(System.IO.Path.DirectorySeparatorChar) + System.IO.Path.DirectorySeparatorChar;
        var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(fullRoot, Path));
        if (!full.StartsWith(fullRoot, StringComparison.Ordinal))
        {
            throw new DeploymentSourceException($"The entrypoint path '{Path}' leaves the flow's source folder.");
        }

        if (!File.Exists(full))
        {
            throw new DeploymentSourceException($"The entrypoint file '{Path}' does not exist in the flow's source.");
        }

        return full;
    }
}

/// <summary>What an entrypoint's path names.</summary>
internal enum EntrypointKind
{
    /// <summary>A .NET file-based program (<c>.cs</c>).</summary>
    File,

    /// <summary>A project (<c>.csproj</c>).</summary>
    Project,

    /// <summary>A built assembly (<c>.dll</c>).</summary>
    Assembly,
}

/// <summary>A deployment's source cannot be fetched, built or loaded; the message says why.</summary>
public sealed class DeploymentSourceException(string message, IReadOnlyList<string>? details = null) : DeploymentException(message)
{
    /// <summary>Lines that explain more (a compiler's messages).</summary>
    public IReadOnlyList<string> Details { get; } = details ?? [];
}
