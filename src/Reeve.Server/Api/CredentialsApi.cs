using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Reeve.Core.Credentials;
using Reeve.Server.Storage;

namespace Reeve.Server.Api;

/// <summary>
/// <c>/api/credentials</c>: credentials for infrastructure (Prefect's credential blocks). Answers show secret fields
/// masked; only <c>/resolve</c>, for a run being submitted, gives their values, inside the job configuration.
/// </summary>
internal static class CredentialsApi
{
    public static void MapCredentials(this IEndpointRouteBuilder api)
    {
        var credentials = api.MapGroup("/credentials").WithTags("Credentials");
        credentials.MapPost("/", CreateAsync).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        credentials.MapPost("/filter", FilterAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        credentials.MapGet("/types", () => TypedResults.Ok(CredentialsTypeCatalog.All));
        credentials.MapGet("/{id:guid}", ReadAsync).ProducesProblem(StatusCodes.Status404NotFound);
        credentials.MapGet("/{type}/{name}", ReadByNameAsync).ProducesProblem(StatusCodes.Status404NotFound);
        credentials.MapPatch("/{id:guid}", UpdateAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        credentials.MapDelete("/{id:guid}", DeleteAsync).ProducesProblem(StatusCodes.Status404NotFound);
        credentials.MapPost("/resolve", ResolveAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
    }

    private static async Task<Created<Credentials>> CreateAsync([FromBody] CredentialsCreate body, CredentialsStore store, CancellationToken ct)
    {
        var created = await store.CreateAsync(body, ct);
        return TypedResults.Created($"/api/credentials/{created.Id}", created);
    }

    private static async Task<Ok<IReadOnlyList<Credentials>>> FilterAsync([FromBody] CredentialsFilterRequest? body, CredentialsStore store, CancellationToken ct) =>
        TypedResults.Ok(await store.FilterAsync(body ?? new CredentialsFilterRequest(), ct));

    private static async Task<Ok<Credentials>> ReadAsync(Guid id, CredentialsStore store, CancellationToken ct) =>
        TypedResults.Ok(await store.ReadAsync(id, ct));

    private static async Task<Ok<Credentials>> ReadByNameAsync(string type, string name, CredentialsStore store, CancellationToken ct) =>
        TypedResults.Ok(await store.ReadAsync(type, name, ct));

    private static async Task<Ok<Credentials>> UpdateAsync(Guid id, [FromBody] CredentialsUpdate body, CredentialsStore store, CancellationToken ct) =>
        TypedResults.Ok(await store.UpdateAsync(id, body, ct));

    private static async Task<NoContent> DeleteAsync(Guid id, CredentialsStore store, CancellationToken ct)
    {
        await store.DeleteAsync(id, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<CredentialsResolveResponse>> ResolveAsync([FromBody] CredentialsResolveRequest body, CredentialsStore store,
        ReeveDbContext db, HttpContext context, CancellationToken ct)
    {
        // A worker key limited to pools resolves only for runs of its pools (the rule's RunInBody scope).
        await ApiCaller.Of(context).EnsureRunAsync(db, body.FlowRunId, ct);
        AuditNotes.Resource(context, $"flow_run {body.FlowRunId}");
        return TypedResults.Ok(new CredentialsResolveResponse { Configuration = await store.ResolveAsync(body, ct) });
    }
}
