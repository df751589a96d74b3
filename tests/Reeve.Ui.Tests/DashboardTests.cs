using Microsoft.Playwright;
using Reeve.Core.FlowRuns;
using Reeve.Core.States;

namespace Reeve.Ui.Tests;

/// <summary>The dashboard on a server of its own, so that the runs it counts are only this test's.</summary>
public sealed class DashboardTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task CountsRunsByState_AndDrawsThisHoursBar_AndLinksEachCountToItsRuns()
    {
        TestEnvironment.RequireChromium();
        var client = fixture.Server.Client;
        var flow = await client.FlowAsync();
        foreach (var end in new[] { StateType.Completed, StateType.Completed, StateType.Failed })
        {
            var run = await client.CreateFlowRunAsync(new FlowRunCreate { FlowId = flow.Id });
            await client.SetFlowRunStateAsync(run.Id, new StateCreate { Type = StateType.Running });
            await client.SetFlowRunStateAsync(run.Id, new StateCreate { Type = end });
        }

        var (page, errors) = await fixture.OpenAsync();

        var completed = page.Locator("a.count", new() { Has = page.Locator(".state-completed") });
        await Assertions.Expect(completed).ToContainTextAsync("2");
        await Assertions.Expect(page.Locator("a.count", new() { Has = page.Locator(".state-failed") })).ToContainTextAsync("1");
        await Assertions.Expect(page.Locator("a.count", new() { Has = page.Locator(".state-running") })).ToContainTextAsync("0");
        var bars = page.Locator(".history li");
        await Assertions.Expect(bars).ToHaveCountAsync(24);
        // The hour the runs were made in (the last bar, or the one before if an hour began since).
        await Assertions.Expect(page.Locator(".history li[aria-label$=': 2 completed, 1 failed']")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator(".history li[aria-label$=': no runs']")).ToHaveCountAsync(23);
        await BrowserFixture.ScreenshotAsync(page, "dashboard-with-runs");

        await completed.ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Flow Runs");
        await Assertions.Expect(page.GetByText("2 runs", new() { Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("State")).ToHaveValueAsync("Completed");
        Assert.Empty(errors);
    }
}
