using System.CommandLine;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Reeve.Server.Hosting;
using Reeve.Server.Storage;
using Spectre.Console;

namespace Reeve.Cli.Commands;

/// <summary><c>reeve server start</c> and <c>reeve server health</c>.</summary>
internal static class ServerCommands
{
    public static Command Build(CliContext context)
    {
        var server = new Command("server", "Run the Reeve server.");
        server.Subcommands.Add(Start(context));
        server.Subcommands.Add(Health(context));
        return server;
    }

    /// <summary><c>reeve server health</c>: the server at REEVE_API_URL answers its health check (the server image's HEALTHCHECK).</summary>
    private static Command Health(CliContext context)
    {
        var command = new Command("health", "Check that the server at REEVE_API_URL answers /api/health: exit 0 when it does, 1 (with one line) when not.");
        command.SetAction(async (_, ct) =>
        {
            using var client = context.CreateClient();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            try
            {
                await client.HealthAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new CliException($"The Reeve server at {client.Options.ApiUrl} did not answer its health check within 5 s.");
            }

            context.WriteLine($"The Reeve server at {client.Options.ApiUrl} is healthy.");
            return 0;
        });
        return command;
    }

    private static Command Start(CliContext context)
    {
        var host = new Option<string>("--host") { Description = "The address to listen on.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "The port to listen on; 0 picks a free one.", DefaultValueFactory = _ => 4200 };
        var database = new Option<string?>("--database")
        {
            Description = "A PostgreSQL connection string (Host=...;Database=... or postgresql://...). " +
                "Default: REEVE_DATABASE_URL, else a SQLite file in the Reeve home folder.",
        };
        var logLevel = new Option<LogLevel>("--log-level") { Description = "The least level of log lines shown.", DefaultValueFactory = _ => LogLevel.Information };
        var noUi = new Option<bool>("--no-ui") { Description = "Serve the REST API only, without the web UI at / (starts faster and uses less memory)." };
        var logFormat = new Option<LogFormat?>("--log-format")
        {
            Description = "How log lines are written: text (default) or json (one JSON object per line, for log collectors). Default: REEVE_LOG_FORMAT, else text.",
        };
        var metrics = new Option<bool>("--metrics")
        {
            Description = "Serve OpenTelemetry metrics at /metrics for Prometheus (also REEVE_SERVER_METRICS=true). " +
                "Traces and metrics go over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set (OTEL_EXPORTER_OTLP_PROTOCOL: grpc or http/protobuf).",
        };
        var command = new Command("start", "Start the Reeve server: the web UI at /, the REST API under /api, with storage in SQLite (default) or PostgreSQL.")
        {
            host, port, database, logLevel, noUi, logFormat, metrics,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var portValue = parse.GetValue(port);
            if (portValue is < 0 or > 65535)
            {
                throw new CliException($"--port must be between 0 and 65535 (got {portValue}).");
            }

            StorageOptions storage;
            try
            {
                storage = StorageOptions.Parse(parse.GetValue(database) ?? context.Environment("REEVE_DATABASE_URL"), context.HomeFolder);
            }
            catch (ArgumentException e)
            {
                throw new CliException(e.Message.Split(" (Parameter", 2)[0]);
            }

            var options = new ReeveServerOptions
            {
                Host = parse.GetValue(host)!,
                Port = portValue,
                Storage = storage,
                ApiKey = context.Environment("REEVE_SERVER_API_KEY") is { Length: > 0 } key ? key : null,
                LogLevel = parse.GetValue(logLevel),
                Ui = !parse.GetValue(noUi),
            };

            options = options with
            {
                LogFormat = parse.GetValue(logFormat) ?? ParseLogFormat(context.Environment("REEVE_LOG_FORMAT")),
                Telemetry = Telemetry(context, parse.GetValue(metrics)),
            };

            if (context.Environment("REEVE_SERVER_ALLOWED_HOSTS") is { Length: > 0 } hosts)
            {
                options = options with { AllowedHosts = [.. hosts.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)] };
            }

            // Settings of the background loops, for operators (and tests that want them brisk).
            if (context.EnvironmentSeconds("REEVE_SERVER_SCHEDULER_SECONDS") is { } scheduler && scheduler > TimeSpan.Zero)
            {
                options = options with { SchedulerInterval = scheduler };
            }

            if (context.EnvironmentSeconds("REEVE_SERVER_LATE_RUNS_SECONDS") is { } late && late > TimeSpan.Zero)
            {
                options = options with { LateRunsInterval = late };
            }

            if (context.EnvironmentSeconds("REEVE_SERVER_LATE_RUNS_AFTER_SECONDS") is { } lateAfter)
            {
                options = options with { MarkLateAfter = lateAfter };
            }

            return await RunAsync(context, options, cancellationToken);
        });
        return command;
    }

    /// <summary>One event in the shape of the server's JSON log lines (category <c>Reeve.Cli</c>).</summary>
    private static void WriteJsonEvent(CliContext context, string message, Dictionary<string, string?> state)
    {
        var line = new System.Text.Json.Nodes.JsonObject
        {
            ["Timestamp"] = TimeProvider.System.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
            ["EventId"] = 0,
            ["LogLevel"] = "Information",
            ["Category"] = "Reeve.Cli",
            ["Message"] = message,
            ["State"] = new System.Text.Json.Nodes.JsonObject(state.Where(p => p.Value is not null)
                .Select(p => KeyValuePair.Create(p.Key, (System.Text.Json.Nodes.JsonNode?)p.Value))),
        };
        var writer = context.Out.Profile.Out.Writer;
        writer.WriteLine(line.ToJsonString());
        writer.Flush();
    }

    private static LogFormat ParseLogFormat(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "text" => LogFormat.Text,
        "json" => LogFormat.Json,
        _ => throw new CliException($"REEVE_LOG_FORMAT must be text or json (got '{value}')."),
    };

    /// <summary>The telemetry settings: <c>--metrics</c> or REEVE_SERVER_METRICS, and OpenTelemetry's own OTLP variables.</summary>
    private static TelemetryOptions Telemetry(CliContext context, bool metrics)
    {
        var prometheus = metrics || context.Environment("REEVE_SERVER_METRICS")?.Trim().ToLowerInvariant() is "true" or "1" or "yes";
        Uri? otlp = null;
        if (context.Environment("OTEL_EXPORTER_OTLP_ENDPOINT") is { Length: > 0 } endpoint)
        {
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out otlp) || otlp.Scheme is not ("http" or "https"))
            {
                throw new CliException($"OTEL_EXPORTER_OTLP_ENDPOINT must be an http or https URL (got '{endpoint}').");
            }
        }

        var protocol = context.Environment("OTEL_EXPORTER_OTLP_PROTOCOL")?.Trim().ToLowerInvariant();
        if (protocol is not (null or "" or "grpc" or "http/protobuf"))
        {
            throw new CliException($"OTEL_EXPORTER_OTLP_PROTOCOL must be grpc or http/protobuf (got '{protocol}').");
        }

        return new TelemetryOptions { Prometheus = prometheus, OtlpEndpoint = otlp, OtlpOverHttp = protocol == "http/protobuf" };
    }

    private static async Task<int> RunAsync(CliContext context, ReeveServerOptions options, CancellationToken cancellationToken)
    {
        await using var server = ReeveServer.Create(options);
        try
        {
            await server.StartAsync(cancellationToken);
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            throw new CliException($"Port {options.Port} on {options.Host} is already in use; is a Reeve server running there? Choose another with --port.");
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or Microsoft.Data.Sqlite.SqliteException or InvalidOperationException && e.InnerException is Npgsql.NpgsqlException)
        {
            throw new CliException($"Cannot open the database ({options.Storage.Describe()}): {(e.InnerException ?? e).Message}");
        }

        var url = server.Urls[0];
        if (options.LogFormat == LogFormat.Json)
        {
            // Every line on stdout is then JSON, as a log collector expects: the banner is one event.
            WriteJsonEvent(context, $"Reeve server listening on {url}", new Dictionary<string, string?>
            {
                ["api"] = $"{url}/api",
                ["ui"] = options.Ui ? $"{url}/" : null,
                ["metrics"] = options.Telemetry.Prometheus ? $"{url}/metrics" : null,
                ["storage"] = options.Storage.Describe(),
                ["api_key_required"] = options.ApiKey is null ? "false" : "true",
            });
            await using (ServerWorkers(context, server.ApiUrl, options.ApiKey))
            {
                await server.WaitForShutdownAsync(CancellationToken.None);
                WriteJsonEvent(context, "Stopping the Reeve server", []);
            }

            await server.StopAsync(CancellationToken.None);
            return 0;
        }

        context.Out.MarkupLine($"[green]Reeve server listening on {Markup.Escape(url)}[/]");
        if (options.Ui)
        {
            context.WriteLine($"  UI:       {url}/");
        }

        context.WriteLine($"  API:      {url}/api (OpenAPI document at {url}/api/openapi.json)");
        context.WriteLine($"  Storage:  {options.Storage.Describe()}");
        if (options.Telemetry.Prometheus)
        {
            context.WriteLine($"  Metrics:  {url}/metrics");
        }

        if (options.Telemetry.OtlpEndpoint is { } collector)
        {
            context.WriteLine($"  OTLP:     traces and metrics to {collector}");
        }

        context.WriteLine(options.ApiKey is null ? "  API key:  none (any client on this address may call the API)" : "  API key:  required (clients send REEVE_API_KEY)");
        context.WriteLine();
        if ($"{url}/api" != Client.ReeveSettings.DefaultApiUrl)
        {
            context.WriteLine($"Point clients at it with: reeve config set REEVE_API_URL={url}/api");
        }

        context.WriteLine("Stop it with Ctrl+C.");

        // Runs of managed and push pools are run from here, by a worker per pool; the workers stop first when the server is asked to.
        var managed = ServerWorkers(context, server.ApiUrl, options.ApiKey);
        await server.WaitForShutdownAsync(CancellationToken.None);
        context.WriteLine("Stopping the Reeve server...");
        await managed.DisposeAsync();
        await server.StopAsync(CancellationToken.None);
        return 0;
    }

    /// <summary>
    /// The server's own workers: managed pools' runs as processes in a sandbox under the Reeve home, push pools' runs
    /// on the Docker engine (DOCKER_HOST, else the local socket) or the Kubernetes cluster (KUBECONFIG, else the pod's
    /// service account) this server's environment names. The push workers journal the runs they hold under the home, so
    /// that the server takes them back when it starts again.
    /// </summary>
    private static Workers.ServerPools ServerWorkers(CliContext context, string apiUrl, string? apiKey)
    {
        var client = new Client.ReeveClientOptions { ApiUrl = apiUrl, ApiKey = apiKey };
        var sandbox = Path.Combine(context.HomeFolder, "sandbox");
        Directory.CreateDirectory(sandbox);
        var logs = new Client.ReeveClient(client);
        return new Workers.ServerPools(client, new Workers.ServerPoolsOptions
        {
            Infrastructure = EngineProcess.Infrastructures(client, sandbox, context.Out.Profile.Out.Writer, context.Error, logs: logs),
            Output = context.Out.Profile.Out.Writer,
            Error = context.Error,
            JournalFolder = Path.Combine(context.HomeFolder, "push-runs"),
        });
    }
}
