using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Reeve.Core.Deployments;
using Reeve.Server.Hosting;
using Reeve.Server.Storage;
using Reeve.Server.Telemetry;

namespace Reeve.Server.Tests.Api;

/// <summary>The probes, the Prometheus endpoint and the OTLP export (to a collector stand-in on loopback that keeps what it receives).</summary>
/// <remarks>
/// The meter is the process's: servers of other tests would count into a scrape, so these tests run alone.
/// </remarks>
[Collection(nameof(TelemetryTests))]
public sealed class TelemetryTests
{
    private static async Task<string> CompletedRunAsync(RunningServer server, string completedName = "Completed")
    {
        var deployment = await server.Client.DeploymentAsync();
        var run = await server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id, new DeploymentFlowRunCreate());
        foreach (var (state, name) in new[] { ("PENDING", "Pending"), ("RUNNING", "Running"), ("COMPLETED", completedName) })
        {
            var answer = await server.Http.PostJsonAsync($"flow_runs/{run.Id}/set_state", $$$"""{"state": {"type": "{{{state}}}", "name": "{{{name}}}"}}""");
            Assert.True(answer.Status is HttpStatusCode.Created, answer.Text);
        }

        return run.Id.ToString();
    }

    private static double Sample(string scrape, string metric, string label)
    {
        var line = scrape.Split('\n').FirstOrDefault(l => l.StartsWith(metric + "{", StringComparison.Ordinal) && l.Contains(label, StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task TheProbes_AnswerWithoutTheApiKey_AndReadyMeansTheDatabaseAnswers()
    {
        await using var server = await RunningServer.StartAsync(TestStorage.Sqlite, apiKey: "secret");
        using var anonymous = new HttpClient { BaseAddress = server.Http.BaseAddress };

        Assert.Equal("true", (await anonymous.GetJsonAsync("health")).Text);
        Assert.Equal("true", (await anonymous.GetJsonAsync("ready")).Text);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetJsonAsync("work_pools/filter")).Status);
    }

    [Fact]
    public async Task WithPrometheus_AMetricMovesWhenARunCompletes_AndTheScrapeNeedsTheApiKey()
    {
        await using var server = await RunningServer.StartAsync(TestStorage.Sqlite, apiKey: "secret",
            configure: o => o with { Telemetry = new TelemetryOptions { Prometheus = true } });
        var root = new Uri(server.Server.Urls[0] + "/");
        using var anonymous = new HttpClient { BaseAddress = root };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("metrics")).StatusCode);

        using var scraper = new HttpClient { BaseAddress = root };
        scraper.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "secret");
        // A state name a client made up is counted as "other": names are client input, and every distinct one would be
        // a series of its own.
        var name = "Done-" + Guid.NewGuid().ToString("N")[..8];
        const string completed = "reeve_state_name=\"other\"";
        var before = Sample(await scraper.GetStringAsync("metrics"), "reeve_flow_run_state_entered_total", completed);

        await CompletedRunAsync(server, name);

        // The exporter keeps a scrape for a moment; ask until the new one shows the run (or give up after 10 s).
        var after = before;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (after == before && !deadline.IsCancellationRequested)
        {
            await Task.Delay(100, CancellationToken.None);
            after = Sample(await scraper.GetStringAsync("metrics"), "reeve_flow_run_state_entered_total", completed);
        }

        Assert.Equal(before + 1, after);
        var scrape = await scraper.GetStringAsync("metrics");
        Assert.DoesNotContain(name, scrape, StringComparison.Ordinal);
        Assert.True(Sample(scrape, "reeve_flow_run_state_entered_total", "reeve_state_name=\"Running\"") >= 1, scrape);
        Assert.Contains("reeve_claim_duration_seconds_count", scrape, StringComparison.Ordinal);
        Assert.Contains("reeve_flow_run_pickup_latency_seconds_count", scrape, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds", scrape, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheGauges_CountRunsByStateAndWorkersOnlinePerPool()
    {
        await using var server = await RunningServer.StartAsync(TestStorage.Sqlite);
        var pool = await server.Client.PoolAsync();
        var deployment = await server.Client.DeploymentAsync(pool);
        await server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id, new DeploymentFlowRunCreate());
        await server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id, new DeploymentFlowRunCreate());
        await server.Http.PostJsonAsync($"work_pools/{pool}/workers/heartbeat", """{"name": "w1", "heartbeat_interval_seconds": 30}""");

        var counts = server.Server.Services.GetRequiredService<RunCounts>();
        await using (var scope = server.Server.Services.CreateAsyncScope())
        {
            await counts.CountAsync(scope.ServiceProvider.GetRequiredService<ReeveDbContext>(), StorageTime.Now(server.Clock), CancellationToken.None);
        }

        static string Tag(Measurement<long> m, string key) => m.Tags.ToArray().Single(t => t.Key == key).Value!.ToString()!;
        Assert.Equal(2, counts.RunsByState().Single(m => Tag(m, "reeve.state.type") == "SCHEDULED").Value);
        Assert.Equal(1, counts.WorkersOnline().Single(m => Tag(m, "reeve.work_pool.name") == pool).Value);
    }

    [Fact]
    public async Task WithAnOtlpEndpoint_TheRunsStateChangesAreExportedAsSpansNamingTheRun()
    {
        await using var collector = await LoopbackHttpServer.StartAsync();
        collector.Record("/v1/traces");
        collector.Record("/v1/metrics");
        string runId;
        await using (var server = await RunningServer.StartAsync(TestStorage.Sqlite,
            configure: o => o with { Telemetry = new TelemetryOptions { OtlpEndpoint = new Uri(collector.Url), OtlpOverHttp = true } }))
        {
            runId = await CompletedRunAsync(server);
        }

        // Stopping the server flushed its spans to the collector. OTLP bodies are protobuf, whose strings are plain UTF-8.
        var traces = string.Join('\n', collector.Received("/v1/traces").Select(b => Encoding.UTF8.GetString(b)));
        Assert.Contains("flow_run set_state", traces, StringComparison.Ordinal);
        Assert.Contains("reeve.flow_run.id", traces, StringComparison.Ordinal);
        Assert.Contains(runId, traces, StringComparison.Ordinal);
        Assert.Contains("reeve-server", traces, StringComparison.Ordinal);
        Assert.NotEmpty(collector.Received("/v1/metrics"));
    }
}

/// <summary>Runs <see cref="TelemetryTests"/> after the parallel tests, alone.</summary>
[CollectionDefinition(nameof(TelemetryTests), DisableParallelization = true)]
public sealed class TelemetryTestsCollection;
