using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Reeve.Core.Deployments;
using Reeve.Core.FlowRuns;
using Reeve.Core.States;
using Reeve.Core.WorkPools;

namespace Reeve.Ui.Tests;

/// <summary>
/// What a new user met in the UI in their first hour (issue 15), each fixed: pages that name what ran and where its
/// code comes from, run lists that show what happened before what is planned, one status for a deployment, queues
/// that can be saved, no ring around every title, and a word when the UI cannot connect.
/// </summary>
public sealed class FirstHourTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private RunningServer Server => fixture.Server;

    private async Task<Deployment> DeploymentAsync(string pool, bool paused = false)
    {
        var flow = await Server.Client.CreateFlowAsync(new Core.Flows.FlowCreate { Name = Names.Unique("first-hour-flow") });
        return await Server.Client.CreateDeploymentAsync(new DeploymentCreate
        {
            Name = Names.Unique("first-hour"),
            FlowId = flow.Id,
            WorkPoolName = pool,
            Paused = paused,
            Entrypoint = "RepoInfo.csproj:RepoInfo.RepoInfoFlows.GetRepoInfo",
            PullSteps = [new JsonObject { ["reeve.deployments.steps.git_clone"] = new JsonObject { ["repository"] = "https://git.example.com/team/flows.git", ["branch"] = "release" } }],
            JobVariables = new JsonObject { ["image"] = "flows:1" },
        });
    }

    [Fact]
    public async Task TheRunPage_NamesTheFlowAndLinksTheDeployment_AndTheDeploymentPageShowsItsSource()
    {
        TestEnvironment.RequireChromium();
        var pool = await Server.Client.PoolAsync(type: "docker");
        var deployment = await DeploymentAsync(pool, paused: true);
        var flowName = (await Server.Client.ReadFlowAsync(deployment.FlowId)).Name;
        var run = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id);

        var (page, errors) = await fixture.OpenAsync($"runs/{run.Id}");
        await Assertions.Expect(page.Locator("[data-test=flow]")).ToHaveTextAsync(flowName);
        var link = page.Locator("[data-test=deployment] a");
        await Assertions.Expect(link).ToHaveTextAsync($"{flowName}/{deployment.Name}");

        await link.ClickAsync();
        // Commit, not load: Blazor moves there inside the document (history.pushState); no load event need follow.
        await page.WaitForURLAsync($"**/deployments/{deployment.Id}", new() { WaitUntil = WaitUntilState.Commit });
        await Assertions.Expect(page.Locator("[data-test=source]").First).ToBeVisibleAsync();
        var source = string.Join(" | ", await page.Locator("[data-test=source]").AllInnerTextsAsync());
        Assert.Equal("https://git.example.com/team/flows.git | release | flows:1", source);

        // One truth with the CLI: the status (READY or NOT_READY), and "paused" beside it.
        Assert.Equal(["NOT_READY", "paused"], await page.Locator("[data-test=status] .badge").AllInnerTextsAsync());
        await BrowserFixture.ScreenshotAsync(page, "deployment-source");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task TheRunsList_ShowsWhatHappenedFirst_AndTheUpcomingRunsInTheirOwnTab()
    {
        TestEnvironment.RequireChromium();
        var pool = await Server.Client.PoolAsync(type: "docker");
        var deployment = await DeploymentAsync(pool);
        var past = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id);
        var later = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id, new DeploymentFlowRunCreate
        {
            State = new StateCreate { Type = StateType.Scheduled, StateDetails = new StateDetails { ScheduledTime = TimeProvider.System.GetUtcNow().AddDays(3) } },
        });

        var (page, errors) = await fixture.OpenAsync("runs");
        await Assertions.Expect(page.Locator($"[data-run='{past.Id}']")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator($"[data-run='{later.Id}']")).ToHaveCountAsync(0);

        await page.GetByRole(AriaRole.Tab, new() { Name = "Upcoming" }).ClickAsync();
        await Assertions.Expect(page.Locator($"[data-run='{later.Id}']")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator($"[data-run='{past.Id}']")).ToHaveCountAsync(0);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task ThePoolsPage_SavesAQueuesPriority_AndListsRunsWithoutAPoolColumn()
    {
        TestEnvironment.RequireChromium();
        var pool = await Server.Client.PoolAsync(type: "docker");
        await Server.Client.CreateWorkQueueAsync(pool, new Core.WorkQueues.WorkQueueCreate { Name = "critical", Priority = 2 });
        var deployment = await DeploymentAsync(pool);
        await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id);

        var (page, errors) = await fixture.OpenAsync($"work-pools/{pool}", width: 1400);
        var row = page.Locator("[data-queue=critical]");
        await row.GetByLabel("Limit of critical").FillAsync("3");
        await row.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(row.GetByRole(AriaRole.Status)).ToHaveTextAsync("Saved");

        var queue = await Server.Client.ReadWorkQueueAsync(pool, "critical");
        Assert.Equal(3, queue.ConcurrencyLimit);
        Assert.Equal(0, await page.Locator("th", new() { HasTextString = "Pool" }).CountAsync());
        await BrowserFixture.ScreenshotAsync(page, "work-pool-1400");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task ThePageTitle_TakesFocus_WithoutARingAroundIt()
    {
        TestEnvironment.RequireChromium();
        var (page, _) = await fixture.OpenAsync("work-pools");
        var title = page.GetByRole(AriaRole.Heading, new() { Level = 1 });
        await page.WaitForFunctionAsync("() => document.activeElement && document.activeElement.tagName === 'H1'");

        Assert.Equal("none", await title.EvaluateAsync<string>("h => getComputedStyle(h).outlineStyle"));
    }

    [Fact]
    public async Task WithoutAWebSocket_TheUiSaysItCannotConnect_InsteadOfAWhitePage()
    {
        TestEnvironment.RequireChromium();
        var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();

        // A proxy that refuses WebSockets: the connection to /_blazor is closed at once.
        await page.RouteWebSocketAsync("**/_blazor**", socket => socket.CloseAsync());
        await page.GotoAsync(fixture.Url);

        var message = page.Locator("#reeve-connecting");
        await Assertions.Expect(message).ToContainTextAsync("could not connect", new() { Timeout = 20_000 });
        await Assertions.Expect(message).ToContainTextAsync("WebSocket");
        await context.CloseAsync();
    }
}
