using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Reeve.Core.Audit;
using Reeve.Server.Storage;

namespace Reeve.Server.Api;

/// <summary><c>GET /api/audit</c>: who changed what, newest first, for admins. There is no way to change or delete an entry.</summary>
internal static class AuditApi
{
    public static void MapAudit(this IEndpointRouteBuilder api)
    {
        api.MapGet("/audit", ListAsync).WithTags("Audit").ProducesProblem(StatusCodes.Status422UnprocessableEntity);
    }

    private static async Task<Ok<IReadOnlyList<AuditEvent>>> ListAsync(
        AuditStore audit, CancellationToken ct, [FromQuery] int? limit = null, [FromQuery] int offset = 0,
        [FromQuery] string? actor = null, [FromQuery] string? action = null, [FromQuery] DateTimeOffset? since = null) =>
        TypedResults.Ok(await audit.FilterAsync(new AuditFilterRequest { Limit = limit, Offset = offset, Actor = actor, Action = action, Since = since }, ct));
}

/// <summary>
/// What an endpoint tells the audit, when its rule (<see cref="ApiAccess"/>) has an action: the resource when the
/// route does not name it, or, on an endpoint audited only when it asks (<see cref="ApiRule.AuditWhenAsked"/>), that
/// this answer is worth recording (a cancellation among the engine's every state).
/// </summary>
internal static class AuditNotes
{
    private const string ResourceItem = "reeve.audit.resource";
    private const string AskItem = "reeve.audit.ask";

    public static void Resource(HttpContext context, string resource) => context.Items[ResourceItem] = resource;

    public static void Ask(HttpContext context) => context.Items[AskItem] = true;

    public static string? ResourceOf(HttpContext context) => context.Items.TryGetValue(ResourceItem, out var r) ? r as string : null;

    public static bool Asked(HttpContext context) => context.Items.ContainsKey(AskItem);
}
