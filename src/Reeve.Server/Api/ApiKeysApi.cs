using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Reeve.Core.Access;
using Reeve.Core.Errors;
using Reeve.Server.Hosting;
using Reeve.Server.Storage;

namespace Reeve.Server.Api;

/// <summary>
/// <c>/api/api_keys</c>: keys with roles, made and revoked by an admin. A key is shown once, in the answer that
/// creates it; afterwards only its name, role, pools, expiry and first characters.
/// </summary>
internal static class ApiKeysApi
{
    public static void MapApiKeys(this IEndpointRouteBuilder api)
    {
        var keys = api.MapGroup("/api_keys").WithTags("API Keys");
        keys.MapPost("/", CreateAsync).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        keys.MapPost("/filter", FilterAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        keys.MapDelete("/{id:guid}", DeleteAsync).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Created<ApiKeyCreated>> CreateAsync([FromBody] ApiKeyCreate body, ApiKeyStore store, ReeveServerOptions options, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(options.ApiKey))
        {
            // Without the bootstrap key every request is admin's, so a key would limit no one.
            throw new ReeveConflictException("This server has no API key, so every caller may do everything and a key would limit no one: start it with REEVE_SERVER_API_KEY first.");
        }

        var created = await store.CreateAsync(body, ct);
        return TypedResults.Created($"/api/api_keys/{created.Id}", created);
    }

    private static async Task<Ok<IReadOnlyList<ApiKey>>> FilterAsync([FromBody] ApiKeyFilterRequest? body, ApiKeyStore store, CancellationToken ct) =>
        TypedResults.Ok(await store.FilterAsync(body ?? new ApiKeyFilterRequest(), ct));

    private static async Task<NoContent> DeleteAsync(Guid id, ApiKeyStore store, ApiKeyCache cache, CancellationToken ct)
    {
        await store.DeleteAsync(id, ct);
        cache.Clear();
        return TypedResults.NoContent();
    }
}
