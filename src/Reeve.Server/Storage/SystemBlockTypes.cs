using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reeve.Core.Blocks;
using Reeve.Core.Credentials;
using Reeve.Core.Ids;
using Reeve.Server.Storage.Entities;

namespace Reeve.Server.Storage;

/// <summary>
/// Reeve's credentials types as protected block types, each with one schema written from its fields: installed once
/// per server (every replica tries; the database's unique keys keep one of each), remembered by slug.
/// </summary>
internal sealed class SystemBlockTypes
{
    private readonly Lock _gate = new();
    private Task? _installed;
    private Dictionary<string, Guid> _schemaIds = [];

    /// <summary>The id of the schema of credentials type <paramref name="slug"/>, once installed; null for another type.</summary>
    public Guid? SchemaId(string slug) => _schemaIds.TryGetValue(slug, out var id) ? id : null;

    /// <summary>Installs the types the first time it is called (again after a failure).</summary>
    public Task EnsureAsync(Store store, TimeProvider clock, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_installed is null || _installed.IsFaulted || _installed.IsCanceled)
            {
                _installed = InstallAsync(store, clock, cancellationToken);
            }

            return _installed;
        }
    }

    /// <summary>The schema Reeve writes for a credentials type: Prefect's JSON-schema shape, secret fields named.</summary>
    public static JsonObject SchemaFields(CredentialsType type)
    {
        var properties = new JsonObject();
        foreach (var field in type.Fields)
        {
            var property = new JsonObject
            {
                ["title"] = Title(field.Name),
                ["description"] = field.Description,
                ["type"] = field.Kind switch
                {
                    CredentialsFieldKind.SecretObject => "object",
                    CredentialsFieldKind.Flag => "boolean",
                    _ => "string",
                },
            };
            if (field.Kind == CredentialsFieldKind.SecretText)
            {
                property["writeOnly"] = true;
                property["format"] = "password";
            }

            properties[field.Name] = property;
        }

        return new JsonObject
        {
            ["title"] = Title(type.Slug).Replace(" ", "", StringComparison.Ordinal),
            ["description"] = type.Description,
            ["type"] = "object",
            ["properties"] = properties,
            ["required"] = new JsonArray([.. type.Fields.Where(f => f.Required).Select(f => (JsonNode?)f.Name)]),
            ["block_type_slug"] = type.Slug,
            ["secret_fields"] = new JsonArray([.. type.Fields.Where(f => f.IsSecret).Select(f => (JsonNode?)f.Name)]),
            ["block_schema_references"] = new JsonObject(),
        };
    }

    /// <summary><c>docker-registry-credentials</c> as <c>Docker Registry Credentials</c>, <c>aws</c> and <c>gcp</c> in capitals.</summary>
    public static string Title(string slug) => string.Join(' ', slug.Split('-', '_').Select(word => word switch
    {
        "aws" or "gcp" or "id" or "url" => word.ToUpperInvariant(),
        _ => word.Length == 0 ? word : char.ToUpperInvariant(word[0]) + word[1..],
    }));

    private async Task InstallAsync(Store store, TimeProvider clock, CancellationToken cancellationToken)
    {
        var ids = new Dictionary<string, Guid>(StringComparer.Ordinal);
        foreach (var type in CredentialsTypeCatalog.All)
        {
            ids[type.Slug] = await InstallAsync(store, clock, type, cancellationToken);
        }

        _schemaIds = ids;
    }

    private static async Task<Guid> InstallAsync(Store store, TimeProvider clock, CredentialsType type, CancellationToken cancellationToken)
    {
        var fields = SchemaFields(type);
        var checksum = BlockRules.Checksum(fields);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                Guid schemaId = default;
                await store.WriteAsync(async (db, ct) =>
                {
                    var now = StorageTime.Now(clock);
                    var row = await db.BlockTypes.AsTracking().FirstOrDefaultAsync(t => t.Slug == type.Slug, ct);
                    if (row is null)
                    {
                        row = new BlockTypeRecord
                        {
                            Id = SequentialGuid.Next(clock.GetUtcNow()),
                            Created = now,
                            Updated = now,
                            Name = Title(type.Slug),
                            Slug = type.Slug,
                            Description = type.Description,
                            IsProtected = true,
                        };
                        db.BlockTypes.Add(row);
                    }
                    else if (!row.IsProtected)
                    {
                        // Registered by a client before this server knew the type: it is the server's now.
                        row.IsProtected = true;
                    }

                    var schema = await db.BlockSchemas.FirstOrDefaultAsync(s => s.Checksum == checksum && s.Version == BlockRules.DefaultSchemaVersion, ct);
                    if (schema is null)
                    {
                        schema = new BlockSchemaRecord
                        {
                            Id = SequentialGuid.Next(clock.GetUtcNow()),
                            Created = now,
                            Updated = now,
                            Checksum = checksum,
                            Fields = fields.ToJsonString(),
                            Capabilities = JsonSerializer.Serialize(Array.Empty<string>()),
                            Version = BlockRules.DefaultSchemaVersion,
                            BlockTypeId = row.Id,
                        };
                        db.BlockSchemas.Add(schema);
                    }

                    await db.SaveChangesAsync(ct);
                    schemaId = schema.Id;
                }, cancellationToken);
                return schemaId;
            }
            catch (DbUpdateException e) when (Store.IsUniqueViolation(e) && attempt < 3)
            {
                // Another replica installed it at the same moment: forget what this one tried, read what it wrote.
                store.Db.ChangeTracker.Clear();
            }
        }
    }
}
