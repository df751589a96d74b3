using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Reeve.Core.Errors;
using Reeve.Core.FlowRuns;
using Reeve.Core.Orchestration;
using Reeve.Core.States;
using Reeve.Core.TaskRuns;
using Reeve.Server.Storage;

namespace Reeve.Server.Api;

/// <summary><c>/api/task_runs</c> and <c>/api/task_run_states</c>.</summary>
internal static class TaskRunsApi
{
    public static void MapTaskRuns(this IEndpointRouteBuilder api)
    {
        var tasks = api.MapGroup("/task_runs").WithTags("Task Runs");
        tasks.MapPost("/", CreateAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        tasks.MapGet("/{id:guid}", ReadAsync).ProducesProblem(StatusCodes.Status404NotFound);
        tasks.MapDelete("/{id:guid}", DeleteAsync).ProducesProblem(StatusCodes.Status404NotFound);
        tasks.MapPost("/batch", ReportAsync).ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        tasks.MapPost("/filter", FilterAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        tasks.MapPost("/count", CountAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        tasks.MapPost("/{id:guid}/set_state", SetStateAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        api.MapGet("/task_run_states/", ListStatesAsync).WithTags("Task Run States").ProducesProblem(StatusCodes.Status422UnprocessableEntity);
    }

    private static async Task<Results<Created<TaskRun>, Ok<TaskRun>>> CreateAsync([FromBody] TaskRunCreate body, TaskRunStore tasks, ReeveDbContext db,
        HttpContext context, CancellationToken ct)
    {
        // A worker key limited to pools reports task runs only of runs in its pools (the rule's RunInBody scope).
        await ApiCaller.Of(context).EnsureRunsAsync(db, [body.FlowRunId], ct);
        var (task, created) = await tasks.CreateAsync(body, ct);
        return created ? TypedResults.Created($"/api/task_runs/{task.Id}", task) : TypedResults.Ok(task);
    }

    private static async Task<NoContent> ReportAsync([FromBody] TaskRunReportBatch body, TaskRunStore tasks, ReeveDbContext db, HttpContext context,
        CancellationToken ct)
    {
        await ApiCaller.Of(context).EnsureRunsAsync(db, body.TaskRuns.Select(t => (Guid?)t.FlowRunId), ct);
        await tasks.ReportAsync(body, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<TaskRun>> ReadAsync(Guid id, TaskRunStore tasks, CancellationToken ct) => TypedResults.Ok(await tasks.ReadAsync(id, ct));

    private static async Task<NoContent> DeleteAsync(Guid id, TaskRunStore tasks, CancellationToken ct)
    {
        await tasks.DeleteAsync(id, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<IAsyncEnumerable<TaskRun>>> FilterAsync([FromBody] TaskRunFilterRequest? body, TaskRunStore tasks, CancellationToken ct) =>
        TypedResults.Ok(await tasks.FilterAsync(body ?? new TaskRunFilterRequest(), ct));

    private static async Task<Ok<int>> CountAsync([FromBody] TaskRunFilterRequest? body, TaskRunStore tasks, CancellationToken ct) =>
        TypedResults.Ok(await tasks.CountAsync(body ?? new TaskRunFilterRequest(), ct));

    private static async Task<Results<Created<OrchestrationResult>, Ok<OrchestrationResult>>> SetStateAsync(Guid id, [FromBody] SetStateRequest body, TaskRunStore tasks, CancellationToken ct)
    {
        var (result, written) = await tasks.SetStateAsync(id, body, ct);
        return written ? TypedResults.Created((string?)null, result) : TypedResults.Ok(result);
    }

    private static async Task<Ok<IReadOnlyList<State>>> ListStatesAsync([FromQuery(Name = "task_run_id")] Guid? taskRunId, TaskRunStore tasks, CancellationToken ct) =>
        TypedResults.Ok(await tasks.StatesAsync(taskRunId ?? throw new ReeveValidationException("task_run_id", "Field required (a query parameter)"), ct));
}
