using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Reeve.Client;
using Reeve.Server.Hosting;

namespace Reeve.Testing;

/// <summary>A real Reeve server on 127.0.0.1 and a port chosen at start, over a fresh database.</summary>
public sealed class RunningServer : IAsyncDisposable
{
    private readonly TestDatabase _database;

    private RunningServer(ReeveServer server, TestDatabase database, FakeTimeProvider? clock)
    {
        Server = server;
        _database = database;
        _clock = clock;
        Http = new HttpClient { BaseAddress = new Uri(server.ApiUrl + "/") };
        if (server.Options.ApiKey is { } key)
        {
            Http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }

        Client = new ReeveClient(new ReeveClientOptions { ApiUrl = server.ApiUrl, ApiKey = server.Options.ApiKey });
    }

    public ReeveServer Server { get; }

    /// <summary>The server's clock: starts at the real time and moves only when a test advances it.</summary>
    public FakeTimeProvider Clock => _clock ?? throw new InvalidOperationException("This server runs on the real clock.");

    private readonly FakeTimeProvider? _clock;

    /// <summary>The API's address, <c>http://127.0.0.1:PORT/api</c>.</summary>
    public string ApiUrl => Server.ApiUrl;

    /// <summary>A raw HTTP client whose base address is the API (<c>work_pools/</c> is a valid relative path).</summary>
    public HttpClient Http { get; }

    public ReeveClient Client { get; }

    public TestStorage Storage { get; private init; }

    /// <summary>The server's error lines so far (the exceptions behind any 500).</summary>
    public CollectedLogs Logs { get; private init; } = new();

    /// <summary>
    /// Starts a server. With <paramref name="realClock"/>, it keeps real time: for tests where processes (engines,
    /// workers) on the real clock talk to it.
    /// </summary>
    public static async Task<RunningServer> StartAsync(TestStorage storage, string? apiKey = null, bool realClock = false,
        Func<ReeveServerOptions, ReeveServerOptions>? configure = null)
    {
        var database = await TestDatabase.CreateAsync(storage);
        var clock = realClock ? null : new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        var logs = new CollectedLogs();
        var options = new ReeveServerOptions
        {
            Port = 0,
            Storage = database.Options,
            ApiKey = apiKey,
            Clock = (TimeProvider?)clock ?? TimeProvider.System,
            LogLevel = LogLevel.Warning,
            ExtraLogger = logs,

            // On a fake clock, tests run the background loops' passes themselves; on the real one they look often.
            ForemanInterval = realClock ? TimeSpan.FromMilliseconds(250) : Timeout.InfiniteTimeSpan,
            SchedulerInterval = realClock ? TimeSpan.FromSeconds(5) : Timeout.InfiniteTimeSpan,
            LateRunsInterval = realClock ? TimeSpan.FromSeconds(1) : Timeout.InfiniteTimeSpan,
        };
        var server = ReeveServer.Create(configure?.Invoke(options) ?? options);
        try
        {
            await server.StartAsync();
        }
        catch
        {
            await server.DisposeAsync();
            await database.DisposeAsync();
            throw;
        }

        return new RunningServer(server, database, clock) { Storage = storage, Logs = logs };
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Http.Dispose();
        await Server.StopAsync();
        await Server.DisposeAsync();
        await _database.DisposeAsync();
    }
}
