using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Reeve.Core.Json;

namespace Reeve.Client;

/// <summary>
/// A typed client for Reeve's REST API. One instance per server is enough: it is thread-safe and keeps
/// its connections open. Every method throws <see cref="ReeveApiException"/> when the server refuses the
/// request and <see cref="ReeveServerUnavailableException"/> when no server answers.
/// </summary>
public sealed partial class ReeveClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly HttpClient _streams;
    private readonly bool _ownsHttp;

    /// <summary>Creates a client for the server <paramref name="options"/> names.</summary>
    /// <param name="options">Where the server is and how to authenticate.</param>
    /// <param name="http">An HttpClient to use (its base address is replaced); one is made when null.</param>
    public ReeveClient(ReeveClientOptions options, HttpClient? http = null)
    {
        Options = options;
        _ownsHttp = http is null;
        _http = http ?? new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1) });
        _http.BaseAddress = new Uri(options.ApiUrl.TrimEnd('/') + "/");
        _http.Timeout = options.Timeout;
        if (!string.IsNullOrEmpty(options.ApiKey))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
        }

        // Event streams stay open for as long as their reader wants: they get a client without the request timeout.
        _streams = new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1) })
        {
            BaseAddress = _http.BaseAddress,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _streams.DefaultRequestHeaders.Authorization = _http.DefaultRequestHeaders.Authorization;
    }

    /// <summary>Creates a client from the environment and the profile (see <see cref="ReeveSettings"/>).</summary>
    public static ReeveClient FromSettings() => new(ReeveClientOptions.FromSettings());

    /// <summary>The options the client was made with.</summary>
    public ReeveClientOptions Options { get; }

    /// <summary>Whether the server answers its health check.</summary>
    public async Task<bool> HealthAsync(CancellationToken cancellationToken = default) =>
        await SendAsync<bool>(HttpMethod.Get, "health", null, cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        _streams.Dispose();
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    internal static string Segment(string value) => Uri.EscapeDataString(value);

    internal async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var response = await SendCoreAsync(method, path, body, cancellationToken);
        return (await response.Content.ReadFromJsonAsync<T>(ReeveJson.Default, cancellationToken))!;
    }

    internal async Task SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var response = await SendCoreAsync(method, path, body, cancellationToken);
    }

    /// <summary>
    /// How many times a request the server answered 503 (its database too busy; nothing written) is sent again,
    /// after the pause its Retry-After asks for (at most 10 s), as Prefect's client does for 503 and 429.
    /// </summary>
    private const int BusyRetries = 5;

    private async Task<HttpResponseMessage> SendCoreAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, path);
            if (body is not null)
            {
                request.Content = JsonContent.Create(body, body.GetType(), options: ReeveJson.Default);
            }

            try
            {
                response = await _http.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException e) when (e.InnerException is SocketException || e.HttpRequestError == HttpRequestError.ConnectionError)
            {
                throw ReeveServerUnavailableException.At(Options.ApiUrl, e);
            }

            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == BusyRetries)
            {
                break;
            }

            var pause = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
            response.Dispose();
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds, 10_000) + Random.Shared.Next(0, 250)), cancellationToken);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await ToExceptionAsync(response, cancellationToken);
        }
    }

    internal static async Task<ReeveApiException> ToExceptionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        string? detail = null;
        string? field = null;
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("detail", out var d))
                {
                    detail = d.ValueKind == JsonValueKind.String ? d.GetString() : d.GetRawText();
                }

                if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
                {
                    field = errors.EnumerateObject().Select(p => p.Name).FirstOrDefault();
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's page, say); the raw text is the best detail there is.
        }

        detail ??= text.Length > 0 ? text : $"{(int)response.StatusCode} {response.ReasonPhrase}";
        if (response.StatusCode == HttpStatusCode.Unauthorized && !detail.Contains("REEVE_API_KEY", StringComparison.Ordinal))
        {
            detail += " Set REEVE_API_KEY to the server's key.";
        }

        return new ReeveApiException(response.StatusCode, detail, field);
    }
}
