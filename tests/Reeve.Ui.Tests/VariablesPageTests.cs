using Microsoft.Playwright;
using Reeve.Core.Variables;

namespace Reeve.Ui.Tests;

/// <summary>The variables page lists variables: a string as it is, any other value as its JSON.</summary>
public sealed class VariablesPageTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task ListsVariables_StringsAsTheyAre_OtherValuesAsJson()
    {
        TestEnvironment.RequireChromium();
        var text = "ui_text_" + Guid.NewGuid().ToString("N")[..8];
        var json = "ui_json_" + Guid.NewGuid().ToString("N")[..8];
        await fixture.Server.Client.CreateVariableAsync(new VariableCreate { Name = text, Value = System.Text.Json.Nodes.JsonValue.Create("<b>not bold</b>"), Tags = ["ops"] });
        await fixture.Server.Client.CreateVariableAsync(new VariableCreate { Name = json, Value = Seed.Json("""{"retries": 3}""") });

        var (page, errors) = await fixture.OpenAsync("variables");

        await Assertions.Expect(page.Locator($"[data-variable='{text}']")).ToContainTextAsync("<b>not bold</b>");
        await Assertions.Expect(page.Locator($"[data-variable='{text}']")).ToContainTextAsync("ops");
        await Assertions.Expect(page.Locator($"[data-variable='{json}']")).ToContainTextAsync("""{"retries":3}""");
        Assert.Equal(0, await page.Locator("main b").CountAsync());
        await Assertions.Expect(page.Locator("nav a[href='variables']")).ToBeVisibleAsync();
        Assert.Empty(errors);
    }
}
