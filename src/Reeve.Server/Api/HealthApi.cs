using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Reeve.Server.Hosting;
using Reeve.Server.Storage;

namespace Reeve.Server.Api;

/// <summary>
/// The probes: <c>GET /api/health</c> (liveness: 200 <c>true</c> while the process serves, even before its database
/// is open) and <c>GET /api/ready</c> (readiness: 200 once the database is open and migrated and answers now; 503
/// saying why otherwise). Neither needs the API key, and neither waits for the database to open. Also Prefect's
/// <c>GET /api/hello</c> and <c>GET /api/csrf-token</c>, which do need the key.
/// </summary>
internal static class HealthApi
{
    public static void MapHealth(this IEndpointRouteBuilder api)
    {
        api.MapGet("/health", () => TypedResults.Ok(true)).WithTags("Root").WithName("health");
        api.MapGet("/ready", ReadyAsync).WithTags("Root").WithName("ready").ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        // Prefect's too: its clients say hello to find out whether a server answers (server/api/root.py), and its UI asks
        // for a CSRF token, which a server without CSRF protection refuses with 422 (server/api/csrf_token.py).
        api.MapGet("/hello", () => TypedResults.Ok("\U0001F44B")).WithTags("Root").WithName("hello");
        api.MapGet("/csrf-token", CsrfToken).WithTags("Root").WithName("csrf-token").ProducesProblem(StatusCodes.Status422UnprocessableEntity);
    }

    private static ProblemHttpResult CsrfToken(string? client) => TypedResults.Problem(string.IsNullOrEmpty(client)
        ? Problems.Create(StatusCodes.Status422UnprocessableEntity, "client: the client to create a CSRF token for is required.", "client")
        : Problems.Create(StatusCodes.Status422UnprocessableEntity, "CSRF protection is disabled."));

    /// <summary>Whether the path is one of the probes.</summary>
    public static bool IsProbe(PathString path) =>
        path.Equals("/api/health", StringComparison.OrdinalIgnoreCase) || path.Equals("/api/ready", StringComparison.OrdinalIgnoreCase);

    private static async Task<Results<Ok<bool>, ProblemHttpResult>> ReadyAsync(StorageReady storage, ReeveDbContext db, CancellationToken ct)
    {
        var opened = storage.Opened.Task;
        if (!opened.IsCompleted)
        {
            return NotReady("The database is being opened and migrated.");
        }

        if (opened.IsFaulted)
        {
            return NotReady($"The database could not be opened: {opened.Exception!.GetBaseException().Message}");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            return await db.Database.CanConnectAsync(timeout.Token) ? TypedResults.Ok(true) : NotReady("The database does not answer.");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return NotReady("The database did not answer within 5 s.");
        }
    }

    private static ProblemHttpResult NotReady(string detail) =>
        TypedResults.Problem(Problems.Create(StatusCodes.Status503ServiceUnavailable, detail));
}
