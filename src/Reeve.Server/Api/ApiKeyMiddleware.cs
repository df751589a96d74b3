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
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(RouteEndpoint Endpoint, string Method), (ApiRule Rule, string Request)> _rules = new();

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

        ApiCaller caller;
        if (!checker.KeyRequired)
        {
            caller = ApiCaller.Open;
        }
        else
        {
            var header = context.Request.Headers.Authorization.ToString();
            if (header.Length == 0)
            {
                await RefuseAsync(context, StatusCodes.Status401Unauthorized,
                    "This server needs an API key: send 'Authorization: Bearer <key>' (the CLI and SDK read REEVE_API_KEY).");
                return;
            }

            const string scheme = "Bearer ";
            var token = header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : "";
            var (found, refusal) = token.Length == 0 ? (null, null) : await checker.CheckAsync(context, token);
            if (found is null)
            {
                await RefuseAsync(context, StatusCodes.Status401Unauthorized, refusal ?? "The API key is not valid for this server.");
                return;
            }

            caller = found;
            context.RequestServices.GetRequiredService<Store>().MayOverrideLockedVariables =
                caller.Role is Core.Access.ApiRoles.Admin or Core.Access.ApiRoles.Platform;
        }

        context.Features.Set(caller);
        if (context.GetEndpoint() is not RouteEndpoint endpoint
            || endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is not { } methods
            || !methods.HttpMethods.Contains(context.Request.Method, StringComparer.OrdinalIgnoreCase))
        {
            // Anything else (no such route, a method the route does not take) needs only a valid key, then answers 404 / 405.
            await next(context);
            return;
        }

        // Upper case, so that "gEt" and "GET" share one entry.
        var (rule, request) = _rules.GetOrAdd((endpoint, context.Request.Method.ToUpperInvariant()), static key =>
        {
            var request = ApiAccess.KeyOf(key.Method, key.Endpoint.RoutePattern.RawText ?? "");
            return (ApiAccess.Rules.TryGetValue(request, out var rule) ? rule : new ApiRule(ApiAccess.Roles.Admin), request);
        });
        if (checker.KeyRequired)
        {
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

        if (rule.Audit is { } action)
        {
            await AuditedAsync(context, caller, endpoint, action, rule.AuditWhenAsked, request);
        }
        else
        {
            await next(context);
        }
    }

    /// <summary>
    /// Runs a request whose rule has an audit action, and appends an entry when it succeeds, before its answer
    /// leaves (so that an answered change is recorded). The resource is what the route names and, for a create,
    /// the name and id of its answer (which is held back until then).
    /// </summary>
    private async Task AuditedAsync(HttpContext context, ApiCaller caller, RouteEndpoint endpoint, string action, bool whenAsked, string request)
    {
        var original = context.Response.Body;
        using var answer = action.EndsWith(".create", StringComparison.Ordinal) ? new MemoryStream() : null;
        if (answer is not null)
        {
            context.Response.Body = answer;
        }

        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }

        if (context.Response.StatusCode is >= 200 and < 300 && (!whenAsked || AuditNotes.Asked(context)))
        {
            var parameters = endpoint.RoutePattern.Parameters;
            var named = parameters.Count == 0 ? null
                : string.Join('/', parameters.Select(p => Convert.ToString(context.Request.RouteValues[p.Name], System.Globalization.CultureInfo.InvariantCulture)));
            var created = answer is null ? null : NameAndId(answer.GetBuffer().AsSpan(0, (int)answer.Length));
            var resource = AuditNotes.ResourceOf(context) ?? (named is null ? created : created is null ? named : $"{named}/{created}");

            // Not the request's token: a client that hangs up after its change was made does not take the entry with it.
            await context.RequestServices.GetRequiredService<AuditStore>().AppendAsync(caller.Name, caller.Role, action, resource, request, CancellationToken.None);
        }

        if (answer is not null)
        {
            answer.Position = 0;
            await answer.CopyToAsync(original, context.RequestAborted);
        }
    }

    /// <summary>The top-level <c>name</c> and <c>id</c> of a JSON answer (<c>prod (9f…)</c>), reading nothing else of it.</summary>
    private static string? NameAndId(ReadOnlySpan<byte> json)
    {
        string? name = null, id = null;
        try
        {
            var reader = new System.Text.Json.Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != System.Text.Json.JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.PropertyName)
            {
                var isName = reader.ValueTextEquals("name"u8);
                var isId = reader.ValueTextEquals("id"u8);
                reader.Read();
                if (reader.TokenType == System.Text.Json.JsonTokenType.String && (isName || isId))
                {
                    if (isName) name = reader.GetString(); else id = reader.GetString();
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Not JSON: the entry has no resource.
        }

        return name is null ? id : id is null ? name : $"{name} ({id})";
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
