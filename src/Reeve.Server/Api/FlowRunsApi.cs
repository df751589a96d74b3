using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Reeve.Core.Errors;
using Reeve.Core.FlowRuns;
using Reeve.Core.Orchestration;
using Reeve.Core.States;
using Reeve.Server.Storage;

namespace Reeve.Server.Api;

/// <summary><c>/api/flow_runs</c> and <c>/api/flow_run_states</c>: runs, their states, and the one way states change.</summary>
internal static class FlowRunsApi
{
    public static void MapFlowRuns(this IEndpointRouteBuilder api)
    {
        var runs = api.MapGroup("/flow_runs").WithTags("Flow Runs");
        runs.MapPost("/", CreateAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        runs.MapGet("/{id:guid}", ReadAsync).ProducesProblem(StatusCodes.Status404NotFound);
        runs.MapPatch("/{id:guid}", UpdateAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        runs.MapDelete("/{id:guid}", DeleteAsync).ProducesProblem(StatusCodes.Status404NotFound);
        runs.MapPost("/filter", FilterAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        runs.MapPost("/count", CountAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        runs.MapPost("/history", HistoryAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        runs.MapPost("/{id:guid}/set_state", SetStateAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        runs.MapPost("/{id:guid}/heartbeat", HeartbeatAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        var states = api.MapGroup("/flow_run_states").WithTags("Flow Run States");
        states.MapGet("/", ListStatesAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        states.MapGet("/{id:guid}", ReadStateAsync).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Results<Created<FlowRun>, Ok<FlowRun>>> CreateAsync([FromBody] FlowRunCreate body, FlowRunStore runs, CancellationToken ct)
    {
        var (run, created) = await runs.CreateAsync(body, ct);
        return created ? TypedResults.Created($"/api/flow_runs/{run.Id}", run) : TypedResults.Ok(run);
    }

    private static async Task<Ok<FlowRun>> ReadAsync(Guid id, FlowRunStore runs, CancellationToken ct) => TypedResults.Ok(await runs.ReadAsync(id, ct));

    private static async Task<NoContent> UpdateAsync(Guid id, [FromBody] FlowRunUpdate body, FlowRunStore runs, CancellationToken ct)
    {
        await runs.UpdateAsync(id, body, ct);
        return TypedResults.NoContent();
    }

    /// <summary>A Reeve addition: the run's engine is alive (see <see cref="FlowRunHeartbeat"/>).</summary>
    private static async Task<NoContent> HeartbeatAsync(Guid id, [FromBody] FlowRunHeartbeat? body, FlowRunStore runs, CancellationToken ct)
    {
        await runs.HeartbeatAsync(id, body ?? new FlowRunHeartbeat(), ct);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> DeleteAsync(Guid id, FlowRunStore runs, CancellationToken ct)
    {
        await runs.DeleteAsync(id, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<IAsyncEnumerable<FlowRun>>> FilterAsync([FromBody] FlowRunFilterRequest? body, FlowRunStore runs, CancellationToken ct) =>
        TypedResults.Ok(await runs.FilterAsync(body ?? new FlowRunFilterRequest(), ct));

    private static async Task<Ok<int>> CountAsync([FromBody] FlowRunFilterRequest? body, FlowRunStore runs, CancellationToken ct) =>
        TypedResults.Ok(await runs.CountAsync(body ?? new FlowRunFilterRequest(), ct));

    private static async Task<Ok<List<HistoryInterval>>> HistoryAsync([FromBody] FlowRunHistoryRequest? body, FlowRunStore runs, CancellationToken ct) =>
        TypedResults.Ok(await runs.HistoryAsync(body ?? new FlowRunHistoryRequest(), ct));

    /// <summary>201 when a state was written (even a rejecting rule's, such as AwaitingRetry), 200 otherwise.</summary>
    private static async Task<Results<Created<OrchestrationResult>, Ok<OrchestrationResult>>> SetStateAsync(Guid id, [FromBody] SetStateRequest body, FlowRunStore runs,
        HttpContext context, CancellationToken ct)
    {
        var (result, written) = await runs.SetStateAsync(id, body, ct);

        // The audit records cancellations, not the engine's every state.
        if (written && result.State?.Type is StateType.Cancelling or StateType.Cancelled)
        {
            AuditNotes.Ask(context);
        }

        return written ? TypedResults.Created((string?)null, result) : TypedResults.Ok(result);
    }

    private static async Task<Ok<IReadOnlyList<State>>> ListStatesAsync([FromQuery(Name = "flow_run_id")] Guid? flowRunId, FlowRunStore runs, CancellationToken ct) =>
        TypedResults.Ok(await runs.StatesAsync(flowRunId ?? throw new ReeveValidationException("flow_run_id", "Field required (a query parameter)"), ct));

    private static async Task<Ok<State>> ReadStateAsync(Guid id, FlowRunStore runs, CancellationToken ct) => TypedResults.Ok(await runs.ReadStateAsync(id, ct));
}
