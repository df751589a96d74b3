using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Reeve.Core.ConcurrencyLimits;
using Reeve.Server.Storage;

namespace Reeve.Server.Api;

/// <summary>
/// <c>/api/v2/concurrency_limits</c>: Prefect's global concurrency limits. <c>/increment</c> takes slots of every
/// limit named or none (423 with <c>Retry-After</c> when they are taken), <c>/decrement</c> gives them back.
/// </summary>
internal static class ConcurrencyLimitsApi
{
    public static void MapConcurrencyLimits(this IEndpointRouteBuilder api)
    {
        var limits = api.MapGroup("/v2/concurrency_limits").WithTags("Concurrency Limits V2");
        limits.MapPost("/", CreateAsync).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        limits.MapPost("/filter", FilterAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        limits.MapPost("/increment", IncrementAsync).ProducesProblem(StatusCodes.Status423Locked).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        limits.MapPost("/decrement", DecrementAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        limits.MapGet("/{idOrName}", ReadAsync).ProducesProblem(StatusCodes.Status404NotFound);
        limits.MapPatch("/{idOrName}", UpdateAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        limits.MapDelete("/{idOrName}", DeleteAsync).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Created<GlobalConcurrencyLimit>> CreateAsync([FromBody] GlobalConcurrencyLimitCreate body, ConcurrencyLimitStore store, CancellationToken ct)
    {
        var created = await store.CreateAsync(body, ct);
        return TypedResults.Created($"/api/v2/concurrency_limits/{created.Id}", created);
    }

    private static async Task<Ok<IReadOnlyList<GlobalConcurrencyLimit>>> FilterAsync([FromBody] GlobalConcurrencyLimitFilterRequest? body, ConcurrencyLimitStore store, CancellationToken ct) =>
        TypedResults.Ok(await store.FilterAsync(body?.Limit, body?.Offset ?? 0, ct));

    private static async Task<Ok<GlobalConcurrencyLimit>> ReadAsync(string idOrName, ConcurrencyLimitStore store, CancellationToken ct) =>
        TypedResults.Ok(await store.ReadAsync(idOrName, ct));

    private static async Task<NoContent> UpdateAsync(string idOrName, [FromBody] GlobalConcurrencyLimitUpdate body, ConcurrencyLimitStore store, CancellationToken ct)
    {
        await store.UpdateAsync(idOrName, body, ct);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> DeleteAsync(string idOrName, ConcurrencyLimitStore store, CancellationToken ct)
    {
        await store.DeleteAsync(idOrName, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<IReadOnlyList<SlotsLimit>>, ProblemHttpResult>> IncrementAsync(
        [FromBody] SlotsIncrement body, ConcurrencyLimitStore store, HttpContext context, CancellationToken ct)
    {
        var decision = await store.IncrementAsync(body, ct);
        if (decision.Granted is { } granted)
        {
            return TypedResults.Ok(granted);
        }

        var wait = decision.RetryAfterSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        context.Response.Headers.RetryAfter = wait;
        return TypedResults.Problem(statusCode: StatusCodes.Status423Locked, title: "Locked",
            detail: $"The slots of {string.Join(", ", body.Names.Select(n => $"'{n}'"))} are taken; ask again in {wait} s.");
    }

    private static async Task<Ok<IReadOnlyList<SlotsLimit>>> DecrementAsync([FromBody] SlotsDecrement body, ConcurrencyLimitStore store, CancellationToken ct) =>
        TypedResults.Ok(await store.DecrementAsync(body, ct));
}
