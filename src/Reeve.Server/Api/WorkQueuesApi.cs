using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Reeve.Core.WorkQueues;
using Reeve.Server.Storage;

namespace Reeve.Server.Api;

/// <summary><c>/api/work_pools/{pool}/queues</c>: the queues of a work pool; and Prefect's <c>/api/work_queues</c>, the same queues by id and by bare name.</summary>
internal static class WorkQueuesApi
{
    public static void MapWorkQueues(this IEndpointRouteBuilder api)
    {
        var queues = api.MapGroup("/work_pools/{pool}/queues").WithTags("Work Pools");
        queues.MapPost("/", CreateAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        queues.MapGet("/{name}", ReadAsync).ProducesProblem(StatusCodes.Status404NotFound);
        queues.MapPatch("/{name}", UpdateAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        queues.MapDelete("/{name}", DeleteAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        queues.MapPost("/filter", FilterAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        // Prefect's queue routes by id and by bare name (server/api/work_queues.py): its CLI finds a queue by name, then
        // reads, pauses, resumes, limits and deletes it by id.
        var byId = api.MapGroup("/work_queues").WithTags("Work Queues");
        byId.MapPost("/", CreateInAgentPoolAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        byId.MapPost("/filter", FilterAllAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        byId.MapGet("/name/{name}", ReadByNameAsync).ProducesProblem(StatusCodes.Status404NotFound);
        byId.MapGet("/{id:guid}", ReadByIdAsync).ProducesProblem(StatusCodes.Status404NotFound);
        byId.MapGet("/{id:guid}/status", ReadHealthAsync).ProducesProblem(StatusCodes.Status404NotFound);
        byId.MapPatch("/{id:guid}", UpdateByIdAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        byId.MapDelete("/{id:guid}", DeleteByIdAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    /// <summary>
    /// A queue without a pool (<c>prefect work-queue create NAME</c>): Prefect puts it in its agents' pool,
    /// <c>default-agent-pool</c>. Reeve runs no Prefect agents and does not make that pool; when one of that name was
    /// made (of a type Reeve runs), the queue goes there, otherwise the answer says how to name a pool.
    /// </summary>
    private static async Task<Created<WorkQueue>> CreateInAgentPoolAsync([FromBody] WorkQueueCreate body, WorkQueueStore queues, WorkPoolStore pools, CancellationToken ct)
    {
        if (!await pools.ExistsAsync(WorkQueueStore.AgentPoolName, ct))
        {
            throw new Core.Errors.ReeveNotFoundException(
                $"Work pool \"{WorkQueueStore.AgentPoolName}\" not found: a queue without a pool goes to Prefect's agent pool, and Reeve runs no Prefect agents. " +
                $"Create the queue in a work pool (prefect work-queue create {body.Name} --pool POOL), or create a pool named {WorkQueueStore.AgentPoolName}.");
        }

        var queue = await queues.CreateAsync(WorkQueueStore.AgentPoolName, body, ct);
        return TypedResults.Created($"/api/work_queues/{queue.Id}", queue);
    }

    private static async Task<Ok<IReadOnlyList<WorkQueue>>> FilterAllAsync([FromBody] WorkQueueFilterRequest? body, WorkQueueStore queues, CancellationToken ct) =>
        TypedResults.Ok(await queues.FilterAllAsync(body ?? new WorkQueueFilterRequest(), ct));

    private static async Task<Ok<WorkQueue>> ReadByNameAsync(string name, WorkQueueStore queues, CancellationToken ct) =>
        TypedResults.Ok(await queues.ReadByNameAsync(name, ct));

    private static async Task<Ok<WorkQueue>> ReadByIdAsync(Guid id, WorkQueueStore queues, CancellationToken ct) =>
        TypedResults.Ok(await queues.ReadAsync(id, ct));

    private static async Task<Ok<WorkQueueHealth>> ReadHealthAsync(Guid id, WorkQueueStore queues, CancellationToken ct) =>
        TypedResults.Ok(await queues.ReadHealthAsync(id, ct));

    private static async Task<NoContent> UpdateByIdAsync(Guid id, [FromBody] WorkQueueUpdate body, WorkQueueStore queues, CancellationToken ct)
    {
        await queues.UpdateAsync(id, body, ct);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> DeleteByIdAsync(Guid id, WorkQueueStore queues, CancellationToken ct)
    {
        await queues.DeleteAsync(id, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Created<WorkQueue>> CreateAsync(string pool, [FromBody] WorkQueueCreate body, WorkQueueStore queues, CancellationToken ct)
    {
        var queue = await queues.CreateAsync(pool, body, ct);
        return TypedResults.Created($"/api/work_pools/{Uri.EscapeDataString(pool)}/queues/{Uri.EscapeDataString(queue.Name)}", queue);
    }

    private static async Task<Ok<WorkQueue>> ReadAsync(string pool, string name, WorkQueueStore queues, CancellationToken ct) =>
        TypedResults.Ok(await queues.ReadAsync(pool, name, ct));

    private static async Task<NoContent> UpdateAsync(string pool, string name, [FromBody] WorkQueueUpdate body, WorkQueueStore queues, CancellationToken ct)
    {
        await queues.UpdateAsync(pool, name, body, ct);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> DeleteAsync(string pool, string name, WorkQueueStore queues, CancellationToken ct)
    {
        await queues.DeleteAsync(pool, name, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<IReadOnlyList<WorkQueue>>> FilterAsync(string pool, [FromBody] WorkQueueFilterRequest? body, WorkQueueStore queues, CancellationToken ct) =>
        TypedResults.Ok(await queues.FilterAsync(pool, body ?? new WorkQueueFilterRequest(), ct));
}
