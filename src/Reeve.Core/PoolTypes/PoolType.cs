using System.Text.Json.Nodes;

namespace Reeve.Core.PoolTypes;

/// <summary>A kind of work pool Reeve knows how to run, with its default base job template.</summary>
public sealed record PoolType
{
    /// <summary>The type's slug, as stored on pools: <c>process</c>, <c>docker</c>, ...</summary>
    public required string Type { get; init; }

    /// <summary>The name shown to people.</summary>
    public required string DisplayName { get; init; }

    /// <summary>What the type does.</summary>
    public required string Description { get; init; }

    /// <summary>The group the type is listed under in the worker metadata view.</summary>
    public required string Collection { get; init; }

    /// <summary>Whether runs are executed by the server itself rather than by a worker.</summary>
    public bool IsManaged { get; init; }

    /// <summary>
    /// Whether this is a push pool (<c>docker:push</c>, <c>kubernetes:push</c>): the server submits its runs to the
    /// pool's infrastructure itself, so no worker is started.
    /// </summary>
    public bool IsPush { get; init; }

    /// <summary>Whether the server runs this pool's flow runs (managed and push pools), so that no worker is needed.</summary>
    public bool RunsOnServer => IsManaged || IsPush;

    /// <summary>The infrastructure runs go to: the type itself, or for a push pool the type before <c>:push</c>.</summary>
    public string Infrastructure => IsPush ? Type[..^PushSuffix.Length] : Type;

    /// <summary>What a push pool's type ends with.</summary>
    public const string PushSuffix = ":push";

    /// <summary>Whether the type is still in beta.</summary>
    public bool IsBeta { get; init; }

    /// <summary>The template used for pools created without one. A fresh copy each time.</summary>
    public JsonObject DefaultBaseJobTemplate => (JsonObject)Template.DeepClone();

    internal JsonObject Template { get; init; } = [];
}
