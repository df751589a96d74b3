using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Reeve.Core.Workers;
using Reeve.Server.Storage;

namespace Reeve.Server.Api;

/// <summary><c>/api/work_pools/{pool}/workers</c>: heartbeats and the workers they describe.</summary>
internal static class WorkersApi
{
    public static void MapWorkers(this IEndpointRouteBuilder api)
    {
        var workers = api.MapGroup("/work_pools/{pool}/workers").WithTags("Work Pools");
        workers.MapPost("/heartbeat", HeartbeatAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        workers.MapPost("/filter", FilterAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        workers.MapDelete("/{name}", DeleteAsync).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<NoContent> HeartbeatAsync(string pool, [FromBody] WorkerHeartbeat body, WorkerStore workers, CancellationToken ct)
    {
        await workers.HeartbeatAsync(pool, body, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<IReadOnlyList<Worker>>> FilterAsync(string pool, [FromBody] WorkerFilterRequest? body, WorkerStore workers, CancellationToken ct) =>
        TypedResults.Ok(await workers.FilterAsync(pool, body ?? new WorkerFilterRequest(), ct));

    private static async Task<NoContent> DeleteAsync(string pool, string name, WorkerStore workers, CancellationToken ct)
    {
        await workers.DeleteAsync(pool, name, ct);
        return TypedResults.NoContent();
    }
}
