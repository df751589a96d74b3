using Microsoft.Playwright;

namespace Reeve.Ui.Tests;

/// <summary>A server started with an API key: the UI asks for it once, and keeps it for the browser session.</summary>
public sealed class ApiKeyTests(ApiKeyTests.SecuredServer fixture) : IClassFixture<ApiKeyTests.SecuredServer>
{
    public sealed class SecuredServer : BrowserFixture
    {
        public override string? ApiKey => "ui-secret";
    }

    [Fact]
    public async Task TheUiAsksForTheKey_RefusesAWrongOne_AndKeepsTheRightOneForTheSession()
    {
        TestEnvironment.RequireChromium();
        var (page, errors) = await fixture.OpenAsync("work-pools");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "API key" })).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "api-key");

        await page.GetByLabel("API key").FillAsync("wrong");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("refused");

        await page.GetByLabel("API key").FillAsync("ui-secret");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Work Pools" })).ToBeVisibleAsync();

        // A reload in the same session does not ask again.
        await page.ReloadAsync();
        await BrowserFixture.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Work Pools" })).ToBeVisibleAsync();
        Assert.Empty(errors);
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
        var developer = await client.CreateApiKeyAsync(new Core.Access.ApiKeyCreate { Name = Names.Unique("dev"), Role = "developer" });

        var (page, errors) = await fixture.OpenAsync($"deployments/{deployment.Id}");
        await page.GetByLabel("API key").FillAsync(developer.Key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
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
