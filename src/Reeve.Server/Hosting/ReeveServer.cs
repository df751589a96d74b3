using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Reeve.Core.Json;
using Reeve.Server.Api;
using Reeve.Server.Storage;
using Reeve.Ui;

namespace Reeve.Server.Hosting;

/// <summary>
/// A Reeve server: the REST API under <c>/api</c> over the chosen storage. Start it with
/// <see cref="StartAsync"/>, stop it with <see cref="StopAsync"/> (or SIGTERM / Ctrl+C when run by the CLI).
/// </summary>
public sealed class ReeveServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private readonly StorageReady _storage;

    private ReeveServer(WebApplication app, ReeveServerOptions options, StorageReady storage)
    {
        _app = app;
        _storage = storage;
        Options = options;
    }

    /// <summary>The options the server was built with.</summary>
    public ReeveServerOptions Options { get; }

    /// <summary>The server's services, for hosts and tests.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>The addresses the server listens on, known once started (e.g. <c>http://127.0.0.1:4200</c>).</summary>
    public IReadOnlyList<string> Urls =>
        _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    /// <summary>The first address with <c>/api</c> appended: what clients set as <c>REEVE_API_URL</c>.</summary>
    public string ApiUrl => Urls[0].TrimEnd('/') + "/api";

    /// <summary>Builds a server; nothing listens until <see cref="StartAsync"/>.</summary>
    public static ReeveServer Create(ReeveServerOptions options)
    {
        // Reeve reads no appsettings files; watching them for changes would cost a file-system watch per write.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = ApiLimits.MaxRequestBodyBytes;
            kestrel.AddServerHeader = false;
        });
        builder.WebHost.UseUrls($"http://{FormatHost(options.Host)}:{options.Port}");
        builder.Logging.ClearProviders();
        if (options.LogFormat == LogFormat.Json)
        {
            builder.Logging.AddJsonConsole(json =>
            {
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                json.UseUtcTimestamp = true;
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss.fff ";
            });
        }
        if (options.ExtraLogger is { } extra)
        {
            builder.Logging.AddProvider(extra);
        }

        builder.Logging.SetMinimumLevel(options.LogLevel);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Critical);
        if (Environment.GetEnvironmentVariable("REEVE_LOG_SQL") == "1")
        {
            // For developers: every SQL command with its duration (see DEVELOPERS.md).
            builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.Information);
        }

        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);

        // A failure to start (a port in use) reaches the caller as an exception, which says it in one line; the host's
        // own log line would repeat it with a 3 KB stack trace first.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(options.Clock);
        builder.Services.AddReeveStorage(options.Storage);
        AddKeyRing(builder, options.Storage);
        builder.Services.AddSingleton<Events.RunEventHub>();
        builder.Services.AddSingleton<Api.ApiKeyCache>();
        builder.Services.AddSingleton<Api.ApiKeyChecker>();
        var storageReady = new StorageReady();
        builder.Services.AddSingleton(storageReady);
        builder.Services.AddSingleton<Services.ScheduleChanges>();
        builder.Services.AddHostedService<Services.Foreman>();
        builder.Services.AddHostedService<Services.Scheduler>();
        builder.Services.AddHostedService<Services.LateRunWatch>();
        builder.Services.AddSingleton<Telemetry.RunCounts>();
        builder.Services.AddSingleton<Telemetry.ReeveMetrics>();
        if (options.Telemetry.Enabled)
        {
            Telemetry.TelemetrySetup.Add(builder.Services, options.Telemetry);
        }
        builder.Services.Configure<JsonOptions>(json => ReeveJson.Configure(json.SerializerOptions, strict: true));
        builder.Services.Configure<RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = true);
        builder.Services.AddProblemDetails();
        if (options.Ui)
        {
            builder.Services.AddReeveUi(Api.ApiAccess.Allows);
        }

        builder.Services.AddOpenApi(openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Reeve";
            document.Info.Description = "Reeve's REST API: Prefect 3's paths and fields for work pools, queues and workers.";
            return Task.CompletedTask;
        }));

        if (options.Storage.KeysFolder() is null)
        {
            // Data Protection reads its key ring when the host starts, while the database may still be migrating (the two
            // overlap, see StartAsync): with the ring in the database it is read at its first use instead, by a request,
            // once the storage is open. Removed last, as every AddDataProtection (the UI's too) adds it again.
            foreach (var warmUp in builder.Services.Where(d => d.ServiceType == typeof(Microsoft.Extensions.Hosting.IHostedService)
                && d.ImplementationType?.Name == "DataProtectionHostedService").ToList())
            {
                builder.Services.Remove(warmUp);
            }
        }

        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            // Requests that arrive while the database is being opened wait for it rather than fail; the probes
            // answer at once (alive; not ready yet).
            if (!HealthApi.IsProbe(context.Request.Path))
            {
                await storageReady.Opened.Task.WaitAsync(context.RequestAborted);
            }

            await next(context);
        });
        app.UseMiddleware<RequestOriginGuard>();
        app.UseMiddleware<ApiErrorMiddleware>();

        // Routing first: the key's check needs the endpoint's rule.
        app.UseRouting();
        app.UseMiddleware<ApiKeyMiddleware>();
        app.MapReeveApi();
        if (options.Telemetry.Prometheus)
        {
            app.MapPrometheusScrapingEndpoint("/metrics");
        }
        if (options.Ui)
        {
            app.UseAntiforgery();
            app.MapUiSignIn();
            app.MapReeveUi();
        }

        return new ReeveServer(app, options, storageReady);
    }

    /// <summary>
    /// Opens the storage (applying migrations) while it starts listening, and completes when both are done.
    /// The two overlap because each costs a few hundred milliseconds of CPU at start.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        var migrate = Task.Run(async () =>
        {
            await StorageRegistration.MigrateAsync(_app.Services, cancellationToken);

            // What starts with the host and needs the tables (the key ring on PostgreSQL) waits for this, not for Opened.
            _storage.Migrated.TrySetResult();
        }, cancellationToken);
        try
        {
            await _app.StartAsync(cancellationToken);
        }
        catch
        {
            await migrate.ContinueWith(_ => { }, TaskScheduler.Default);
            throw;
        }

        if (_app.Services.GetService<Reeve.Ui.UiConnections>() is { } ui)
        {
            ui.ApiUrl = LocalApiUrl(Urls[0]);
        }

        try
        {
            await migrate;
            _storage.Opened.TrySetResult();
        }
        catch (Exception e)
        {
            _storage.Opened.TrySetException(e);
            _storage.Migrated.TrySetException(e);
            await _app.StopAsync(CancellationToken.None);
            throw;
        }
    }

    /// <summary>Stops listening, letting requests in flight finish.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    /// <summary>Completes when the host is asked to stop (SIGTERM, Ctrl+C or <see cref="StopAsync"/>).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default)
    {
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _app.Lifetime.ApplicationStopping.Register(() => stopping.TrySetResult());
        return stopping.Task.WaitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    /// <summary>The API's address as a process on this machine reaches it: a wildcard listen address becomes loopback.</summary>
    internal static string LocalApiUrl(string listening)
    {
        var uri = new UriBuilder(listening);
        uri.Host = uri.Host switch
        {
            "0.0.0.0" or "+" or "*" => "127.0.0.1",
            "[::]" or "::" => "[::1]",
            var host => host,
        };
        return uri.Uri.ToString().TrimEnd('/') + "/api";
    }

    /// <summary>
    /// The key ring that encrypts credentials' secrets (ASP.NET Core Data Protection; keys made as needed, each used
    /// 90 days to encrypt and kept to decrypt): on SQLite in the folder <c>keys</c> beside the database file, readable by
    /// the server's user only; on PostgreSQL in the database, so that every replica shares it.
    /// </summary>
    private static void AddKeyRing(WebApplicationBuilder builder, Storage.StorageOptions storage)
    {
        var keys = builder.Services.AddDataProtection().SetApplicationName("Reeve");
        if (storage.KeysFolder() is { } folder)
        {
            var directory = Directory.CreateDirectory(folder);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(directory.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            keys.PersistKeysToFileSystem(directory);
        }
        else
        {
            builder.Services.AddSingleton<Microsoft.Extensions.Options.IConfigureOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>>(services =>
                new Microsoft.Extensions.Options.ConfigureOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>(o =>
                    o.XmlRepository = new Storage.DatabaseXmlRepository(services.GetRequiredService<IServiceScopeFactory>(), services.GetRequiredService<StorageReady>())));

        }

        // Data Protection warns that keys are stored unencrypted: the folder's permissions (or the database's) guard them.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
    }

    [SuppressMessage("Globalization", "CA1307", Justification = "An address, not text.")]
    private static string FormatHost(string host) => host.Contains(':') && !host.StartsWith('[') ? $"[{host}]" : host;
}

/// <summary>Completes once the storage is open and migrated: requests and background loops wait for it.</summary>
internal sealed class StorageReady
{
    public TaskCompletionSource Opened { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the database is migrated, possibly before the host has started listening.</summary>
    public TaskCompletionSource Migrated { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
