using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Reeve.Core.Json;
using Reeve.Server.Hosting;

namespace Reeve.Server.Api;

/// <summary>
/// When the server has an API key, every <c>/api</c> request but the probes (<c>/api/health</c>, <c>/api/ready</c>),
/// and a scrape of <c>/metrics</c>, must carry
/// <c>Authorization: Bearer &lt;key&gt;</c>; others are answered 401. The key is compared in constant
/// time and never written to a log.
/// </summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, ReeveServerOptions options)
{
    private readonly byte[]? _key = string.IsNullOrEmpty(options.ApiKey) ? null : Encoding.UTF8.GetBytes(options.ApiKey);

    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (_key is null || !(path.StartsWithSegments("/api") || path.StartsWithSegments("/metrics")) || HealthApi.IsProbe(path))
        {
            return next(context);
        }

        var header = context.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim()), _key))
        {
            return next(context);
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        ProblemDetails problem = Problems.Create(StatusCodes.Status401Unauthorized,
            header.Length == 0
                ? "This server needs an API key: send 'Authorization: Bearer <key>' (the CLI and SDK read REEVE_API_KEY)."
                : "The API key is not valid for this server.");
        return context.Response.WriteAsJsonAsync(problem, ReeveJson.Default, "application/problem+json");
    }
}
