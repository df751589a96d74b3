using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Reeve.Core.Deployments;
using Reeve.Core.FlowRuns;
using Reeve.Server.Storage;

namespace Reeve.Server.Api;

/// <summary><c>/api/deployments</c>: deployments, their runs, and what serving processes poll.</summary>
internal static class DeploymentsApi
{
    public static void MapDeployments(this IEndpointRouteBuilder api)
    {
        var deployments = api.MapGroup("/deployments").WithTags("Deployments");
        deployments.MapPost("/", UpsertAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        deployments.MapGet("/{id:guid}", ReadAsync).ProducesProblem(StatusCodes.Status404NotFound);
        deployments.MapGet("/name/{flow}/{name}", ReadByNameAsync).ProducesProblem(StatusCodes.Status404NotFound);
        deployments.MapPatch("/{id:guid}", UpdateAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        deployments.MapDelete("/{id:guid}", DeleteAsync).ProducesProblem(StatusCodes.Status404NotFound);
        deployments.MapPost("/filter", FilterAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        deployments.MapPost("/count", CountAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        deployments.MapPost("/{id:guid}/pause_deployment", PauseAsync).ProducesProblem(StatusCodes.Status404NotFound);
        deployments.MapPost("/{id:guid}/resume_deployment", ResumeAsync).ProducesProblem(StatusCodes.Status404NotFound);
        deployments.MapPost("/{id:guid}/create_flow_run", CreateFlowRunAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        deployments.MapPost("/get_scheduled_flow_runs", ScheduledRunsAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        deployments.MapPost("/claim_flow_runs", ClaimRunsAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        deployments.MapGet("/{id:guid}/schedules", ReadSchedulesAsync).ProducesProblem(StatusCodes.Status404NotFound);
        deployments.MapPost("/{id:guid}/schedules", AddSchedulesAsync)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        deployments.MapPatch("/{id:guid}/schedules/{scheduleId:guid}", UpdateScheduleAsync)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        deployments.MapDelete("/{id:guid}/schedules/{scheduleId:guid}", DeleteScheduleAsync).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Ok<IReadOnlyList<DeploymentSchedule>>> ReadSchedulesAsync(Guid id, DeploymentStore deployments, CancellationToken ct) =>
        TypedResults.Ok(await deployments.ReadSchedulesAsync(id, ct));

    private static async Task<Created<IReadOnlyList<DeploymentSchedule>>> AddSchedulesAsync(Guid id, [FromBody] List<DeploymentScheduleCreate> body, DeploymentStore deployments, CancellationToken ct) =>
        TypedResults.Created($"/api/deployments/{id}/schedules", await deployments.AddSchedulesAsync(id, body, ct));

    private static async Task<NoContent> UpdateScheduleAsync(Guid id, Guid scheduleId, [FromBody] DeploymentScheduleUpdate body, DeploymentStore deployments, CancellationToken ct)
    {
        await deployments.UpdateScheduleAsync(id, scheduleId, body, ct);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> DeleteScheduleAsync(Guid id, Guid scheduleId, DeploymentStore deployments, CancellationToken ct)
    {
        await deployments.DeleteScheduleAsync(id, scheduleId, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Created<Deployment>, Ok<Deployment>>> UpsertAsync([FromBody] DeploymentCreate body, DeploymentStore deployments, CancellationToken ct)
    {
        var (deployment, created) = await deployments.UpsertAsync(body.WithPrefectFieldsResolved(), ct);
        return created ? TypedResults.Created($"/api/deployments/{deployment.Id}", deployment) : TypedResults.Ok(deployment);
    }

    private static async Task<Ok<Deployment>> ReadAsync(Guid id, DeploymentStore deployments, CancellationToken ct) =>
        TypedResults.Ok(await deployments.ReadAsync(id, ct));

    private static async Task<Ok<Deployment>> ReadByNameAsync(string flow, string name, DeploymentStore deployments, CancellationToken ct) =>
        TypedResults.Ok(await deployments.ReadByNameAsync(flow, name, ct));

    private static async Task<NoContent> UpdateAsync(Guid id, [FromBody] DeploymentUpdate body, DeploymentStore deployments, CancellationToken ct)
    {
        await deployments.UpdateAsync(id, body.WithPrefectFieldsResolved(), ct);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> DeleteAsync(Guid id, DeploymentStore deployments, CancellationToken ct)
    {
        await deployments.DeleteAsync(id, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<IAsyncEnumerable<Deployment>>> FilterAsync([FromBody] DeploymentFilterRequest? body, DeploymentStore deployments, CancellationToken ct) =>
        TypedResults.Ok(await deployments.FilterAsync(body ?? new DeploymentFilterRequest(), ct));

    private static async Task<Ok<int>> CountAsync([FromBody] DeploymentFilterRequest? body, DeploymentStore deployments, CancellationToken ct) =>
        TypedResults.Ok(await deployments.CountAsync(body ?? new DeploymentFilterRequest(), ct));

    private static async Task<Ok<object?>> PauseAsync(Guid id, DeploymentStore deployments, CancellationToken ct)
    {
        await deployments.SetPausedAsync(id, paused: true, ct);
        return TypedResults.Ok<object?>(null);
    }

    private static async Task<Ok<object?>> ResumeAsync(Guid id, DeploymentStore deployments, CancellationToken ct)
    {
        await deployments.SetPausedAsync(id, paused: false, ct);
        return TypedResults.Ok<object?>(null);
    }

    private static async Task<Results<Created<FlowRun>, Ok<FlowRun>>> CreateFlowRunAsync(Guid id, [FromBody] DeploymentFlowRunCreate? body, DeploymentStore deployments, CancellationToken ct)
    {
        var (run, created) = await deployments.CreateFlowRunAsync(id, body ?? new DeploymentFlowRunCreate(), ct);
        return created ? TypedResults.Created($"/api/flow_runs/{run.Id}", run) : TypedResults.Ok(run);
    }

    private static async Task<Ok<IReadOnlyList<FlowRun>>> ScheduledRunsAsync([FromBody] DeploymentScheduledRunsRequest body, DeploymentStore deployments, CancellationToken ct) =>
        TypedResults.Ok(await deployments.ScheduledRunsAsync(body, ct));

    private static async Task<Ok<IReadOnlyList<FlowRun>>> ClaimRunsAsync([FromBody] DeploymentScheduledRunsRequest body, DeploymentStore deployments, CancellationToken ct) =>
        TypedResults.Ok(await deployments.ClaimRunsAsync(body, ct));
}
