using System.Text.Json.Nodes;

namespace Reeve.Core.WorkPools;

/// <summary>A pool's storage configuration, stored as Prefect 3 shapes it.</summary>
public sealed record WorkPoolStorageConfiguration
{
    /// <summary>The step that uploads bundles to storage.</summary>
    public JsonObject? BundleUploadStep { get; init; }

    /// <summary>The step that runs bundles.</summary>
    public JsonObject? BundleExecutionStep { get; init; }

    /// <summary>The block document id of the default result storage.</summary>
    public Guid? DefaultResultStorageBlockId { get; init; }
}
