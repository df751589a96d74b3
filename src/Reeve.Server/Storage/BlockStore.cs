using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reeve.Core.Blocks;
using Reeve.Core.Credentials;
using Reeve.Core.Errors;
using Reeve.Core.Filters;
using Reeve.Core.Ids;
using Reeve.Server.Storage.Entities;

namespace Reeve.Server.Storage;

/// <summary>
/// Reads and writes blocks (Prefect's <c>/block_types</c>, <c>/block_schemas</c>, <c>/block_documents</c>). Documents
/// live in the credentials' table: credentials are documents of Reeve's credentials types, which are installed as
/// protected block types the first time blocks are used.
/// </summary>
internal sealed class BlockStore(Store store, SecretRows secrets, SystemBlockTypes system, TimeProvider clock)
{
    // ---- Block types ----

    public async Task<BlockType> CreateTypeAsync(BlockTypeCreate request, CancellationToken cancellationToken)
    {
        BlockRules.ValidateType(request.Name, request.Slug);
        if (request.Name.StartsWith("prefect", StringComparison.OrdinalIgnoreCase))
        {
            throw new ReeveForbiddenException("Block type names beginning with 'Prefect' are reserved.");
        }

        await EnsureSystemAsync(cancellationToken);
        var now = StorageTime.Now(clock);
        var row = new BlockTypeRecord
        {
            Id = SequentialGuid.Next(clock.GetUtcNow()),
            Created = now,
            Updated = now,
            Name = request.Name,
            Slug = request.Slug,
            LogoUrl = request.LogoUrl,
            DocumentationUrl = request.DocumentationUrl,
            Description = request.Description,
            CodeExample = request.CodeExample,
        };
        try
        {
            await store.WriteAsync(async (db, ct) =>
            {
                db.BlockTypes.Add(row);
                await db.SaveChangesAsync(ct);
            }, cancellationToken);
        }
        catch (DbUpdateException e) when (Store.IsUniqueViolation(e))
        {
            throw new ReeveConflictException($"Block type with name \"{request.Name}\" already exists", e);
        }

        return ToWire(row);
    }

    public async Task<BlockType> ReadTypeAsync(Guid id, CancellationToken cancellationToken)
    {
        await EnsureSystemAsync(cancellationToken);
        return ToWire(await store.Db.BlockTypes.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, cancellationToken) ?? throw TypeNotFound());
    }

    public async Task<BlockType> ReadTypeAsync(string slug, CancellationToken cancellationToken)
    {
        await EnsureSystemAsync(cancellationToken);
        return ToWire(await store.Db.BlockTypes.AsNoTracking().FirstOrDefaultAsync(t => t.Slug == slug, cancellationToken) ?? throw TypeNotFound());
    }

    public async Task<IReadOnlyList<BlockType>> FilterTypesAsync(BlockTypeFilterRequest request, CancellationToken cancellationToken)
    {
        var limit = Paging.Resolve(request.Limit, request.Offset);
        await EnsureSystemAsync(cancellationToken);
        var types = Types(request.BlockTypes);
        if (request.BlockSchemas is not null)
        {
            var schemas = Schemas(request.BlockSchemas);
            types = types.Where(t => schemas.Any(s => s.BlockTypeId == t.Id));
        }

        var rows = await types.OrderBy(t => t.Name).Skip(request.Offset).Take(limit).ToListAsync(cancellationToken);
        return [.. rows.Select(ToWire)];
    }

    /// <summary>Changes a type's texts (Prefect's client sends them when its own differ); its name and slug stay.</summary>
    public async Task UpdateTypeAsync(Guid id, BlockTypeUpdate request, CancellationToken cancellationToken) =>
        await store.WriteAsync(async (db, ct) =>
        {
            var row = await db.BlockTypes.AsTracking().FirstOrDefaultAsync(t => t.Id == id, ct) ?? throw TypeNotFound();
            if (request.LogoUrl.IsSet)
            {
                row.LogoUrl = request.LogoUrl.Value;
            }

            if (request.DocumentationUrl.IsSet)
            {
                row.DocumentationUrl = request.DocumentationUrl.Value;
            }

            if (request.Description.IsSet)
            {
                row.Description = request.Description.Value;
            }

            if (request.CodeExample.IsSet)
            {
                row.CodeExample = request.CodeExample.Value;
            }

            if (db.Entry(row).State == EntityState.Modified)
            {
                row.Updated = StorageTime.Now(clock);
            }

            await db.SaveChangesAsync(ct);
        }, cancellationToken);

    /// <summary>Deletes a type with its schemas and documents; the server's own types are refused.</summary>
    public async Task DeleteTypeAsync(Guid id, CancellationToken cancellationToken) =>
        await store.WriteAsync(async (db, ct) =>
        {
            var row = await db.BlockTypes.FirstOrDefaultAsync(t => t.Id == id, ct) ?? throw TypeNotFound();
            if (row.IsProtected)
            {
                throw new ReeveForbiddenException("protected block types cannot be deleted.");
            }

            await db.Credentials.Where(c => c.Type == row.Slug).ExecuteDeleteAsync(ct);
            await db.BlockSchemas.Where(s => s.BlockTypeId == id).ExecuteDeleteAsync(ct);
            await db.BlockTypes.Where(t => t.Id == id).ExecuteDeleteAsync(ct);
        }, cancellationToken);

    // ---- Block schemas ----

    /// <summary>Registers a schema; one with the same checksum and version already there is returned instead (<c>Created</c> false).</summary>
    public async Task<(BlockSchema Schema, bool Created)> CreateSchemaAsync(BlockSchemaCreate request, CancellationToken cancellationToken)
    {
        BlockRules.ValidateSchema(request);
        var typeId = request.BlockTypeId ?? throw new ReeveValidationException("block_type_id", "Field required");
        await EnsureSystemAsync(cancellationToken);
        var type = await store.Db.BlockTypes.AsNoTracking().FirstOrDefaultAsync(t => t.Id == typeId, cancellationToken)
            ?? throw new ReeveNotFoundException($"Block type {typeId} not found.");
        var checksum = BlockRules.Checksum(request.Fields);
        if (await FindSchemaAsync(checksum, request.Version, cancellationToken) is { } existing)
        {
            return (SchemaToWire(existing, type), false);
        }

        var fields = (JsonObject)request.Fields.DeepClone();
        fields["block_schema_references"] ??= new JsonObject();
        var now = StorageTime.Now(clock);
        var row = new BlockSchemaRecord
        {
            Id = SequentialGuid.Next(clock.GetUtcNow()),
            Created = now,
            Updated = now,
            Checksum = checksum,
            Fields = fields.ToJsonString(),
            Capabilities = JsonSerializer.Serialize(request.Capabilities.Distinct(StringComparer.Ordinal)),
            Version = request.Version,
            BlockTypeId = typeId,
        };
        try
        {
            await store.WriteAsync(async (db, ct) =>
            {
                db.BlockSchemas.Add(row);
                await db.SaveChangesAsync(ct);
            }, cancellationToken);
        }
        catch (DbUpdateException e) when (Store.IsUniqueViolation(e))
        {
            // Another request registered it first (Prefect's clients register at every save).
            return (SchemaToWire(await FindSchemaAsync(checksum, request.Version, cancellationToken) ?? throw new ReeveConflictException("The block schema changed while it was registered; try again.", e), type), false);
        }

        return (SchemaToWire(row, type), true);
    }

    public async Task<BlockSchema> ReadSchemaAsync(Guid id, CancellationToken cancellationToken)
    {
        await EnsureSystemAsync(cancellationToken);
        var row = await store.Db.BlockSchemas.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, cancellationToken) ?? throw SchemaNotFound();
        return SchemaToWire(row, await store.Db.BlockTypes.AsNoTracking().FirstAsync(t => t.Id == row.BlockTypeId, cancellationToken));
    }

    /// <summary>A schema by checksum, at <paramref name="version"/> or, without one, the latest registered.</summary>
    public async Task<BlockSchema> ReadSchemaAsync(string checksum, string? version, CancellationToken cancellationToken)
    {
        await EnsureSystemAsync(cancellationToken);
        var row = await FindSchemaAsync(checksum, version, cancellationToken) ?? throw SchemaNotFound();
        return SchemaToWire(row, await store.Db.BlockTypes.AsNoTracking().FirstAsync(t => t.Id == row.BlockTypeId, cancellationToken));
    }

    public async Task<IReadOnlyList<BlockSchema>> FilterSchemasAsync(BlockSchemaFilterRequest request, CancellationToken cancellationToken)
    {
        var limit = Paging.Resolve(request.Limit, request.Offset);
        await EnsureSystemAsync(cancellationToken);
        var rows = await Schemas(request.BlockSchemas).OrderByDescending(s => s.Created).ThenByDescending(s => s.Id)
            .Skip(request.Offset).Take(limit).ToListAsync(cancellationToken);
        var types = await TypesByIdAsync(rows.Select(r => r.BlockTypeId), cancellationToken);
        return [.. rows.Select(r => SchemaToWire(r, types[r.BlockTypeId]))];
    }

    public async Task DeleteSchemaAsync(Guid id, CancellationToken cancellationToken) =>
        await store.WriteAsync(async (db, ct) =>
        {
            var row = await db.BlockSchemas.FirstOrDefaultAsync(s => s.Id == id, ct) ?? throw SchemaNotFound();
            if (await db.BlockTypes.AnyAsync(t => t.Id == row.BlockTypeId && t.IsProtected, ct))
            {
                throw new ReeveForbiddenException("Block schemas for protected block types cannot be deleted.");
            }

            await db.Credentials.Where(c => c.BlockSchemaId == id).ExecuteDeleteAsync(ct);
            await db.BlockSchemas.Where(s => s.Id == id).ExecuteDeleteAsync(ct);
        }, cancellationToken);

    /// <summary>Every capability of every schema (Prefect's <c>/block_capabilities/</c>).</summary>
    public async Task<IReadOnlyList<string>> CapabilitiesAsync(CancellationToken cancellationToken)
    {
        await EnsureSystemAsync(cancellationToken);
        var lists = await store.Db.BlockSchemas.AsNoTracking().Select(s => s.Capabilities).Distinct().ToListAsync(cancellationToken);
        return [.. lists.SelectMany(l => JsonSerializer.Deserialize<string[]>(l) ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    // ---- Block documents ----

    /// <summary>Whether documents of this schema hold secrets (credentials): what decides who may write and read them in plaintext.</summary>
    public async Task<bool> HoldsSecretsAsync(Guid? schemaId, CancellationToken cancellationToken)
    {
        var fields = await store.Db.BlockSchemas.AsNoTracking().Where(s => s.Id == schemaId).Select(s => s.Fields).FirstOrDefaultAsync(cancellationToken);
        return fields is not null && BlockRules.SecretFields(JsonNode.Parse(fields) as JsonObject ?? []).Count > 0;
    }

    /// <summary>The schema of a stored document (its type's system schema for credentials written before blocks).</summary>
    public async Task<Guid?> SchemaOfDocumentAsync(Guid documentId, CancellationToken cancellationToken)
    {
        await EnsureSystemAsync(cancellationToken);
        var row = await store.Db.Credentials.AsNoTracking().Where(c => c.Id == documentId).Select(c => new { c.BlockSchemaId, c.Type }).FirstOrDefaultAsync(cancellationToken)
            ?? throw DocumentNotFound();
        return row.BlockSchemaId ?? system.SchemaId(row.Type);
    }

    public async Task<BlockDocument> CreateDocumentAsync(BlockDocumentCreate request, CancellationToken cancellationToken)
    {
        BlockRules.ValidateDocumentName(request.Name, request.IsAnonymous);
        var typeId = request.BlockTypeId ?? throw new ReeveValidationException("block_type_id", "Field required");
        var schemaId = request.BlockSchemaId ?? throw new ReeveValidationException("block_schema_id", "Field required");
        await EnsureSystemAsync(cancellationToken);
        var type = await store.Db.BlockTypes.AsNoTracking().FirstOrDefaultAsync(t => t.Id == typeId, cancellationToken)
            ?? throw new ReeveValidationException("block_type_id", $"Block type {typeId} not found.");
        var schema = await store.Db.BlockSchemas.AsNoTracking().FirstOrDefaultAsync(s => s.Id == schemaId, cancellationToken)
            ?? throw new ReeveValidationException("block_schema_id", $"Block schema {schemaId} not found.");
        if (schema.BlockTypeId != typeId)
        {
            throw new ReeveValidationException("block_schema_id", $"Block schema {schemaId} is not a schema of block type '{type.Slug}'.");
        }

        var (data, paths) = Checked(type, schema, request.Data);
        await CheckReferencesAsync(data, cancellationToken);
        var now = StorageTime.Now(clock);
        var row = new CredentialsRecord
        {
            Id = SequentialGuid.Next(clock.GetUtcNow()),
            Created = now,
            Updated = now,
            Name = string.IsNullOrEmpty(request.Name) ? $"anonymous-{Guid.NewGuid()}" : request.Name,
            Type = type.Slug,
            PlainData = "",
            SecretData = "",
            SecretNames = "",
            BlockSchemaId = schemaId,
            IsAnonymous = request.IsAnonymous,
        };
        secrets.Write(row, data, paths);
        try
        {
            await store.WriteAsync(async (db, ct) =>
            {
                db.Credentials.Add(row);
                await db.SaveChangesAsync(ct);
            }, cancellationToken);
        }
        catch (DbUpdateException e) when (Store.IsUniqueViolation(e))
        {
            throw new ReeveConflictException("Block already exists", e);
        }

        return (await ToWireAsync([row], includeSecrets: false, depth: 0, cancellationToken))[0];
    }

    public async Task<BlockDocument> ReadDocumentAsync(Guid id, bool includeSecrets, CancellationToken cancellationToken)
    {
        await EnsureSystemAsync(cancellationToken);
        var row = await store.Db.Credentials.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, cancellationToken) ?? throw DocumentNotFound();
        return (await ToWireAsync([row], includeSecrets, 0, cancellationToken))[0];
    }

    public async Task<BlockDocument> ReadDocumentAsync(string typeSlug, string name, bool includeSecrets, CancellationToken cancellationToken)
    {
        await EnsureSystemAsync(cancellationToken);
        var row = await store.Db.Credentials.AsNoTracking().FirstOrDefaultAsync(c => c.Type == typeSlug && c.Name == name, cancellationToken) ?? throw DocumentNotFound();
        return (await ToWireAsync([row], includeSecrets, 0, cancellationToken))[0];
    }

    /// <summary>The named documents of a type, by name (Prefect's <c>/block_types/slug/{slug}/block_documents</c>).</summary>
    public async Task<IReadOnlyList<BlockDocument>> DocumentsOfTypeAsync(string typeSlug, bool includeSecrets, CancellationToken cancellationToken)
    {
        await EnsureSystemAsync(cancellationToken);
        if (!await store.Db.BlockTypes.AnyAsync(t => t.Slug == typeSlug, cancellationToken))
        {
            throw TypeNotFound();
        }

        var rows = await store.Db.Credentials.AsNoTracking().Where(c => c.Type == typeSlug && !c.IsAnonymous).OrderBy(c => c.Name)
            .Take(Paging.MaxLimit).ToListAsync(cancellationToken);
        return await ToWireAsync(rows, includeSecrets, 0, cancellationToken);
    }

    public async Task<IReadOnlyList<BlockDocument>> FilterDocumentsAsync(BlockDocumentFilterRequest request, CancellationToken cancellationToken)
    {
        var limit = Paging.Resolve(request.Limit, request.Offset);
        await EnsureSystemAsync(cancellationToken);
        var documents = Documents(request);
        var sorted = request.Sort switch
        {
            null or "NAME_ASC" => documents.OrderBy(c => c.Name).ThenBy(c => c.Type),
            "NAME_DESC" => documents.OrderByDescending(c => c.Name).ThenBy(c => c.Type),
            "BLOCK_TYPE_AND_NAME_ASC" => documents.OrderBy(c => c.Type).ThenBy(c => c.Name),
            _ => throw new ReeveValidationException("sort", "Input should be 'NAME_DESC', 'NAME_ASC' or 'BLOCK_TYPE_AND_NAME_ASC'"),
        };
        var rows = await sorted.Skip(request.Offset).Take(limit).ToListAsync(cancellationToken);
        return await ToWireAsync(rows, request.IncludeSecrets, 0, cancellationToken);
    }

    public async Task<int> CountDocumentsAsync(BlockDocumentFilterRequest request, CancellationToken cancellationToken)
    {
        await EnsureSystemAsync(cancellationToken);
        return await Documents(request).CountAsync(cancellationToken);
    }

    /// <summary>
    /// Changes a document's fields (merged into the stored ones unless <c>merge_existing_data</c> is false; a secret sent
    /// back masked keeps its value) and moves it to another schema of its type.
    /// </summary>
    public async Task UpdateDocumentAsync(Guid id, BlockDocumentUpdate request, CancellationToken cancellationToken)
    {
        if (request.MergeExistingData && !request.Data.IsSet)
        {
            // Prefect's server changes nothing then, not even the schema.
            if (!await store.Db.Credentials.AsNoTracking().AnyAsync(c => c.Id == id, cancellationToken))
            {
                throw DocumentNotFound();
            }

            return;
        }

        await EnsureSystemAsync(cancellationToken);
        var current = await store.Db.Credentials.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, cancellationToken) ?? throw DocumentNotFound();
        var type = await store.Db.BlockTypes.AsNoTracking().FirstAsync(t => t.Slug == current.Type, cancellationToken);
        var schemaId = request.BlockSchemaId ?? current.BlockSchemaId ?? system.SchemaId(current.Type)
            ?? throw new ReeveConflictException($"Block document {id} has no schema.");
        var schema = await store.Db.BlockSchemas.AsNoTracking().FirstOrDefaultAsync(s => s.Id == schemaId, cancellationToken);
        if (schema is null || schema.BlockTypeId != type.Id)
        {
            throw new ReeveValidationException("block_schema_id", "Must migrate block document to a block schema of the same block type.");
        }

        var stored = secrets.Full(current);
        var changes = request.Data.Value ?? [];
        var data = request.MergeExistingData ? (JsonObject)stored.DeepClone() : [];
        foreach (var (name, value) in changes)
        {
            data[name] = value?.DeepClone();
        }

        var secretPaths = BlockRules.SecretFields(JsonNode.Parse(schema.Fields) as JsonObject ?? []);
        BlockRules.KeepMaskedSecrets(data, stored, secretPaths.Concat(SecretRows.Paths(current)).Distinct());
        var (checkedData, paths) = Checked(type, schema, data);
        await CheckReferencesAsync(checkedData, cancellationToken, self: id);
        await store.WriteAsync(async (db, ct) =>
        {
            var row = await db.Credentials.AsTracking().FirstOrDefaultAsync(c => c.Id == id, ct) ?? throw DocumentNotFound();
            secrets.Write(row, checkedData, paths);
            row.BlockSchemaId = schemaId;
            row.Updated = StorageTime.Now(clock);
            await db.SaveChangesAsync(ct);
        }, cancellationToken);
    }

    public async Task DeleteDocumentAsync(Guid id, CancellationToken cancellationToken) =>
        await store.WriteAsync(async (db, ct) =>
        {
            if (await db.Credentials.Where(c => c.Id == id).ExecuteDeleteAsync(ct) == 0)
            {
                throw DocumentNotFound();
            }
        }, cancellationToken);

    /// <summary>Installs Reeve's credentials types as protected block types (Prefect's <c>install_system_block_types</c>).</summary>
    public Task EnsureSystemAsync(CancellationToken cancellationToken) => system.EnsureAsync(store, clock, cancellationToken);

    /// <summary>The id of the schema Reeve gives documents of its credentials type <paramref name="slug"/>.</summary>
    public async Task<Guid?> SystemSchemaIdAsync(string slug, CancellationToken cancellationToken)
    {
        await EnsureSystemAsync(cancellationToken);
        return system.SchemaId(slug);
    }

    /// <summary>
    /// The fields to store and their secret paths: a credentials type's documents of its own schema are checked as
    /// credentials are (<see cref="CredentialsData.Check"/>); other documents by their schema's <c>secret_fields</c>.
    /// </summary>
    private (JsonObject Data, IReadOnlyCollection<string> SecretPaths) Checked(BlockTypeRecord type, BlockSchemaRecord schema, JsonObject data)
    {
        if (CredentialsTypeCatalog.Find(type.Slug) is { } credentialsType && system.SchemaId(type.Slug) == schema.Id)
        {
            return CredentialsData.Check(credentialsType, data);
        }

        if (data.Any(field => field.Key.Length is 0 or > BlockRules.MaxNameLength))
        {
            throw new ReeveValidationException("data", $"field names must be 1 to {BlockRules.MaxNameLength} characters long");
        }

        return ((JsonObject)data.DeepClone(), [.. BlockRules.SecretFields(JsonNode.Parse(schema.Fields) as JsonObject ?? [])]);
    }

    /// <summary>Checks that each field referring to a document (<c>{"$ref": {"block_document_id": ID}}</c>) refers to one that exists, and not to itself.</summary>
    private async Task CheckReferencesAsync(JsonObject data, CancellationToken cancellationToken, Guid? self = null)
    {
        foreach (var (name, value) in data)
        {
            if (ReferenceOf(value, $"data.{name}") is { } target)
            {
                if (target == self || !await store.Db.Credentials.AnyAsync(c => c.Id == target, cancellationToken))
                {
                    throw new ReeveValidationException($"data.{name}", $"refers to block document {target}, which {(target == self ? "is this document" : "does not exist")}.");
                }
            }
        }
    }

    /// <summary>The document a top-level field refers to, or null when it is a value of its own.</summary>
    private static Guid? ReferenceOf(JsonNode? value, string field)
    {
        if (value is not JsonObject obj || !obj.TryGetPropertyValue("$ref", out var reference))
        {
            return null;
        }

        return reference is JsonObject r && r["block_document_id"] is JsonValue id && id.GetValueKind() == JsonValueKind.String && Guid.TryParse(id.GetValue<string>(), out var guid)
            ? guid
            : throw new ReeveValidationException(field, "Received block reference without a block_document_id");
    }

    private async Task<List<BlockDocument>> ToWireAsync(List<CredentialsRecord> rows, bool includeSecrets, int depth, CancellationToken cancellationToken)
    {
        var types = await store.Db.BlockTypes.AsNoTracking().Where(t => rows.Select(r => r.Type).Distinct().Contains(t.Slug)).ToDictionaryAsync(t => t.Slug, cancellationToken);
        var schemaIds = rows.Select(r => r.BlockSchemaId ?? system.SchemaId(r.Type)).OfType<Guid>().Distinct().ToList();
        var schemas = await store.Db.BlockSchemas.AsNoTracking().Where(s => schemaIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, cancellationToken);
        var documents = new List<BlockDocument>(rows.Count);
        foreach (var row in rows)
        {
            var type = types.GetValueOrDefault(row.Type) ?? throw new ReeveConflictException($"Block document {row.Id} is of type '{row.Type}', which is not registered.");
            var schema = schemas.GetValueOrDefault(row.BlockSchemaId ?? system.SchemaId(row.Type) ?? Guid.Empty)
                ?? throw new ReeveConflictException($"Block document {row.Id} has no schema.");
            var data = includeSecrets ? secrets.Full(row) : SecretRows.Shown(row);
            var references = new Dictionary<string, BlockDocumentReference>(StringComparer.Ordinal);
            foreach (var (name, value) in data.ToList())
            {
                if (ReferenceOf(value, name) is not { } target)
                {
                    continue;
                }

                var referenced = depth < BlockRules.MaxReferenceDepth
                    ? await store.Db.Credentials.AsNoTracking().FirstOrDefaultAsync(c => c.Id == target, cancellationToken)
                    : null;
                if (referenced is null)
                {
                    // Deleted since (Prefect's references go with the document they point at).
                    data.Remove(name);
                    continue;
                }

                var child = (await ToWireAsync([referenced], includeSecrets, depth + 1, cancellationToken))[0];
                data[name] = child.Data.DeepClone();
                references[name] = new BlockDocumentReference
                {
                    BlockDocument = new ReferencedBlockDocument
                    {
                        Id = child.Id,
                        Name = child.Name,
                        BlockType = child.BlockType,
                        IsAnonymous = child.IsAnonymous,
                        BlockDocumentReferences = child.BlockDocumentReferences,
                    },
                };
            }

            var wireType = ToWire(type);
            documents.Add(new BlockDocument
            {
                Id = row.Id,
                Created = StorageTime.ToWire(row.Created),
                Updated = StorageTime.ToWire(row.Updated),
                Name = row.Name,
                Data = data,
                BlockSchemaId = schema.Id,
                BlockSchema = SchemaToWire(schema, type),
                BlockTypeId = type.Id,
                BlockTypeName = type.Name,
                BlockType = wireType,
                BlockDocumentReferences = references,
                IsAnonymous = row.IsAnonymous,
            });
        }

        return documents;
    }

    private IQueryable<CredentialsRecord> Documents(BlockDocumentFilterRequest request)
    {
        var documents = store.Db.Credentials.AsNoTracking();
        var filter = request.BlockDocuments;

        // Prefect leaves anonymous documents out unless the filter says otherwise ("is_anonymous": null takes both).
        var anonymous = filter is null || !filter.IsAnonymous.IsSet ? false : filter.IsAnonymous.Value?.Equal;
        if (anonymous is { } wanted)
        {
            documents = documents.Where(c => c.IsAnonymous == wanted);
        }

        if (filter is not null)
        {
            var p = new Predicates<CredentialsRecord>();
            if (filter.Id?.Any is { } ids)
            {
                p.Add(c => ids.Contains(c.Id));
            }

            if (filter.BlockTypeId?.Any is { } typeIds)
            {
                var slugs = store.Db.BlockTypes.Where(t => typeIds.Contains(t.Id)).Select(t => t.Slug);
                p.Add(c => slugs.Contains(c.Type));
            }

            QueryFilters.AddName(p, filter.Name, c => c.Name);
            documents = p.ApplyTo(documents, filter.Operator);
        }

        if (request.BlockTypes is not null)
        {
            var slugs = Types(request.BlockTypes).Select(t => t.Slug);
            documents = documents.Where(c => slugs.Contains(c.Type));
        }

        if (request.BlockSchemas is not null)
        {
            var schemas = Schemas(request.BlockSchemas);
            documents = documents.Where(c => schemas.Any(s => s.Id == c.BlockSchemaId));
        }

        return documents;
    }

    private IQueryable<BlockTypeRecord> Types(BlockTypeFilter? filter)
    {
        var types = store.Db.BlockTypes.AsNoTracking();
        if (filter?.Name?.Like is { Length: > 0 } like)
        {
            var lowered = like.ToLowerInvariant();
#pragma warning disable CA1862 // EF translates ToLower().Contains to SQL; the comparison overload is not translatable.
            types = types.Where(t => t.Name.ToLower().Contains(lowered));
#pragma warning restore CA1862
        }

        if (filter?.Slug?.Any is { } slugs)
        {
            types = types.Where(t => slugs.Contains(t.Slug));
        }

        return types;
    }

    private IQueryable<BlockSchemaRecord> Schemas(BlockSchemaFilter? filter)
    {
        var schemas = store.Db.BlockSchemas.AsNoTracking();
        if (filter is null)
        {
            return schemas;
        }

        var p = new Predicates<BlockSchemaRecord>();
        if (filter.BlockTypeId?.Any is { } typeIds)
        {
            p.Add(s => typeIds.Contains(s.BlockTypeId));
        }

        if (filter.Id?.Any is { } ids)
        {
            p.Add(s => ids.Contains(s.Id));
        }

        if (filter.Version?.Any is { } versions)
        {
            p.Add(s => versions.Contains(s.Version));
        }

        foreach (var capability in filter.BlockCapabilities?.All ?? [])
        {
            // Capabilities are stored as a JSON array of strings: look for the quoted, escaped value.
            var quoted = JsonSerializer.Serialize(capability);
            p.Add(s => s.Capabilities.Contains(quoted));
        }

        return p.ApplyTo(schemas, filter.Operator);
    }

    private async Task<BlockSchemaRecord?> FindSchemaAsync(string checksum, string? version, CancellationToken cancellationToken) =>
        await store.Db.BlockSchemas.AsNoTracking()
            .Where(s => s.Checksum == checksum && (version == null || s.Version == version))
            .OrderByDescending(s => s.Created).ThenByDescending(s => s.Id)
            .FirstOrDefaultAsync(cancellationToken);

    private async Task<Dictionary<Guid, BlockTypeRecord>> TypesByIdAsync(IEnumerable<Guid> ids, CancellationToken cancellationToken)
    {
        var wanted = ids.Distinct().ToList();
        return await store.Db.BlockTypes.AsNoTracking().Where(t => wanted.Contains(t.Id)).ToDictionaryAsync(t => t.Id, cancellationToken);
    }

    internal static BlockType ToWire(BlockTypeRecord row) => new()
    {
        Id = row.Id,
        Created = StorageTime.ToWire(row.Created),
        Updated = StorageTime.ToWire(row.Updated),
        Name = row.Name,
        Slug = row.Slug,
        LogoUrl = row.LogoUrl,
        DocumentationUrl = row.DocumentationUrl,
        Description = row.Description,
        CodeExample = row.CodeExample,
        IsProtected = row.IsProtected,
    };

    private static BlockSchema SchemaToWire(BlockSchemaRecord row, BlockTypeRecord type) => new()
    {
        Id = row.Id,
        Created = StorageTime.ToWire(row.Created),
        Updated = StorageTime.ToWire(row.Updated),
        Checksum = row.Checksum,
        Fields = JsonNode.Parse(row.Fields) as JsonObject ?? [],
        BlockTypeId = row.BlockTypeId,
        BlockType = ToWire(type),
        Capabilities = JsonSerializer.Deserialize<List<string>>(row.Capabilities) ?? [],
        Version = row.Version,
    };

    private static ReeveNotFoundException TypeNotFound() => new("Block type not found");

    private static ReeveNotFoundException SchemaNotFound() => new("Block schema not found");

    private static ReeveNotFoundException DocumentNotFound() => new("Block document not found");
}
