using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Reeve.Core.Flows;
using Reeve.Server.Storage;

namespace Reeve.Server.Api;

/// <summary><c>/api/flows</c>: flows are registered by name; registering a known name returns it (200).</summary>
internal static class FlowsApi
{
    public static void MapFlows(this IEndpointRouteBuilder api)
    {
        var flows = api.MapGroup("/flows").WithTags("Flows");
        flows.MapPost("/", CreateAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        flows.MapGet("/{id:guid}", ReadAsync).ProducesProblem(StatusCodes.Status404NotFound);
        flows.MapGet("/name/{name}", ReadByNameAsync).ProducesProblem(StatusCodes.Status404NotFound);
        flows.MapPatch("/{id:guid}", UpdateAsync).ProducesProblem(StatusCodes.Status404NotFound);
        flows.MapDelete("/{id:guid}", DeleteAsync).ProducesProblem(StatusCodes.Status404NotFound);
        flows.MapPost("/filter", FilterAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        flows.MapPost("/count", CountAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
    }

    private static async Task<Results<Created<Flow>, Ok<Flow>>> CreateAsync([FromBody] FlowCreate body, FlowStore flows, CancellationToken ct)
    {
        var (flow, created) = await flows.CreateAsync(body, ct);
        return created ? TypedResults.Created($"/api/flows/{flow.Id}", flow) : TypedResults.Ok(flow);
    }

    private static async Task<Ok<Flow>> ReadAsync(Guid id, FlowStore flows, CancellationToken ct) => TypedResults.Ok(await flows.ReadAsync(id, ct));

    private static async Task<Ok<Flow>> ReadByNameAsync(string name, FlowStore flows, CancellationToken ct) => TypedResults.Ok(await flows.ReadByNameAsync(name, ct));

    private static async Task<NoContent> UpdateAsync(Guid id, [FromBody] FlowUpdate body, FlowStore flows, CancellationToken ct)
    {
        await flows.UpdateAsync(id, body, ct);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> DeleteAsync(Guid id, FlowStore flows, CancellationToken ct)
    {
        await flows.DeleteAsync(id, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<IReadOnlyList<Flow>>> FilterAsync([FromBody] FlowFilterRequest? body, FlowStore flows, CancellationToken ct) =>
        TypedResults.Ok(await flows.FilterAsync(body ?? new FlowFilterRequest(), ct));

    private static async Task<Ok<int>> CountAsync([FromBody] FlowFilterRequest? body, FlowStore flows, CancellationToken ct) =>
        TypedResults.Ok(await flows.CountAsync(body ?? new FlowFilterRequest(), ct));
}
