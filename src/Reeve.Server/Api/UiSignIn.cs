using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Reeve.Ui;

namespace Reeve.Server.Api;

/// <summary>
/// The UI's door when the server asks for a key: a plain sign-in page takes the key, checks it as the API does, and
/// keeps it in a cookie (encrypted with the server's Data Protection keys, HTTP only, same-site strict, for the
/// browser session). Every other UI route, Blazor's WebSocket (<c>/_blazor</c>) included, needs that cookie: without
/// it a page is redirected here and anything else is a 401. The cookie is never taken by the API, which still wants
/// the key in its header (so a page on another site cannot use the cookie to call it).
/// </summary>
internal static class UiSignIn
{
    public const string CookieName = "reeve_ui_key";
    public const string Path = "/ui/sign-in";
    public const string SignOutPath = "/ui/sign-out";
    private const string Purpose = "Reeve.Ui.SignIn";
    private const int MaxFormBytes = 16 * 1024;

    /// <summary>What the UI may show without a key: the sign-in page itself and its stylesheet.</summary>
    public static bool IsOpen(PathString path) => path.Equals(Path) || path.Equals("/ui/reeve.css");

    /// <summary>The caller whose key the request's cookie holds, with the key; null when there is no valid cookie.</summary>
    public static async Task<(ApiCaller Caller, string Key)?> FromCookieAsync(HttpContext context, ApiKeyChecker checker)
    {
        if (!context.Request.Cookies.TryGetValue(CookieName, out var sealedKey) || sealedKey is not { Length: > 0 and < 1024 })
        {
            return null;
        }

        string key;
        try
        {
            key = Protector(context).Unprotect(sealedKey);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }

        var (caller, _) = await checker.CheckAsync(context, key);
        return caller is null ? null : (caller, key);
    }

    /// <summary>The identity the UI's components see (through Blazor's authentication state): the key's name, role and the key itself.</summary>
    public static ClaimsPrincipal Principal(ApiCaller caller, string key) => new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, caller.Name),
            new Claim(ClaimTypes.Role, caller.Role),
            new Claim(UiClaims.ApiKey, key),
        ],
        authenticationType: "ApiKey"));

    /// <summary>Where a browser that has no valid cookie is sent (back to <paramref name="context"/>'s page afterwards).</summary>
    public static void RedirectToSignIn(HttpContext context) =>
        context.Response.Redirect($"{Path}?return={Uri.EscapeDataString(context.Request.Path + context.Request.QueryString)}");

    /// <summary>Maps the sign-in page, its form and signing out.</summary>
    public static void MapUiSignIn(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, (HttpContext context) => Page(context.Request.Query["return"], error: null)).ExcludeFromDescription();
        app.MapPost(Path, SignInAsync).ExcludeFromDescription().DisableAntiforgery();
        app.MapPost(SignOutPath, (HttpContext context) =>
        {
            context.Response.Cookies.Delete(CookieName, CookieOptions(context));
            return Results.Redirect(Path, permanent: false, preserveMethod: false);
        }).ExcludeFromDescription().DisableAntiforgery();
    }

    private static async Task<IResult> SignInAsync(HttpContext context, ApiKeyChecker checker)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = MaxFormBytes;
        }

        if (!context.Request.HasFormContentType)
        {
            return Page(null, "Send the key from the sign-in form.", StatusCodes.Status415UnsupportedMediaType);
        }

        IFormCollection form;
        try
        {
            form = await context.Request.ReadFormAsync(context.RequestAborted);
        }
        catch (Exception e) when (e is InvalidDataException or Microsoft.AspNetCore.Http.BadHttpRequestException)
        {
            return Page(null, "The form was too large or malformed.", StatusCodes.Status400BadRequest);
        }

        var returnTo = form["return"].ToString();
        var key = form["key"].ToString().Trim();
        if (key.Length == 0)
        {
            return Page(returnTo, "Enter an API key.", StatusCodes.Status400BadRequest);
        }

        var (caller, refusal) = await checker.CheckAsync(context, key);
        if (caller is null)
        {
            return Page(returnTo, refusal ?? "The server refused this key.", StatusCodes.Status401Unauthorized);
        }

        context.Response.Cookies.Append(CookieName, Protector(context).Protect(key), CookieOptions(context));
        return Results.Redirect(LocalPath(returnTo), permanent: false, preserveMethod: false);
    }

    /// <summary>Only a path on this server (never <c>//elsewhere</c> or a full address): an open redirect otherwise.</summary>
    private static string LocalPath(string? returnTo) =>
        returnTo is { Length: > 0 and < 2048 } && returnTo[0] == '/' && !returnTo.StartsWith("//", StringComparison.Ordinal)
            && !returnTo.StartsWith("/\\", StringComparison.Ordinal) && !returnTo.Any(char.IsControl)
            ? returnTo
            : "/";

    private static CookieOptions CookieOptions(HttpContext context) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps,
        Path = "/",
        IsEssential = true,
    };

    private static IDataProtector Protector(HttpContext context) =>
        context.RequestServices.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose);

    private static IResult Page(string? returnTo, string? error, int status = StatusCodes.Status200OK)
    {
        var encoder = HtmlEncoder.Default;
        var message = error is null ? "" : $"""<p class="error" role="alert">{encoder.Encode(error)}</p>""";
        var html = $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
              <meta charset="utf-8" />
              <meta name="viewport" content="width=device-width, initial-scale=1" />
              <title>Sign in · Reeve</title>
              <link rel="icon" href="data:," />
              <link rel="stylesheet" href="/ui/reeve.css" />
            </head>
            <body>
              <main class="sign-in">
                <section class="panel narrow">
                  <h1>API key</h1>
                  <p>This Reeve server asks for an API key. It is kept for this browser session only.</p>
                  <form method="post" action="{{Path}}">
                    <input type="hidden" name="return" value="{{encoder.Encode(LocalPath(returnTo))}}" />
                    <label for="api-key">API key</label>
                    <input id="api-key" name="key" type="password" autocomplete="off" autofocus />
                    {{message}}
                    <button type="submit" class="primary">Continue</button>
                  </form>
                </section>
              </main>
            </body>
            </html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }
}
