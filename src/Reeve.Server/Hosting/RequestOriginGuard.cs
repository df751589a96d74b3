using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Reeve.Core.Json;
using Reeve.Server.Api;

namespace Reeve.Server.Hosting;

/// <summary>
/// Keeps web pages a user visits from driving a server on their machine. A request must be addressed to one of the
/// server's host names (<see cref="ReeveServerOptions.AllowedHosts"/>: DNS rebinding); a request a browser sends from
/// another origin is refused (cross-site requests, the UI's WebSocket included); and every write to the API is JSON
/// (<c>Content-Type: application/json</c>), which a browser cannot send across sites without asking first. A write
/// with no body and no content type is still accepted from programs (Prefect's client sends those) but not from a
/// browser (which says so in <c>Sec-Fetch-Site</c> or <c>Origin</c>).
/// </summary>
internal sealed class RequestOriginGuard(RequestDelegate next, ReeveServerOptions options)
{
    private static readonly string[] LoopbackHosts = ["localhost", "127.0.0.1", "::1", "[::1]"];

    private readonly HashSet<string>? _hosts = HostsOf(options);

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var host = request.Host.Host;
        if (_hosts is not null && !_hosts.Contains(host))
        {
            return RefuseAsync(context, StatusCodes.Status421MisdirectedRequest,
                $"This server does not answer to the host name '{Shorten(host)}' (REEVE_SERVER_ALLOWED_HOSTS lists the names it answers to).");
        }

        if (request.Headers.Origin is { Count: > 0 } origin && !SameOrAllowedOrigin(origin.ToString(), request))
        {
            return RefuseAsync(context, StatusCodes.Status403Forbidden,
                $"Requests from the web page at '{Shorten(origin.ToString())}' are refused: this server answers its own pages and programs, not other sites.");
        }

        if (IsWrite(request.Method) && request.Path.StartsWithSegments("/api"))
        {
            if (request.ContentType is { } type)
            {
                if (!IsJson(type))
                {
                    return RefuseAsync(context, StatusCodes.Status415UnsupportedMediaType, "The request body must be JSON (Content-Type: application/json).");
                }
            }
            else if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
            {
                return RefuseAsync(context, StatusCodes.Status415UnsupportedMediaType, "The request body must be JSON (Content-Type: application/json).");
            }
            else if (request.Headers["Sec-Fetch-Site"] is { Count: > 0 } site && site.ToString() is not ("same-origin" or "none"))
            {
                return RefuseAsync(context, StatusCodes.Status403Forbidden, "Writes from other sites are refused; send Content-Type: application/json.");
            }
        }

        return next(context);
    }

    private bool SameOrAllowedOrigin(string origin, HttpRequest request)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri))
        {
            return false; // "null" (a sandboxed frame, a file) or garbage
        }

        var authority = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}";
        return string.Equals(authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)
            || (options.AllowedHosts?.Contains(origin.TrimEnd('/'), StringComparer.OrdinalIgnoreCase) ?? false);
    }

    private static HashSet<string>? HostsOf(ReeveServerOptions options)
    {
        var hosts = options.AllowedHosts;
        if (hosts is null)
        {
            var listen = options.Host.Trim('[', ']');
            var loopback = listen == "localhost" || (IPAddress.TryParse(listen, out var address) && IPAddress.IsLoopback(address));
            hosts = loopback ? LoopbackHosts : null;
        }

        return hosts is null || hosts.Contains("*") ? null : new HashSet<string>(hosts.Select(h => h.Trim()), StringComparer.OrdinalIgnoreCase);
    }

    private static bool IsWrite(string method) => HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);

    private static bool IsJson(string contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));

    private static string Shorten(string text) => text.Length <= 100 ? text : text[..100] + "…";

    private static Task RefuseAsync(HttpContext context, int status, string detail)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(Problems.Create(status, detail), ReeveJson.Default, "application/problem+json");
    }
}
