using Reeve.Client;

namespace Reeve.Ui;

/// <summary>
/// The UI's way to the data: the server's own REST API, at the address the server itself listens on (never one a
/// browser reports: a patched browser could otherwise make the server send requests elsewhere), with the API key the
/// user gave (kept for the browser session). Every page goes through the same API as any client. The connections to
/// the API are pooled across browser connections, so a page's first read does not open a new one.
/// </summary>
public sealed class UiApi(UiConnections connections) : IDisposable
{
    private ReeveClient? _client;
    private HttpClient? _http;

    /// <summary>The API key in use, if any.</summary>
    public string? ApiKey { get; private set; }

    /// <summary>The client of the API for this browser connection.</summary>
    public ReeveClient Client => _client ??= new ReeveClient(
        new ReeveClientOptions { ApiUrl = connections.ApiUrl ?? throw new InvalidOperationException("The server has not said where its API listens."), ApiKey = ApiKey },
        _http = new HttpClient(connections.Handler, disposeHandler: false));

    /// <summary>Uses <paramref name="apiKey"/> from now on.</summary>
    public void UseKey(string? apiKey)
    {
        ApiKey = string.IsNullOrWhiteSpace(apiKey) ? null : apiKey.Trim();
        Dispose();
        _client = null;
        _http = null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _client?.Dispose();
        _http?.Dispose();
    }
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
