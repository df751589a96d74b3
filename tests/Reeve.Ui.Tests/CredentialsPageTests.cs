using Microsoft.Playwright;
using Reeve.Core.Credentials;

namespace Reeve.Ui.Tests;

/// <summary>The credentials page lists credentials with their reference, and never a secret.</summary>
public sealed class CredentialsPageTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task ListsCredentialsWithTheirReference_SecretsMasked()
    {
        TestEnvironment.RequireChromium();
        var password = "ui-secret-" + Guid.NewGuid().ToString("N");
        var name = Names.Unique("registry");
        var created = await fixture.Server.Client.CreateCredentialsAsync(new CredentialsCreate
        {
            Name = name,
            Type = "docker-registry-credentials",
            Data = Seed.Json($$"""{"username": "robot", "password": "{{password}}", "registry_url": "127.0.0.1:5000"}"""),
        });

        var (page, errors) = await fixture.OpenAsync("credentials");
        var row = page.Locator($"[data-credentials='{created.Id}']");
        await Assertions.Expect(row).ToContainTextAsync($"{{{{ prefect.blocks.docker-registry-credentials.{name} }}}}");
        await Assertions.Expect(row).ToContainTextAsync("password: ********");
        await Assertions.Expect(row).ToContainTextAsync("username: robot");

        Assert.DoesNotContain(password, await page.ContentAsync(), StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("nav a[href='credentials']")).ToBeVisibleAsync();
        Assert.Empty(errors);
    }
}
