using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Reeve.Cli.Tests.Crash;

/// <summary>
/// <c>kill -9</c> of a real <c>reeve server start</c> process while 8 clients create runs and send their logs, three
/// times over on one database: after each restart every write the server acknowledged (a 2xx) is there, and no
/// request was ever answered 5xx. Requests in flight when the process dies may or may not have landed; only
/// acknowledged ones are counted.
/// </summary>
public abstract partial class ServerCrashTests(TestStorage storage) : IAsyncLifetime
{
    private const int Clients = 8;
    private TestDatabase? _database;
    private CliProcess _cli = null!;

    /// <summary>The server process now running, so that a failing test does not leave it behind.</summary>
    private Process? _running;

    public async ValueTask InitializeAsync()
    {
        if (storage == TestStorage.Postgres)
        {
            TestEnvironment.RequirePostgres();
            _database = await TestDatabase.CreateAsync(TestStorage.Postgres);
        }

        _cli = new CliProcess("unused");
        _cli.Environment["REEVE_DATABASE_URL"] = _database?.Options.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        if (_running is { HasExited: false })
        {
            _running.Kill(entireProcessTree: true);
            await _running.WaitForExitAsync();
        }

        _running?.Dispose();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Fact]
    public async Task KillingTheServerMidWrite_ThreeTimes_LosesNoAcknowledgedRunOrLogLine_AndNeverAnswers5xx()
    {
        var acknowledgedRuns = new ConcurrentBag<Guid>();
        var acknowledgedLogs = new ConcurrentBag<(Guid Run, string Message)>();
        var serverErrors = new ConcurrentBag<string>();
        Guid deployment;

        var (server, url) = await StartServerAsync();
        using (var http = new HttpClient { BaseAddress = new Uri(url + "/api/") })
        {
            deployment = await SeedAsync(http);
        }

        for (var cycle = 1; cycle <= 3; cycle++)
        {
            // The kill lands at a different point each time: after 60, 120 then 180 more acknowledged runs.
            var killAfter = acknowledgedRuns.Count + (60 * cycle);
            var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var http = new HttpClient { BaseAddress = new Uri(url + "/api/"), Timeout = TimeSpan.FromSeconds(30) };
            var clients = Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
            {
                for (var i = 0; ; i++)
                {
                    try
                    {
                        using var created = await http.PostAsJsonAsync($"deployments/{deployment}/create_flow_run", new JsonObject());
                        if (!Acknowledged(created, serverErrors))
                        {
                            continue;
                        }

                        var run = Guid.Parse((await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>());
                        acknowledgedRuns.Add(run);
                        if (acknowledgedRuns.Count >= killAfter)
                        {
                            enough.TrySetResult();
                        }

                        var message = $"cycle {cycle} client {client} line {i} <b>{Guid.NewGuid():N}</b>";
                        using var logged = await http.PostAsJsonAsync("logs/", new JsonArray(new JsonObject
                        {
                            ["name"] = "crash-test",
                            ["level"] = 20,
                            ["message"] = message,
                            ["timestamp"] = TimeProvider.System.GetUtcNow().ToString("O"),
                            ["flow_run_id"] = run.ToString(),
                        }));
                        if (Acknowledged(logged, serverErrors))
                        {
                            acknowledgedLogs.Add((run, message));
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
                    {
                        // The server is gone (or went mid-answer): this client's part of the cycle is over.
                        return;
                    }
                }
            })).ToArray();

            await enough.Task.WaitAsync(TimeSpan.FromSeconds(120));
            Signals.Send(server.Id, Signals.SigKill);
            await server.WaitForExitAsync();
            await Task.WhenAll(clients).WaitAsync(TimeSpan.FromSeconds(60));

            (server, url) = await StartServerAsync();
            using var reader = new HttpClient { BaseAddress = new Uri(url + "/api/"), Timeout = TimeSpan.FromSeconds(60) };
            await AssertAllThereAsync(reader, [.. acknowledgedRuns], [.. acknowledgedLogs], cycle);
        }

        Signals.Send(server.Id, Signals.SigTerm);
        await server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Empty(serverErrors);
        Assert.True(acknowledgedRuns.Count >= 360, $"only {acknowledgedRuns.Count} runs were acknowledged");
    }

    /// <summary>True for a 2xx; a 5xx is written down (it must never happen); a 4xx would be the test's own mistake.</summary>
    private static bool Acknowledged(HttpResponseMessage response, ConcurrentBag<string> serverErrors)
    {
        if ((int)response.StatusCode >= 500)
        {
            serverErrors.Add($"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode}");
        }

        Assert.False(response.StatusCode is >= HttpStatusCode.BadRequest and < HttpStatusCode.InternalServerError,
            $"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode}");
        return response.IsSuccessStatusCode;
    }

    private static async Task<Guid> SeedAsync(HttpClient http)
    {
        (await http.PostAsJsonAsync("work_pools/", new JsonObject { ["name"] = "crash-pool", ["type"] = "process" })).EnsureSuccessStatusCode();
        var flow = await (await http.PostAsJsonAsync("flows/", new JsonObject { ["name"] = "crash-flow" })).EnsureSuccessStatusCode()
            .Content.ReadFromJsonAsync<JsonObject>();
        var deployment = await (await http.PostAsJsonAsync("deployments/", new JsonObject
        {
            ["name"] = "crash-deployment",
            ["flow_id"] = flow!["id"]!.GetValue<string>(),
            ["work_pool_name"] = "crash-pool",
        })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonObject>();
        return Guid.Parse(deployment!["id"]!.GetValue<string>());
    }

    private static async Task AssertAllThereAsync(HttpClient http, Guid[] runs, (Guid Run, string Message)[] logs, int cycle)
    {
        var messages = logs.ToLookup(l => l.Run, l => l.Message);
        foreach (var batch in runs.Chunk(100))
        {
            var filter = new JsonObject { ["flow_runs"] = new JsonObject { ["id"] = new JsonObject { ["any_"] = new JsonArray([.. batch.Select(r => JsonValue.Create(r.ToString()))]) } } };
            using var counted = await http.PostAsJsonAsync("flow_runs/count", filter);
            Assert.Equal(batch.Length, int.Parse(await counted.EnsureSuccessStatusCode().Content.ReadAsStringAsync(), System.Globalization.CultureInfo.InvariantCulture));

            using var found = await http.PostAsJsonAsync("logs/filter", new JsonObject
            {
                ["logs"] = new JsonObject { ["flow_run_id"] = new JsonObject { ["any_"] = new JsonArray([.. batch.Select(r => JsonValue.Create(r.ToString()))]) } },
                ["limit"] = 200,
            });
            var stored = (await found.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonArray>())!
                .Select(l => l!["message"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
            var missing = batch.SelectMany(r => messages[r]).Where(m => !stored.Contains(m)).ToList();
            Assert.True(missing.Count == 0, $"after kill {cycle}: {missing.Count} acknowledged log lines lost, e.g. {missing.FirstOrDefault()}");
        }
    }

    private async Task<(Process Process, string Url)> StartServerAsync()
    {
        var process = _cli.Start(["server", "start", "--port", "0", "--no-ui"]);
        _running?.Dispose();
        _running = process;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var output = new StringBuilder();
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            output.AppendLine(line);
            if (Listening().Match(line) is { Success: true } match)
            {
                // Keep reading what it writes, so that a full pipe never blocks it.
                _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                _ = process.StandardError.ReadToEndAsync(CancellationToken.None);
                return (process, match.Groups[1].Value);
            }
        }

        throw new InvalidOperationException($"The server exited before listening: {output}{await process.StandardError.ReadToEndAsync()}");
    }

    [GeneratedRegex(@"Reeve server listening on (http://[^\s""]+)")]
    private static partial Regex Listening();
}

public sealed class ServerCrashTests_Sqlite() : ServerCrashTests(TestStorage.Sqlite);

public sealed class ServerCrashTests_Postgres() : ServerCrashTests(TestStorage.Postgres);
