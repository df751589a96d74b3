using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Reeve.Core.FlowRuns;
using Reeve.Core.WorkPools;
using Reeve.Server.Storage;

namespace Reeve.Server.Api;

/// <summary><c>/api/work_pools</c>: create, read, update, delete, filter and count work pools.</summary>
internal static class WorkPoolsApi
{
    public static void MapWorkPools(this IEndpointRouteBuilder api)
    {
        var pools = api.MapGroup("/work_pools").WithTags("Work Pools");
        pools.MapPost("/", CreateAsync).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        pools.MapGet("/{name}", ReadAsync).ProducesProblem(StatusCodes.Status404NotFound);
        pools.MapPatch("/{name}", UpdateAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        pools.MapDelete("/{name}", DeleteAsync).ProducesProblem(StatusCodes.Status404NotFound);
        pools.MapPost("/filter", FilterAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        pools.MapPost("/count", CountAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        pools.MapPost("/{name}/get_scheduled_flow_runs", ScheduledRunsAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        pools.MapPost("/{name}/claim_flow_runs", ClaimRunsAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
    }

    private static async Task<Created<WorkPool>> CreateAsync([FromBody] WorkPoolCreate body, WorkPoolStore pools, CancellationToken ct)
    {
        var pool = await pools.CreateAsync(body, ct);
        return TypedResults.Created($"/api/work_pools/{Uri.EscapeDataString(pool.Name)}", pool);
    }

    private static async Task<Ok<WorkPool>> ReadAsync(string name, WorkPoolStore pools, CancellationToken ct) =>
        TypedResults.Ok(await pools.ReadAsync(name, ct));

    private static async Task<NoContent> UpdateAsync(string name, [FromBody] WorkPoolUpdate body, WorkPoolStore pools, CancellationToken ct)
    {
        await pools.UpdateAsync(name, body, ct);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> DeleteAsync(string name, WorkPoolStore pools, CancellationToken ct)
    {
        await pools.DeleteAsync(name, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<IReadOnlyList<WorkPool>>> FilterAsync([FromBody] WorkPoolFilterRequest? body, WorkPoolStore pools, CancellationToken ct) =>
        TypedResults.Ok(await pools.FilterAsync(body ?? new WorkPoolFilterRequest(), ct));

    private static async Task<Ok<IReadOnlyList<WorkerFlowRun>>> ScheduledRunsAsync(string name, [FromBody] WorkerScheduledRunsRequest? body, WorkerRunsStore runs, CancellationToken ct) =>
        TypedResults.Ok(await runs.ScheduledAsync(name, body ?? new WorkerScheduledRunsRequest(), ct));

    private static async Task<Ok<IReadOnlyList<WorkerFlowRun>>> ClaimRunsAsync(string name, [FromBody] WorkerClaimRequest? body, WorkerRunsStore runs, CancellationToken ct) =>
        TypedResults.Ok(await runs.ClaimAsync(name, body ?? new WorkerClaimRequest(), ct));

    private static async Task<Ok<int>> CountAsync([FromBody] WorkPoolFilterRequest? body, WorkPoolStore pools, CancellationToken ct) =>
        TypedResults.Ok(await pools.CountAsync(body?.WorkPools, ct));
}
