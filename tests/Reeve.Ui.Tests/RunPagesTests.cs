using Microsoft.Playwright;
using Reeve.Core.States;
using Reeve.Flows;
using Reeve.Serving;

namespace Reeve.Ui.Tests;

/// <summary>
/// A deployment's page and a run's page in Chromium: a custom run with a parameter, followed live to Completed
/// with its log lines, and a long run cancelled from its page. The flow is served by this test process.
/// </summary>
public sealed class RunPagesTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private readonly CancellationTokenSource _serving = new();
    private Task _served = Task.CompletedTask;
    private Guid _deploymentId;

    public async ValueTask InitializeAsync()
    {
        ReeveSdk.UseServer(fixture.Server.ApiUrl);
        var flow = Flow.DefineAll(typeof(Greeter)).Single();
        _served = flow.ServeAsync("ui-deployment", options: new ServeOptions { Output = TextWriter.Null }, cancellationToken: _serving.Token);
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(30);
        while (true)
        {
            try
            {
                _deploymentId = (await fixture.Server.Client.ReadDeploymentByNameAsync("ui-greeter", "ui-deployment")).Id;
                return;
            }
            catch (Client.ReeveApiException) when (TimeProvider.System.GetUtcNow() < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    [Fact]
    public async Task CustomRunWithAParameter_ReachesCompleted_AndItsLogsAppearWithoutAReload()
    {
        TestEnvironment.RequireChromium();
        var (page, errors) = await fixture.OpenAsync($"deployments/{_deploymentId}");
        await BrowserFixture.ScreenshotAsync(page, "deployment");

        await page.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Custom run" }).ClickAsync();
        await page.Locator("#param-name").FillAsync("Reeve UI");
        await page.Locator("#param-seconds").FillAsync("2");
        await page.Locator("#param-seconds").BlurAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Submit" }).ClickAsync();

        // The run's page, reached inside the app: a marker set now would be lost by a reload. CI runs the suites side by
        // side on two cores, so this allows more than Playwright's default; what the page shows instead is the failure.
        try
        {
            // Commit, not load: Blazor moves to the run's page inside the document (history.pushState), and a load event
            // that never comes again must not hold the test (once, in CI, the page showed the finished run for 60 s).
            await page.WaitForURLAsync("**/runs/*", new() { Timeout = 60_000, WaitUntil = WaitUntilState.Commit });
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Submit did not lead to the run's page; the page shows: {await page.InnerTextAsync("body")}");
        }

        await page.EvaluateAsync("() => window.__noReload = true");
        var logs = page.GetByRole(AriaRole.Log);
        await Assertions.Expect(logs).ToContainTextAsync("Hello Reeve UI!", new() { Timeout = 30_000 });
        await Assertions.Expect(logs).ToContainTextAsync("Goodbye Reeve UI!", new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Completed", new() { Timeout = 30_000 });
        Assert.True(await page.EvaluateAsync<bool>("() => window.__noReload === true"));
        await BrowserFixture.ScreenshotAsync(page, "flow-run");

        var runId = Guid.Parse(page.Url.Split('/')[^1]);
        var run = await fixture.Server.Client.ReadFlowRunAsync(runId);
        Assert.Equal(StateType.Completed, run.StateType);
        Assert.Equal("Reeve UI", run.Parameters["name"]?.GetValue<string>());
        Assert.Empty(errors);
    }

    [Fact]
    public async Task ALongRun_CancelledFromItsPage_EndsCancelled()
    {
        TestEnvironment.RequireChromium();
        var run = await fixture.Server.Client.CreateFlowRunFromDeploymentAsync(_deploymentId, new Core.Deployments.DeploymentFlowRunCreate
        {
            Parameters = new System.Text.Json.Nodes.JsonObject { ["seconds"] = 600 },
        });
        await fixture.Server.Client.WaitForStateAsync(run.Id, StateType.Running, TimeSpan.FromSeconds(30));
        var (page, errors) = await fixture.OpenAsync($"runs/{run.Id}");

        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Cancelled", new() { Timeout = 30_000 });
        var ended = await fixture.Server.Client.WaitForEndAsync(run.Id, TimeSpan.FromSeconds(30));
        Assert.Equal(StateType.Cancelled, ended.StateType);
        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("", 1280)]
    [InlineData("work-pools", 390)]
    [InlineData("deployments", 390)]
    [InlineData("runs", 1280)]
    public async Task EveryListPage_LoadsWithoutConsoleErrors_WideAndNarrow(string path, int width)
    {
        TestEnvironment.RequireChromium();
        var (page, errors) = await fixture.OpenAsync(path, width);

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, $"page-{(path.Length == 0 ? "dashboard" : path)}-{width}");
        Assert.Empty(errors);
    }

    public async ValueTask DisposeAsync()
    {
        await _serving.CancelAsync();
        await _served;
        ReeveSdk.UseNoServer();
        _serving.Dispose();
    }
}

/// <summary>The served flow: greets, waits the seconds asked for (so a run can be caught RUNNING), and says goodbye.</summary>
public static class Greeter
{
    [Flow(Name = "ui-greeter", LogPrints = true)]
    public static async Task Greet(string name = "world", int seconds = 0, CancellationToken cancellationToken = default)
    {
        Console.WriteLine($"Hello {name}!");
        await Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken);
        Console.WriteLine($"Goodbye {name}!");
    }
}
