using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Reeve.Testing;

/// <summary>
/// A real HTTP server on a loopback port that answers fixed bodies by path — the stand-in for an outside API
/// (such as GitHub's) that tests cannot reach. Unknown paths answer 404. It counts the requests it served.
/// </summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, (string Body, string ContentType)> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _hanging = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TimeSpan> _delays = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _busy = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<byte[]>> _recorded = new(StringComparer.Ordinal);
    private int _requests;

    private LoopbackHttpServer(WebApplication app) => _app = app;

    /// <summary>Its base URL, <c>http://127.0.0.1:PORT</c>.</summary>
    public string Url { get; private init; } = "";

    /// <summary>How many requests it answered.</summary>
    public int Requests => Volatile.Read(ref _requests);

    public static async Task<LoopbackHttpServer> StartAsync()
    {
        LoopbackHttpServer? server = null;
        var (app, url) = await StartAppAsync(context => server!.AnswerAsync(context));
        server = new LoopbackHttpServer(app) { Url = url };
        return server;
    }

    /// <summary>A bare web app on a loopback port chosen now, answering every request with <paramref name="answer"/>; and its base URL.</summary>
    internal static async Task<(WebApplication App, string Url)> StartAppAsync(RequestDelegate answer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(answer);
        await app.StartAsync();
        return (app, app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
    }

    /// <summary>Answers GET <paramref name="path"/> with <paramref name="json"/>.</summary>
    public void MapJson(string path, string json) => _routes[path] = (json, "application/json; charset=utf-8");

    /// <summary>Never answers GET <paramref name="path"/>: holds the request until the client gives up (a service that hangs).</summary>
    public void MapHang(string path) => _hanging[path] = true;

    /// <summary>Answers GET <paramref name="path"/> with <paramref name="json"/> after <paramref name="delay"/> (a slow service).</summary>
    public void MapSlowJson(string path, string json, TimeSpan delay)
    {
        _delays[path] = delay;
        MapJson(path, json);
    }

    /// <summary>Answers <paramref name="path"/> with 503 and <c>Retry-After: 0</c> <paramref name="times"/> times, then with <paramref name="json"/> (a busy server).</summary>
    public void MapBusyThenJson(string path, int times, string json)
    {
        _busy[path] = times;
        MapJson(path, json);
    }

    /// <summary>Answers every request to <paramref name="path"/> with an empty 200 and keeps its body (a collector, such as OTLP's).</summary>
    public void Record(string path) => _recorded[path] = new ConcurrentQueue<byte[]>();

    /// <summary>The bodies received at a path given to <see cref="Record"/>.</summary>
    public IReadOnlyCollection<byte[]> Received(string path) => _recorded.TryGetValue(path, out var bodies) ? bodies : [];

    private async Task AnswerAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        var path = context.Request.Path.Value ?? "/";
        if (_recorded.TryGetValue(path, out var bodies))
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            bodies.Enqueue(body.ToArray());
            context.Response.StatusCode = StatusCodes.Status200OK;
            return;
        }

        if (_busy.TryGetValue(path, out var left) && left > 0 && _busy.TryUpdate(path, left - 1, left))
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "0";
            return;
        }

        if (_delays.TryGetValue(context.Request.Path.Value ?? "/", out var delay))
        {
            await Task.Delay(delay, context.RequestAborted);
        }

        if (_hanging.ContainsKey(context.Request.Path.Value ?? "/"))
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return;
        }

        if (!_routes.TryGetValue(context.Request.Path.Value ?? "/", out var route))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        context.Response.ContentType = route.ContentType;
        await context.Response.WriteAsync(route.Body);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
