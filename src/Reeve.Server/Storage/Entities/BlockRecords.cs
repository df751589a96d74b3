namespace Reeve.Server.Storage.Entities;

/// <summary>A row of <c>block_type</c>: a kind of block document (Prefect's block types), by slug.</summary>
internal sealed class BlockTypeRecord
{
    public Guid Id { get; set; }
    public DateTime Created { get; set; }
    public DateTime Updated { get; set; }
    public required string Name { get; set; }
    public required string Slug { get; set; }
    public string? LogoUrl { get; set; }
    public string? DocumentationUrl { get; set; }
    public string? Description { get; set; }
    public string? CodeExample { get; set; }

    /// <summary>One of the server's own (its credentials types): not deleted through the API.</summary>
    public bool IsProtected { get; set; }
}

/// <summary>A row of <c>block_schema</c>: a block type's JSON schema at one version, known by its checksum.</summary>
internal sealed class BlockSchemaRecord
{
    public Guid Id { get; set; }
    public DateTime Created { get; set; }
    public DateTime Updated { get; set; }
    public required string Checksum { get; set; }

    /// <summary>The JSON schema, as JSON.</summary>
    public required string Fields { get; set; }

    /// <summary>The capabilities, as a JSON array.</summary>
    public required string Capabilities { get; set; }
    public required string Version { get; set; }
    public Guid BlockTypeId { get; set; }
}
