using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Reeve.Server.Api;

/// <summary><c>GET /api/health</c>: 200 <c>true</c> while the server serves.</summary>
internal static class HealthApi
{
    public static void MapHealth(this IEndpointRouteBuilder api) =>
        api.MapGet("/health", () => TypedResults.Ok(true)).WithTags("Root").WithName("health");
}
