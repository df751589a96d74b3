using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Reeve.Core.Variables;
using Reeve.Server.Storage;

namespace Reeve.Server.Api;

/// <summary><c>/api/variables</c>: Prefect's variables — named JSON values for configuration that is not secret.</summary>
internal static class VariablesApi
{
    public static void MapVariables(this IEndpointRouteBuilder api)
    {
        var variables = api.MapGroup("/variables").WithTags("Variables");
        variables.MapPost("/", CreateAsync).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        variables.MapPost("/filter", FilterAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        variables.MapPost("/count", CountAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        variables.MapGet("/{id:guid}", ReadAsync).ProducesProblem(StatusCodes.Status404NotFound);
        variables.MapGet("/name/{name}", ReadByNameAsync).ProducesProblem(StatusCodes.Status404NotFound);
        variables.MapPatch("/{id:guid}", UpdateAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        variables.MapPatch("/name/{name}", UpdateByNameAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        variables.MapDelete("/{id:guid}", DeleteAsync).ProducesProblem(StatusCodes.Status404NotFound);
        variables.MapDelete("/name/{name}", DeleteByNameAsync).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Created<Variable>> CreateAsync([FromBody] VariableCreate body, VariableStore store, CancellationToken ct)
    {
        var created = await store.CreateAsync(body, ct);
        return TypedResults.Created($"/api/variables/{created.Id}", created);
    }

    private static async Task<Ok<IReadOnlyList<Variable>>> FilterAsync([FromBody] VariableFilterRequest? body, VariableStore store, CancellationToken ct) =>
        TypedResults.Ok(await store.FilterAsync(body ?? new VariableFilterRequest(), ct));

    private static async Task<Ok<int>> CountAsync([FromBody] VariableCountRequest? body, VariableStore store, CancellationToken ct) =>
        TypedResults.Ok(await store.CountAsync(body?.Variables, ct));

    private static async Task<Ok<Variable>> ReadAsync(Guid id, VariableStore store, CancellationToken ct) => TypedResults.Ok(await store.ReadAsync(id, ct));

    private static async Task<Ok<Variable>> ReadByNameAsync(string name, VariableStore store, CancellationToken ct) =>
        TypedResults.Ok(await store.ReadAsync(name, ct));

    private static async Task<NoContent> UpdateAsync(Guid id, [FromBody] VariableUpdate body, VariableStore store, CancellationToken ct)
    {
        await store.UpdateAsync(id, null, body, ct);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> UpdateByNameAsync(string name, [FromBody] VariableUpdate body, VariableStore store, CancellationToken ct)
    {
        await store.UpdateAsync(null, name, body, ct);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> DeleteAsync(Guid id, VariableStore store, CancellationToken ct)
    {
        await store.DeleteAsync(id, null, ct);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> DeleteByNameAsync(string name, VariableStore store, CancellationToken ct)
    {
        await store.DeleteAsync(null, name, ct);
        return TypedResults.NoContent();
    }
}
