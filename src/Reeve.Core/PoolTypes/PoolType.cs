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

    /// <summary>Whether the type is still in beta.</summary>
    public bool IsBeta { get; init; }

    /// <summary>The template used for pools created without one. A fresh copy each time.</summary>
    public JsonObject DefaultBaseJobTemplate => (JsonObject)Template.DeepClone();

    internal JsonObject Template { get; init; } = [];
}
