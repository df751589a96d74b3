using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Reeve.Client;

namespace Reeve.Ui;

/// <summary>
/// The UI's way to the data: the server's own REST API, at the address the server itself listens on (never one a
/// browser reports: a patched browser could otherwise make the server send requests elsewhere), with the API key the
/// user signed in with (the server puts it in the browser connection's identity; it never reaches the page). Every
/// page goes through the same API as any client, so the key's role decides what a page may do; <see cref="May"/>
/// lets a page leave out what the role may not. The connections to the API are pooled across browser connections.
/// </summary>
public sealed class UiApi(UiConnections connections, UiSettings settings, AuthenticationStateProvider authentication) : IDisposable
{
    private ReeveClient? _client;
    private HttpClient? _http;
    private ClaimsPrincipal? _user;

    /// <summary>Who signed in: the key's name (null on a server that asks for no key).</summary>
    public string? KeyName => User.Identity?.IsAuthenticated == true ? User.Identity.Name : null;

    /// <summary>The key's role (<c>admin</c> on a server that asks for no key: anyone who reaches it may do everything).</summary>
    public string Role => User.FindFirst(ClaimTypes.Role)?.Value ?? "admin";

    /// <summary>The client of the API for this browser connection.</summary>
    public ReeveClient Client => _client ??= new ReeveClient(
        new ReeveClientOptions
        {
            ApiUrl = connections.ApiUrl ?? throw new InvalidOperationException("The server has not said where its API listens."),
            ApiKey = User.FindFirst(UiClaims.ApiKey)?.Value,
        },
        _http = new HttpClient(connections.Handler, disposeHandler: false));

    /// <summary>Whether the key's role may call <paramref name="method"/> on <paramref name="route"/> (as the API's rule table writes it, e.g. <c>PATCH /api/work_pools/{name}</c>).</summary>
    public bool May(string method, string route) => settings.Allows?.Invoke(method, route, Role) ?? true;

    /// <summary>The browser connection's identity, set by the server when the connection opened (nobody outside a connection).</summary>
    private ClaimsPrincipal User => _user ??= IdentityOfConnection() ?? new ClaimsPrincipal();

    private ClaimsPrincipal? IdentityOfConnection()
    {
        try
        {
            return authentication.GetAuthenticationStateAsync() is { IsCompletedSuccessfully: true } state ? state.Result.User : null;
        }
        catch (InvalidOperationException)
        {
            // Blazor sets the identity when a connection opens; a UiApi made outside one has none.
            return null;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _client?.Dispose();
        _http?.Dispose();
    }
}

/// <summary>The claims the server gives a signed-in browser connection.</summary>
public static class UiClaims
{
    /// <summary>The API key itself, which the UI's client sends to the API.</summary>
    public const string ApiKey = "reeve:api_key";
}

/// <summary>The pool of connections the UI's clients share to reach the API (one per server).</summary>
public sealed class UiConnections : IDisposable
{
    /// <summary>The shared handler; each browser connection's client wraps it without owning it.</summary>
    internal SocketsHttpHandler Handler { get; } = new() { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1) };

    /// <summary>The API's address on this machine (<c>http://127.0.0.1:4200/api</c>), set by the server once it listens.</summary>
    public string? ApiUrl { get; set; }

    /// <inheritdoc />
    public void Dispose() => Handler.Dispose();
}
