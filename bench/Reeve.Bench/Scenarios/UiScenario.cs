using System.Diagnostics;
using Microsoft.Playwright;
using Reeve.Client;

namespace Reeve.Bench.Scenarios;

/// <summary>
/// The web UI's pages in a real Chromium (headless, Playwright) against a server holding 100,000 runs (the poll
/// scenario's seed: 20 deployments of one pool, mostly finished history). A page's load is a full navigation —
/// the HTML (rendered on the server with its data), Blazor's script and connection, the page rendered again
/// interactively — until the page is interactive and shows its content. Needs Chromium at /usr/bin/chromium; without it the scenario says it is skipped.
/// </summary>
internal sealed class UiScenario : IScenario
{
    private const string Chromium = "/usr/bin/chromium";

    public string Name => "ui";

    public string Description => "web UI: each page's full load in Chromium, p50 / p99 of 10, with 100,000 runs in the database";

    public async Task<IReadOnlyList<Measurement>> RunAsync(BenchOptions options)
    {
        if (!File.Exists(Chromium))
        {
            Console.WriteLine($"  skipped: no Chromium at {Chromium} (apt-get install chromium)");
            return [];
        }

        var total = options.Quick ? 5_000 : 100_000;
        var loads = options.Quick ? 1 : 10;
        await using var server = await ServerProcess.StartAsync(options.Storage, storage => PollScenario.SeedAsync(storage, total, 50, 2_000));
        using var client = new ReeveClient(new ReeveClientOptions { ApiUrl = server.ApiUrl });
        var deployment = (await client.FilterDeploymentsAsync())[0];
        var run = (await client.FilterFlowRunsAsync(new() { Limit = 1 })).Single();
        var root = server.ApiUrl[..^"/api".Length] + "/";
        string[] pages = ["", "work-pools", "work-pools/bench", "deployments", $"deployments/{deployment.Id}", "runs", $"runs/{run.Id}"];

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });

        async Task<double> LoadAsync(string path)
        {
            var started = Stopwatch.GetTimestamp();
            await page.GotoAsync(root + path);
            await page.WaitForFunctionAsync("() => { const m = document.querySelector('main'); return document.querySelector('[data-interactive=true]') && m.querySelector('h1') && !m.innerText.includes('Loading'); }");
            return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        // One load of each page first (the JIT, the browser's cache of the script); a quick run has no time for it.
        foreach (var path in options.Quick ? [] : pages)
        {
            await LoadAsync(path);
        }

        var results = new List<Measurement>();
        foreach (var path in pages)
        {
            var times = new List<double>();
            for (var i = 0; i < loads; i++)
            {
                times.Add(await LoadAsync(path));
            }

            var label = "/" + (path.Contains('/', StringComparison.Ordinal) ? path[..path.IndexOf('/', StringComparison.Ordinal)] + "/{id}" : path);
            results.Add(new(Name, $"{label} load p50 ({total:N0} runs)", Stats.Median(times), "ms", options.Storage));
            results.Add(new(Name, $"{label} load p99", Stats.Percentile(times, 99), "ms", options.Storage));
        }

        return results;
    }
}
