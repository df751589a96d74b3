using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Reeve.Cli.Tests.Commands;

public sealed partial class ServerCommandsTests
{
    /// <summary>Starts <c>reeve server start</c> and waits for the line that gives its address.</summary>
    private static async Task<(Process Process, string Url)> StartServerAsync(CliProcess cli, params string[] extra)
    {
        var process = cli.Start(["server", "start", "--port", "0", .. extra]);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (Listening().Match(line) is { Success: true } match)
            {
                return (process, match.Groups[1].Value);
            }
        }

        throw new InvalidOperationException($"The server exited before listening: {await process.StandardError.ReadToEndAsync()}");
    }

    private static async Task<int> StopAsync(Process process)
    {
        Signals.Send(process.Id, Signals.SigTerm);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return process.ExitCode;
    }

    [Fact]
    public async Task Start_ServesTheApi_StopsCleanlyOnSigterm_AndKeepsItsData()
    {
        var cli = new CliProcess("unused");
        var (server, url) = await StartServerAsync(cli);
        using (server)
        {
            cli.Environment["REEVE_API_URL"] = url + "/api";
            using var http = new HttpClient();
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(url + "/api/health")).StatusCode);
            CliAssert.Succeeds(await cli.RunAsync("work-pool", "create", "my-pool", "--type", "process"));

            Assert.Equal(0, await StopAsync(server));
        }

        Assert.True(File.Exists(Path.Combine(cli.Home, "reeve.db")));
        var (again, url2) = await StartServerAsync(cli);
        using (again)
        {
            cli.Environment["REEVE_API_URL"] = url2 + "/api";
            var listed = await cli.RunAsync("work-pool", "ls");
            Assert.Contains("my-pool", listed.Out, StringComparison.Ordinal);
            Assert.Equal(0, await StopAsync(again));
        }
    }

    [Fact]
    public async Task Start_ServesTheUiAtTheRoot_AndWithNoUiOnlyTheApi()
    {
        var cli = new CliProcess("unused");
        using var http = new HttpClient();
        var (withUi, url) = await StartServerAsync(cli);
        using (withUi)
        {
            var page = await http.GetAsync(url + "/");
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("_framework/blazor.web.js", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(url + "/_framework/blazor.web.js")).StatusCode);
            Assert.Equal(0, await StopAsync(withUi));
        }

        var (apiOnly, url2) = await StartServerAsync(cli, "--no-ui");
        using (apiOnly)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(url2 + "/")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(url2 + "/api/health")).StatusCode);
            Assert.Equal(0, await StopAsync(apiOnly));
        }
    }

    [Fact]
    public async Task Start_OnAPortInUse_FailsWithOneLine()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var result = await new CliProcess("unused").RunAsync("server", "start", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        CliAssert.FailsWithOneLine(result, $"Port {port} on 127.0.0.1 is already in use");
        Assert.DoesNotContain("Exception", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WithAnUnreadableDatabaseSetting_FailsWithOneLine()
    {
        var cli = new CliProcess("unused");
        cli.Environment["REEVE_DATABASE_URL"] = "mysql://nope";
        CliAssert.FailsWithOneLine(await cli.RunAsync("server", "start", "--port", "0"), "neither a PostgreSQL connection string");
    }

    [Fact]
    public async Task Start_WithAnApiKey_RequiresIt()
    {
        var cli = new CliProcess("unused");
        cli.Environment["REEVE_SERVER_API_KEY"] = "server-key";
        var (server, url) = await StartServerAsync(cli);
        using (server)
        {
            using var http = new HttpClient();
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync(url + "/api/work_pools/filter", null)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(url + "/api/health")).StatusCode);
            Assert.Equal(0, await StopAsync(server));
            Assert.DoesNotContain("server-key", await server.StandardOutput.ReadToEndAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Start_OnPostgres_UsesTheDatabaseGiven()
    {
        await using var database = await TestDatabase.CreateAsync(TestStorage.Postgres);
        var cli = new CliProcess("unused");
        var (server, url) = await StartServerAsync(cli, "--database", database.Options.ConnectionString);
        using (server)
        {
            cli.Environment["REEVE_API_URL"] = url + "/api";
            CliAssert.Succeeds(await cli.RunAsync("work-pool", "create", "pg-pool", "--type", "process"));
            Assert.Contains("pg-pool", (await cli.RunAsync("work-pool", "ls")).Out, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(cli.Home, "reeve.db")));
            Assert.Equal(0, await StopAsync(server));
        }
    }

    [GeneratedRegex(@"Reeve server listening on (http://[^\s""]+)")]
    private static partial Regex Listening();

    [Fact]
    public async Task Start_WithLogFormatJson_WritesOnlyJsonLines_AndWithMetricsServesThem_BehindTheApiKey()
    {
        var cli = new CliProcess("unused");
        cli.Environment["REEVE_SERVER_API_KEY"] = "operator-key";
        var process = cli.Start(["server", "start", "--port", "0", "--log-format", "json", "--metrics", "--log-level", "debug"]);
        using (process)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            // Every line is a JSON object; the banner is the Reeve.Cli event that gives the address.
            System.Text.Json.JsonElement banner;
            do
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException(await process.StandardError.ReadToEndAsync());
                banner = System.Text.Json.JsonDocument.Parse(line).RootElement;
            }
            while (banner.GetProperty("Category").GetString() != "Reeve.Cli");

            var url = Listening().Match(banner.GetProperty("Message").GetString()!).Groups[1].Value;
            Assert.Equal(url + "/metrics", banner.GetProperty("State").GetProperty("metrics").GetString());

            using var http = new HttpClient();
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(url + "/api/ready")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(url + "/metrics")).StatusCode);
            using var scrape = new HttpRequestMessage(HttpMethod.Get, url + "/metrics");
            scrape.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "operator-key");
            var metrics = await http.SendAsync(scrape);
            Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
            Assert.Contains("# TYPE", await metrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            Assert.Equal(0, await StopAsync(process));

            // Debug lines of the background loops came out too: every line is a JSON object.
            var rest = (await process.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.NotEmpty(rest);
            Assert.All(rest, line => Assert.Equal(System.Text.Json.JsonValueKind.Object, System.Text.Json.JsonDocument.Parse(line).RootElement.ValueKind));
        }
    }

    [Fact]
    public async Task Start_WithAnUnknownLogFormatOrOtlpEndpoint_FailsInOneLine()
    {
        var cli = new CliProcess("unused");
        cli.Environment["REEVE_LOG_FORMAT"] = "xml";
        var format = await cli.RunAsync("server", "start", "--port", "0");
        Assert.NotEqual(0, format.ExitCode);
        Assert.Contains("REEVE_LOG_FORMAT must be text or json (got 'xml')", format.Error, StringComparison.Ordinal);

        cli.Environment["REEVE_LOG_FORMAT"] = null;
        cli.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = "collector:4317";
        var otlp = await cli.RunAsync("server", "start", "--port", "0");
        Assert.NotEqual(0, otlp.ExitCode);
        Assert.Single(otlp.Error.Trim().Split('\n'));
        Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT must be an http or https URL", otlp.Error, StringComparison.Ordinal);
    }
}
