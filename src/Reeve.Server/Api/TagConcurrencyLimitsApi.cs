using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Reeve.Core.ConcurrencyLimits;
using Reeve.Server.Storage;

namespace Reeve.Server.Api;

/// <summary>
/// <c>/api/concurrency_limits</c>: Prefect's v1 tag concurrency limits (<c>server/api/concurrency_limits.py</c>). A
/// task run with a limited tag starts (RUNNING, through <c>set_state</c>) only while the tag has a free slot.
/// </summary>
internal static class TagConcurrencyLimitsApi
{
    public static void MapTagConcurrencyLimits(this IEndpointRouteBuilder api)
    {
        var limits = api.MapGroup("/concurrency_limits").WithTags("Concurrency Limits");
        limits.MapPost("/", UpsertAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        limits.MapPost("/filter", FilterAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        limits.MapGet("/{id:guid}", ReadAsync).ProducesProblem(StatusCodes.Status404NotFound);
        limits.MapGet("/tag/{tag}", ReadByTagAsync).ProducesProblem(StatusCodes.Status404NotFound);
        limits.MapPost("/tag/{tag}/reset", ResetAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        limits.MapDelete("/{id:guid}", DeleteAsync).ProducesProblem(StatusCodes.Status404NotFound);
        limits.MapDelete("/tag/{tag}", DeleteByTagAsync).ProducesProblem(StatusCodes.Status404NotFound);
    }

    /// <summary>201 when the tag's limit was made, 200 when it existed and was changed (Prefect's answers).</summary>
    private static async Task<Results<Created<TagConcurrencyLimit>, Ok<TagConcurrencyLimit>>> UpsertAsync([FromBody] TagConcurrencyLimitCreate body,
        TagConcurrencyLimitStore store, HttpContext context, CancellationToken ct)
    {
        var (limit, created) = await store.UpsertAsync(body, ct);
        AuditNotes.Resource(context, $"{limit.Tag} ({limit.Id}): {limit.ConcurrencyLimit}");
        return created ? TypedResults.Created($"/api/concurrency_limits/{limit.Id}", limit) : TypedResults.Ok(limit);
    }

    private static async Task<Ok<IReadOnlyList<TagConcurrencyLimit>>> FilterAsync([FromBody] TagConcurrencyLimitFilterRequest? body, TagConcurrencyLimitStore store,
        CancellationToken ct) => TypedResults.Ok(await store.FilterAsync(body ?? new TagConcurrencyLimitFilterRequest(), ct));

    private static async Task<Ok<TagConcurrencyLimit>> ReadAsync(Guid id, TagConcurrencyLimitStore store, CancellationToken ct) => TypedResults.Ok(await store.ReadAsync(id, ct));

    private static async Task<Ok<TagConcurrencyLimit>> ReadByTagAsync(string tag, TagConcurrencyLimitStore store, CancellationToken ct) =>
        TypedResults.Ok(await store.ReadAsync(tag, ct));

    private static async Task<Ok> ResetAsync(string tag, [FromBody] TagConcurrencyLimitReset? body, TagConcurrencyLimitStore store, CancellationToken ct)
    {
        await store.ResetAsync(tag, body?.SlotOverride, ct);
        return TypedResults.Ok();
    }

    private static async Task<Ok> DeleteAsync(Guid id, TagConcurrencyLimitStore store, CancellationToken ct)
    {
        await store.DeleteAsync(id, null, ct);
        return TypedResults.Ok();
    }

    private static async Task<Ok> DeleteByTagAsync(string tag, TagConcurrencyLimitStore store, CancellationToken ct)
    {
        await store.DeleteAsync(null, tag, ct);
        return TypedResults.Ok();
    }
}
