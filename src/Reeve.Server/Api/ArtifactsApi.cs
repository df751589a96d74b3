using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Reeve.Core.Artifacts;
using Reeve.Server.Storage;

namespace Reeve.Server.Api;

/// <summary><c>/api/artifacts</c>: Prefect's artifacts — what runs make for people to look at, versioned by key.</summary>
internal static class ArtifactsApi
{
    public static void MapArtifacts(this IEndpointRouteBuilder api)
    {
        var artifacts = api.MapGroup("/artifacts").WithTags("Artifacts");
        artifacts.MapPost("/", CreateAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        artifacts.MapPost("/filter", FilterAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        artifacts.MapPost("/count", CountAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        artifacts.MapPost("/latest/filter", LatestFilterAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        artifacts.MapPost("/latest/count", LatestCountAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        artifacts.MapGet("/{id:guid}", ReadAsync).ProducesProblem(StatusCodes.Status404NotFound);
        artifacts.MapGet("/{key}/latest", LatestAsync).ProducesProblem(StatusCodes.Status404NotFound);
        artifacts.MapPatch("/{id:guid}", UpdateAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        artifacts.MapDelete("/{id:guid}", DeleteAsync).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Created<Artifact>> CreateAsync([FromBody] ArtifactCreate body, ArtifactStore store, ReeveDbContext db, HttpContext context, CancellationToken ct)
    {
        // A worker key limited to pools writes artifacts only of runs in its pools (the rule's RunInBody scope).
        await ApiCaller.Of(context).EnsureRunsAsync(db, [body.FlowRunId], ct);
        var created = await store.CreateAsync(body, ct);
        return TypedResults.Created($"/api/artifacts/{created.Id}", created);
    }

    private static async Task<Ok<IReadOnlyList<Artifact>>> FilterAsync([FromBody] ArtifactFilterRequest? body, ArtifactStore store, CancellationToken ct) =>
        TypedResults.Ok(await store.FilterAsync(body ?? new ArtifactFilterRequest(), ct));

    private static async Task<Ok<int>> CountAsync([FromBody] ArtifactFilterRequest? body, ArtifactStore store, CancellationToken ct) =>
        TypedResults.Ok(await store.CountAsync(body?.Artifacts, ct));

    private static async Task<Ok<IReadOnlyList<ArtifactCollection>>> LatestFilterAsync([FromBody] ArtifactCollectionFilterRequest? body, ArtifactStore store,
        CancellationToken ct) => TypedResults.Ok(await store.LatestFilterAsync(body ?? new ArtifactCollectionFilterRequest(), ct));

    private static async Task<Ok<int>> LatestCountAsync([FromBody] ArtifactCollectionFilterRequest? body, ArtifactStore store, CancellationToken ct) =>
        TypedResults.Ok(await store.LatestCountAsync(body?.Artifacts, ct));

    private static async Task<Ok<Artifact>> ReadAsync(Guid id, ArtifactStore store, CancellationToken ct) => TypedResults.Ok(await store.ReadAsync(id, ct));

    private static async Task<Ok<Artifact>> LatestAsync(string key, ArtifactStore store, CancellationToken ct) => TypedResults.Ok(await store.LatestAsync(key, ct));

    private static async Task<NoContent> UpdateAsync(Guid id, [FromBody] ArtifactUpdate body, ArtifactStore store, ReeveDbContext db, HttpContext context, CancellationToken ct)
    {
        if (ApiCaller.Of(context).IsPoolLimited)
        {
            await ApiCaller.Of(context).EnsureRunsAsync(db, [(await store.ReadAsync(id, ct)).FlowRunId], ct);
        }

        await store.UpdateAsync(id, body, ct);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> DeleteAsync(Guid id, ArtifactStore store, CancellationToken ct)
    {
        await store.DeleteAsync(id, ct);
        return TypedResults.NoContent();
    }
}
