using Microsoft.Playwright;
using Reeve.Core.Access;

namespace Reeve.Ui.Tests;

/// <summary>
/// A server started with an API key: the UI sends the browser to its sign-in page, keeps the key for the browser
/// session, and shows each role only the actions it may take.
/// </summary>
public sealed class ApiKeyTests(ApiKeyTests.SecuredServer fixture) : IClassFixture<ApiKeyTests.SecuredServer>
{
    public sealed class SecuredServer : BrowserFixture
    {
        public override string? ApiKey => "ui-secret";
    }

    private Task<ApiKeyCreated> KeyAsync(string role) =>
        fixture.Server.Client.CreateApiKeyAsync(new ApiKeyCreate { Name = Names.Unique(role), Role = role });

    [Fact]
    public async Task TheUiAsksForTheKey_RefusesAWrongOne_KeepsTheRightOneForTheSession_AndSignsOut()
    {
        TestEnvironment.RequireChromium();
        var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(fixture.Url + "work-pools");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "API key" })).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "api-key");

        await page.GetByLabel("API key").FillAsync("wrong");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not valid");

        await page.GetByLabel("API key").FillAsync("ui-secret");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await BrowserFixture.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Work Pools" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".signed-in")).ToContainTextAsync("REEVE_SERVER_API_KEY (admin)");

        // A reload in the same session does not ask again.
        await page.ReloadAsync();
        await BrowserFixture.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Work Pools" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "API key" })).ToBeVisibleAsync();
        await page.GotoAsync(fixture.Url + "deployments");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "API key" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task AViewer_SeesPoolsDeploymentsAndRuns_ButNoActionToTake()
    {
        TestEnvironment.RequireChromium();
        var client = fixture.Server.Client;
        var pool = await client.PoolAsync();
        var deployment = await client.DeploymentAsync(pool);
        var viewer = await KeyAsync(ApiRoles.Viewer);

        var (page, errors) = await fixture.SignInAsync("work-pools", viewer.Key);
        await Assertions.Expect(page.Locator($"[data-pool='{pool}']")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".signed-in")).ToContainTextAsync($"{viewer.Name} (viewer)");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Create work pool" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = $"Actions for {pool}" })).ToHaveCountAsync(0);

        await page.GotoAsync(fixture.Url + $"deployments/{deployment.Id}");
        await BrowserFixture.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync(deployment.Name);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true })).ToHaveCountAsync(0);

        await page.GotoAsync(fixture.Url + "work-pools/new");
        await BrowserFixture.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("may not create work pools");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task ADeveloper_MayRunADeployment_ButNotChangeAPool_AndPlatformMay()
    {
        TestEnvironment.RequireChromium();
        var client = fixture.Server.Client;
        var pool = await client.PoolAsync();
        var deployment = await client.DeploymentAsync(pool);

        var (developer, errors) = await fixture.SignInAsync($"deployments/{deployment.Id}", (await KeyAsync(ApiRoles.Developer)).Key);
        await Assertions.Expect(developer.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true })).ToBeVisibleAsync();
        await developer.GotoAsync(fixture.Url + $"work-pools/{pool}");
        await BrowserFixture.WaitForInteractiveAsync(developer);
        await Assertions.Expect(developer.GetByRole(AriaRole.Link, new() { Name = "Edit" })).ToHaveCountAsync(0);

        var (platform, platformErrors) = await fixture.SignInAsync($"work-pools/{pool}", (await KeyAsync(ApiRoles.Platform)).Key);
        await Assertions.Expect(platform.GetByRole(AriaRole.Link, new() { Name = "Edit" })).ToBeVisibleAsync();
        await platform.GotoAsync(fixture.Url + "work-pools");
        await BrowserFixture.WaitForInteractiveAsync(platform);
        await Assertions.Expect(platform.GetByRole(AriaRole.Link, new() { Name = "Create work pool" })).ToBeVisibleAsync();
        Assert.Empty(errors);
        Assert.Empty(platformErrors);
    }

    [Fact]
    public async Task ADeveloperKey_CannotStartARunThatSetsAVariableThePoolLocks_AndThePageSaysWhich()
    {
        TestEnvironment.RequireChromium();
        var client = fixture.Server.Client;
        var pool = await client.PoolAsync(template: Seed.Json("""
            {
              "job_configuration": {"command": "{{ command }}"},
              "variables": {"type": "object", "properties": {"command": {"type": "string", "x-reeve-overridable": false}}}
            }
            """));
        var deployment = await client.DeploymentAsync(pool);
        var developer = await KeyAsync(ApiRoles.Developer);

        var (page, errors) = await fixture.SignInAsync($"deployments/{deployment.Id}", developer.Key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Custom run" }).ClickAsync();
        await page.Locator("#run-job-variables").FillAsync("""{"command": "/bin/sh -c id"}""");
        await page.GetByRole(AriaRole.Button, new() { Name = "Submit" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("job_variables.command");
        Assert.Empty(await client.FilterFlowRunsAsync(new Core.FlowRuns.FlowRunFilterRequest
        {
            Deployments = new() { Id = new() { Any = [deployment.Id] } },
        }));
        Assert.Empty(errors);
    }
}
