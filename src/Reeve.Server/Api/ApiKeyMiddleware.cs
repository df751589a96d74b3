using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Reeve.Core.Errors;
using Reeve.Core.Json;
using Reeve.Server.Hosting;
using Reeve.Server.Storage;

namespace Reeve.Server.Api;

/// <summary>
/// When the server has an API key (<c>REEVE_SERVER_API_KEY</c>, the bootstrap admin key), every <c>/api</c> request
/// but the probes (<c>/api/health</c>, <c>/api/ready</c>), and a scrape of <c>/metrics</c>, must carry
/// <c>Authorization: Bearer &lt;key&gt;</c>: that key or one made with <c>POST /api/api_keys/</c>. Without one the
/// answer is 401; with a key whose role the endpoint's rule (<see cref="ApiAccess"/>) does not allow, 403. Keys are
/// compared in constant time (the bootstrap key) or by their SHA-256 (the others), and never written to a log.
/// Runs after routing, so that it knows the endpoint.
/// </summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, ReeveServerOptions options, ApiKeyCache cache, TimeProvider clock)
{
    private readonly byte[]? _bootstrap = string.IsNullOrEmpty(options.ApiKey) ? null : Encoding.UTF8.GetBytes(options.ApiKey);

    /// <summary>Each endpoint's rule, looked up once per method it takes (both are the server's own, so this stays small).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(RouteEndpoint Endpoint, string Method), ApiRule> _rules = new();

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (!(path.StartsWithSegments("/api") || path.StartsWithSegments("/metrics")) || HealthApi.IsProbe(path))
        {
            await next(context);
            return;
        }

        if (_bootstrap is null)
        {
            context.Features.Set(ApiCaller.Open);
            await next(context);
            return;
        }

        var header = context.Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            await RefuseAsync(context, StatusCodes.Status401Unauthorized,
                "This server needs an API key: send 'Authorization: Bearer <key>' (the CLI and SDK read REEVE_API_KEY).");
            return;
        }

        const string scheme = "Bearer ";
        var token = header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : "";
        var caller = token.Length == 0 ? null : await IdentifyAsync(context, token);
        if (caller is null)
        {
            await RefuseAsync(context, StatusCodes.Status401Unauthorized, "The API key is not valid for this server.");
            return;
        }

        if (caller.Expires is { } expires && expires <= clock.GetUtcNow())
        {
            await RefuseAsync(context, StatusCodes.Status401Unauthorized, $"The API key '{caller.Caller.Name}' expired at {expires:u}.");
            return;
        }

        context.Features.Set(caller.Caller);
        context.RequestServices.GetRequiredService<Store>().MayOverrideLockedVariables =
            caller.Caller.Role is Core.Access.ApiRoles.Admin or Core.Access.ApiRoles.Platform;
        if (context.GetEndpoint() is RouteEndpoint endpoint
            && endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is { } methods
            && methods.HttpMethods.Contains(context.Request.Method, StringComparer.OrdinalIgnoreCase))
        {
            // Upper case, so that "gEt" and "GET" share one entry.
            var rule = _rules.GetOrAdd((endpoint, context.Request.Method.ToUpperInvariant()), static key =>
                ApiAccess.Find(key.Method, key.Endpoint.RoutePattern.RawText ?? "") ?? new ApiRule(ApiAccess.Roles.Admin));
            if ((rule.Allowed & ApiAccess.Flag(caller.Caller.Role)) == 0)
            {
                await RefuseAsync(context, StatusCodes.Status403Forbidden,
                    $"The API key '{caller.Caller.Name}' ({caller.Caller.Role}) may not {context.Request.Method} {path}: that needs {Describe(rule.Allowed)}.");
                return;
            }

            if (caller.Caller.IsPoolLimited)
            {
                try
                {
                    await CheckPoolAsync(context, caller.Caller, rule.Scope);
                }
                catch (ReeveForbiddenException e)
                {
                    await RefuseAsync(context, StatusCodes.Status403Forbidden, e.Message);
                    return;
                }
            }
        }

        // Anything else (no such route, a method the route does not take) needs only a valid key, then answers 404 / 405.
        await next(context);
    }

    private sealed record Identified(ApiCaller Caller, DateTimeOffset? Expires);

    private async Task<Identified?> IdentifyAsync(HttpContext context, string token)
    {
        if (CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), _bootstrap))
        {
            return new Identified(ApiCaller.Bootstrap, null);
        }

        if (!token.StartsWith(ApiKeyStore.KeyPrefix, StringComparison.Ordinal) || token.Length > 100)
        {
            return null;
        }

        var hash = ApiKeyStore.Hash(token);
        if (!cache.TryGet(hash, out var key))
        {
            var found = await context.RequestServices.GetRequiredService<ApiKeyStore>().FindAsync(hash, context.RequestAborted);
            if (found is null)
            {
                return null;
            }

            cache.Keep(hash, found);
            key = found;
        }

        return new Identified(new ApiCaller(key.Name, key.Role, key.WorkPools), key.Expires);
    }

    private static async Task CheckPoolAsync(HttpContext context, ApiCaller caller, ApiAccess.PoolScope scope)
    {
        switch (scope)
        {
            case ApiAccess.PoolScope.PoolInRoute:
                caller.EnsurePool((context.Request.RouteValues["pool"] ?? context.Request.RouteValues["name"]) as string);
                break;
            case ApiAccess.PoolScope.RunInRoute when Guid.TryParse(context.Request.RouteValues["id"] as string, out var run):
                await caller.EnsureRunAsync(context.RequestServices.GetRequiredService<ReeveDbContext>(), run, context.RequestAborted);
                break;
            case ApiAccess.PoolScope.TaskRunInRoute when Guid.TryParse(context.Request.RouteValues["id"] as string, out var task):
                await caller.EnsureTaskRunAsync(context.RequestServices.GetRequiredService<ReeveDbContext>(), task, context.RequestAborted);
                break;
            case ApiAccess.PoolScope.AnyPool:
                caller.EnsurePool(null);
                break;
        }
    }

    private static string Describe(ApiAccess.Roles roles)
    {
        var names = Core.Access.ApiRoles.All.Where(r => (roles & ApiAccess.Flag(r)) != 0).ToList();
        return names.Count == 1 ? $"the {names[0]} role" : $"one of the roles {string.Join(", ", names)}";
    }

    private static Task RefuseAsync(HttpContext context, int status, string detail)
    {
        context.Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
        }

        ProblemDetails problem = Problems.Create(status, detail);
        return context.Response.WriteAsJsonAsync(problem, ReeveJson.Default, "application/problem+json");
    }
}
