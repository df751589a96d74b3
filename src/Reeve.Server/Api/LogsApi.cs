using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Reeve.Core.Logs;
using Reeve.Server.Storage;

namespace Reeve.Server.Api;

/// <summary><c>/api/logs</c>: batches of log lines in, filtered lines out.</summary>
internal static class LogsApi
{
    public static void MapLogs(this IEndpointRouteBuilder api)
    {
        var logs = api.MapGroup("/logs").WithTags("Logs");
        logs.MapPost("/", CreateAsync).ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        logs.MapPost("/filter", FilterAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
    }

    private static async Task<Created> CreateAsync([FromBody] List<LogCreate> body, LogStore logs, ReeveDbContext db, HttpContext context, CancellationToken ct)
    {
        // A worker key limited to pools sends lines only of runs in its pools (the rule's RunInBody scope).
        await ApiCaller.Of(context).EnsureRunsAsync(db, body.Select(l => l.FlowRunId), ct);
        await logs.CreateAsync(body, ct);
        return TypedResults.Created();
    }

    private static async Task<Ok<IAsyncEnumerable<Log>>> FilterAsync([FromBody] LogFilterRequest? body, LogStore logs, CancellationToken ct) =>
        TypedResults.Ok(await logs.FilterAsync(body ?? new LogFilterRequest(), ct));
}
