using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Reeve.Core.Access;
using Reeve.Core.Blocks;
using Reeve.Core.Errors;
using Reeve.Server.Storage;

namespace Reeve.Server.Api;

/// <summary>
/// Prefect's blocks: <c>/api/block_types</c>, <c>/api/block_schemas</c>, <c>/api/block_documents</c> and
/// <c>/api/block_capabilities</c> (<c>server/api/block_*.py</c>), so that Prefect's clients save and load their
/// blocks (a flow's result storage, <c>Secret.load</c>) on Reeve. Documents are stored with the credentials; a
/// document that holds secrets is credentials, and the credentials' rules apply to it on this path too.
/// </summary>
internal static class BlocksApi
{
    public static void MapBlocks(this IEndpointRouteBuilder api)
    {
        var types = api.MapGroup("/block_types").WithTags("Block types");
        types.MapPost("/", CreateTypeAsync).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        types.MapPost("/filter", FilterTypesAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        types.MapGet("/{id:guid}", ReadTypeAsync).ProducesProblem(StatusCodes.Status404NotFound);
        types.MapGet("/slug/{slug}", ReadTypeBySlugAsync).ProducesProblem(StatusCodes.Status404NotFound);
        types.MapPatch("/{id:guid}", UpdateTypeAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        types.MapDelete("/{id:guid}", DeleteTypeAsync).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        types.MapGet("/slug/{slug}/block_documents", DocumentsOfTypeAsync).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        types.MapGet("/slug/{slug}/block_documents/name/{name}", ReadDocumentByNameAsync).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        types.MapPost("/install_system_block_types", InstallSystemTypesAsync);

        var schemas = api.MapGroup("/block_schemas").WithTags("Block schemas");
        schemas.MapPost("/", CreateSchemaAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        schemas.MapPost("/filter", FilterSchemasAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        schemas.MapGet("/{id:guid}", ReadSchemaAsync).ProducesProblem(StatusCodes.Status404NotFound);
        schemas.MapGet("/checksum/{checksum}", ReadSchemaByChecksumAsync).ProducesProblem(StatusCodes.Status404NotFound);
        schemas.MapDelete("/{id:guid}", DeleteSchemaAsync).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/block_capabilities", CapabilitiesAsync).WithTags("Block capabilities");

        var documents = api.MapGroup("/block_documents").WithTags("Block documents");
        documents.MapPost("/", CreateDocumentAsync).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        documents.MapPost("/filter", FilterDocumentsAsync).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        documents.MapPost("/count", CountDocumentsAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        documents.MapGet("/{id:guid}", ReadDocumentAsync).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        documents.MapPatch("/{id:guid}", UpdateDocumentAsync).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        documents.MapDelete("/{id:guid}", DeleteDocumentAsync).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Created<BlockType>> CreateTypeAsync([FromBody] BlockTypeCreate body, BlockStore blocks, CancellationToken ct)
    {
        var created = await blocks.CreateTypeAsync(body, ct);
        return TypedResults.Created($"/api/block_types/{created.Id}", created);
    }

    private static async Task<Ok<IReadOnlyList<BlockType>>> FilterTypesAsync([FromBody] BlockTypeFilterRequest? body, BlockStore blocks, CancellationToken ct) =>
        TypedResults.Ok(await blocks.FilterTypesAsync(body ?? new BlockTypeFilterRequest(), ct));

    private static async Task<Ok<BlockType>> ReadTypeAsync(Guid id, BlockStore blocks, CancellationToken ct) => TypedResults.Ok(await blocks.ReadTypeAsync(id, ct));

    private static async Task<Ok<BlockType>> ReadTypeBySlugAsync(string slug, BlockStore blocks, CancellationToken ct) => TypedResults.Ok(await blocks.ReadTypeAsync(slug, ct));

    private static async Task<NoContent> UpdateTypeAsync(Guid id, [FromBody] BlockTypeUpdate body, BlockStore blocks, CancellationToken ct)
    {
        await blocks.UpdateTypeAsync(id, body, ct);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> DeleteTypeAsync(Guid id, BlockStore blocks, CancellationToken ct)
    {
        await blocks.DeleteTypeAsync(id, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<IReadOnlyList<BlockDocument>>> DocumentsOfTypeAsync(string slug, BlockStore blocks, HttpContext context, CancellationToken ct,
        [FromQuery(Name = "include_secrets")] bool includeSecrets = false)
    {
        MayReadSecrets(context, includeSecrets);
        return TypedResults.Ok(await blocks.DocumentsOfTypeAsync(slug, includeSecrets, ct));
    }

    private static async Task<Ok<BlockDocument>> ReadDocumentByNameAsync(string slug, string name, BlockStore blocks, HttpContext context, CancellationToken ct,
        [FromQuery(Name = "include_secrets")] bool includeSecrets = false)
    {
        MayReadSecrets(context, includeSecrets);
        return TypedResults.Ok(await blocks.ReadDocumentAsync(slug, name, includeSecrets, ct));
    }

    private static async Task<Ok> InstallSystemTypesAsync(BlockStore blocks, CancellationToken ct)
    {
        await blocks.EnsureSystemAsync(ct);
        return TypedResults.Ok();
    }

    /// <summary>201 for a new schema, 200 for one registered before with the same checksum and version (Prefect's answers).</summary>
    private static async Task<Results<Created<BlockSchema>, Ok<BlockSchema>>> CreateSchemaAsync([FromBody] BlockSchemaCreate body, BlockStore blocks, CancellationToken ct)
    {
        var (schema, created) = await blocks.CreateSchemaAsync(body, ct);
        return created ? TypedResults.Created($"/api/block_schemas/{schema.Id}", schema) : TypedResults.Ok(schema);
    }

    private static async Task<Ok<IReadOnlyList<BlockSchema>>> FilterSchemasAsync([FromBody] BlockSchemaFilterRequest? body, BlockStore blocks, CancellationToken ct) =>
        TypedResults.Ok(await blocks.FilterSchemasAsync(body ?? new BlockSchemaFilterRequest(), ct));

    private static async Task<Ok<BlockSchema>> ReadSchemaAsync(Guid id, BlockStore blocks, CancellationToken ct) => TypedResults.Ok(await blocks.ReadSchemaAsync(id, ct));

    private static async Task<Ok<BlockSchema>> ReadSchemaByChecksumAsync(string checksum, BlockStore blocks, CancellationToken ct, [FromQuery] string? version = null) =>
        TypedResults.Ok(await blocks.ReadSchemaAsync(checksum, version, ct));

    private static async Task<NoContent> DeleteSchemaAsync(Guid id, BlockStore blocks, CancellationToken ct)
    {
        await blocks.DeleteSchemaAsync(id, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<IReadOnlyList<string>>> CapabilitiesAsync(BlockStore blocks, CancellationToken ct) => TypedResults.Ok(await blocks.CapabilitiesAsync(ct));

    private static async Task<Created<BlockDocument>> CreateDocumentAsync([FromBody] BlockDocumentCreate body, BlockStore blocks, HttpContext context, CancellationToken ct)
    {
        if (await blocks.HoldsSecretsAsync(body.BlockSchemaId, ct))
        {
            MayWriteSecrets(context);
        }

        var created = await blocks.CreateDocumentAsync(body, ct);
        return TypedResults.Created($"/api/block_documents/{created.Id}", created);
    }

    private static async Task<Ok<IReadOnlyList<BlockDocument>>> FilterDocumentsAsync([FromBody] BlockDocumentFilterRequest? body, BlockStore blocks,
        HttpContext context, CancellationToken ct)
    {
        var request = body ?? new BlockDocumentFilterRequest();
        MayReadSecrets(context, request.IncludeSecrets);
        return TypedResults.Ok(await blocks.FilterDocumentsAsync(request, ct));
    }

    private static async Task<Ok<int>> CountDocumentsAsync([FromBody] BlockDocumentFilterRequest? body, BlockStore blocks, CancellationToken ct) =>
        TypedResults.Ok(await blocks.CountDocumentsAsync(body ?? new BlockDocumentFilterRequest(), ct));

    private static async Task<Ok<BlockDocument>> ReadDocumentAsync(Guid id, BlockStore blocks, HttpContext context, CancellationToken ct,
        [FromQuery(Name = "include_secrets")] bool includeSecrets = false)
    {
        MayReadSecrets(context, includeSecrets);
        return TypedResults.Ok(await blocks.ReadDocumentAsync(id, includeSecrets, ct));
    }

    private static async Task<NoContent> UpdateDocumentAsync(Guid id, [FromBody] BlockDocumentUpdate body, BlockStore blocks, HttpContext context, CancellationToken ct)
    {
        if (await blocks.HoldsSecretsAsync(await blocks.SchemaOfDocumentAsync(id, ct), ct) || await blocks.HoldsSecretsAsync(body.BlockSchemaId, ct))
        {
            MayWriteSecrets(context);
        }

        await blocks.UpdateDocumentAsync(id, body, ct);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> DeleteDocumentAsync(Guid id, BlockStore blocks, HttpContext context, CancellationToken ct)
    {
        if (await blocks.HoldsSecretsAsync(await blocks.SchemaOfDocumentAsync(id, ct), ct))
        {
            MayWriteSecrets(context);
        }

        await blocks.DeleteDocumentAsync(id, ct);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Secrets in plaintext (<c>include_secrets</c>) are for keys whose code runs flows (Prefect's <c>Secret.load</c>, a
    /// result storage's keys): developer, platform, admin, and a worker key not limited to pools. A viewer, and a
    /// worker key limited to pools (which reads credentials only for its own runs, through <c>/credentials/resolve</c>),
    /// are refused. The audit records every such read.
    /// </summary>
    private static void MayReadSecrets(HttpContext context, bool includeSecrets)
    {
        if (!includeSecrets)
        {
            return;
        }

        var caller = ApiCaller.Of(context);
        if (caller.Role == ApiRoles.Viewer || caller.IsPoolLimited)
        {
            throw new ReeveForbiddenException(
                $"The API key '{caller.Name}' may not read secrets (include_secrets): that needs a developer, platform or admin key, or a worker key for every pool.");
        }

        AuditNotes.Ask(context);
    }

    /// <summary>A document that holds secrets is credentials: written only by the platform team, as through <c>/api/credentials</c>.</summary>
    private static void MayWriteSecrets(HttpContext context)
    {
        var caller = ApiCaller.Of(context);
        if (caller.Role is not (ApiRoles.Platform or ApiRoles.Admin))
        {
            throw new ReeveForbiddenException(
                $"The API key '{caller.Name}' ({caller.Role}) may not write block documents that hold secrets: they are credentials, which need the platform or admin role.");
        }
    }
}
