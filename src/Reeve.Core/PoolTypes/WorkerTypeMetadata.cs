using System.Text.Json.Nodes;

namespace Reeve.Core.PoolTypes;

/// <summary>
/// One entry of <c>GET /api/collections/views/aggregate-worker-metadata</c>, shaped as Prefect's, so
/// that Prefect's and Reeve's clients find the default template of a type the same way.
/// </summary>
public sealed record WorkerTypeMetadata
{
    /// <summary>The type's slug.</summary>
    public required string Type { get; init; }

    /// <summary>The name shown to people.</summary>
    public required string DisplayName { get; init; }

    /// <summary>What the type does.</summary>
    public required string Description { get; init; }

    /// <summary>Where the type is documented.</summary>
    public string DocumentationUrl { get; init; } = "";

    /// <summary>What to install to run a worker of this type.</summary>
    public string InstallCommand { get; init; } = "";

    /// <summary>A logo for the type, if any.</summary>
    public string LogoUrl { get; init; } = "";

    /// <summary>Whether the type is in beta.</summary>
    public bool IsBeta { get; init; }

    /// <summary>The type's default base job template.</summary>
    public required JsonObject DefaultBaseJobConfiguration { get; init; }

    /// <summary>Builds the entry of a pool type.</summary>
    public static WorkerTypeMetadata From(PoolType type) => new()
    {
        Type = type.Type,
        DisplayName = type.DisplayName,
        Description = type.Description,
        DocumentationUrl = $"docs/work-pools.md#{type.Type}",
        InstallCommand = "dotnet tool install --global Reeve.Cli",
        IsBeta = type.IsBeta,
        DefaultBaseJobConfiguration = type.DefaultBaseJobTemplate,
    };
}
