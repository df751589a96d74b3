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
/// compared in constant time (the bootstrap key) or by their SHA-256 (the others, <see cref="ApiKeyChecker"/>), and
/// never written to a log. The UI's routes need the sign-in cookie instead (<see cref="UiSignIn"/>). Runs after
/// routing, so that it knows the endpoint.
/// </summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, ReeveServerOptions options, ApiKeyChecker checker)
{
    /// <summary>Each endpoint's rule, looked up once per method it takes (both are the server's own, so this stays small).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(RouteEndpoint Endpoint, string Method), ApiRule> _rules = new();

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (HealthApi.IsProbe(path))
        {
            await next(context);
            return;
        }

        if (!(path.StartsWithSegments("/api") || path.StartsWithSegments("/metrics")))
        {
            await UiAsync(context);
            return;
        }

        if (!checker.KeyRequired)
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
        var (caller, refusal) = token.Length == 0 ? (null, null) : await checker.CheckAsync(context, token);
        if (caller is null)
        {
            await RefuseAsync(context, StatusCodes.Status401Unauthorized, refusal ?? "The API key is not valid for this server.");
            return;
        }

        context.Features.Set(caller);
        context.RequestServices.GetRequiredService<Store>().MayOverrideLockedVariables =
            caller.Role is Core.Access.ApiRoles.Admin or Core.Access.ApiRoles.Platform;
        if (context.GetEndpoint() is RouteEndpoint endpoint
            && endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is { } methods
            && methods.HttpMethods.Contains(context.Request.Method, StringComparer.OrdinalIgnoreCase))
        {
            // Upper case, so that "gEt" and "GET" share one entry.
            var rule = _rules.GetOrAdd((endpoint, context.Request.Method.ToUpperInvariant()), static key =>
                ApiAccess.Find(key.Method, key.Endpoint.RoutePattern.RawText ?? "") ?? new ApiRule(ApiAccess.Roles.Admin));
            if ((rule.Allowed & ApiAccess.Flag(caller.Role)) == 0)
            {
                await RefuseAsync(context, StatusCodes.Status403Forbidden,
                    $"The API key '{caller.Name}' ({caller.Role}) may not {context.Request.Method} {path}: that needs {Describe(rule.Allowed)}.");
                return;
            }

            if (caller.IsPoolLimited)
            {
                try
                {
                    await CheckPoolAsync(context, caller, rule.Scope);
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

    /// <summary>
    /// Everything outside the API: the UI's pages, its WebSocket and its files. With a key required, only the
    /// sign-in page answers without the UI's cookie; a page is redirected to it, anything else is a 401.
    /// </summary>
    private async Task UiAsync(HttpContext context)
    {
        if (!checker.KeyRequired || UiSignIn.IsOpen(context.Request.Path))
        {
            await next(context);
            return;
        }

        if (options.Ui && await UiSignIn.FromCookieAsync(context, checker) is var (caller, key))
        {
            context.User = UiSignIn.Principal(caller, key);
            await next(context);
            return;
        }

        if (options.Ui && HttpMethods.IsGet(context.Request.Method) && IsPage(context.Request.Path))
        {
            UiSignIn.RedirectToSignIn(context);
            return;
        }

        await RefuseAsync(context, StatusCodes.Status401Unauthorized,
            options.Ui ? $"Sign in at {UiSignIn.Path} first." : "This server needs an API key.");
    }

    /// <summary>A route a person opens in the browser (not Blazor's connection or script).</summary>
    private static bool IsPage(PathString path) => !path.StartsWithSegments("/_blazor") && !path.StartsWithSegments("/_framework");

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
