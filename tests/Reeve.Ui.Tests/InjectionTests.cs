using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Reeve.Ui.Tests;

/// <summary>
/// HTML and script in what users and flows write (a pool's description, a deployment's and a run's parameters, a
/// run's state message, its log lines and its artifacts; in a run's name, which may not hold angle brackets, an attempt to break out
/// of an attribute) is shown as text in Chromium: nothing of it runs or renders.
/// </summary>
public sealed class InjectionTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    /// <summary>A payload that, if it were ever parsed as HTML, would set <c>window.__pwned</c> to <paramref name="where"/>.</summary>
    private static string Payload(string where) => $"""<img src="x" onerror="window.__pwned='{where}'"><script>window.__pwned='{where}'</script>""";

    /// <summary>For names, which may not hold <c>&lt;</c> or <c>&gt;</c>: a payload that would break out of an HTML attribute.</summary>
    private static string AttributePayload(string where) => $"\" autofocus onfocus=\"window.__pwned='{where}'\" x=\"";

    [Fact]
    public async Task HtmlAndScript_InEverythingUsersWrite_IsShownAsText_AndNeverRuns()
    {
        TestEnvironment.RequireChromium();
        var http = fixture.Server.Http;
        var pool = Names.Unique("inert");
        Assert.True((await http.PostJsonAsync("work_pools/", new JsonObject
        {
            ["name"] = pool, ["type"] = "process", ["description"] = Payload("pool description"),
        }.ToJsonString())).Status is System.Net.HttpStatusCode.Created);
        var flow = await fixture.Server.Client.FlowAsync();
        var deployment = (await fixture.Server.Client.DeploymentAsync(pool, flowId: flow.Id,
            parameters: new JsonObject { ["x"] = Payload("deployment parameter") })).Id;
        var created = await http.PostJsonAsync("flow_runs/", new JsonObject
        {
            ["flow_id"] = flow.Id.ToString(), ["name"] = AttributePayload("run name"),
            ["parameters"] = new JsonObject { ["x"] = Payload("run parameter") },
            ["state"] = new JsonObject { ["type"] = "SCHEDULED", ["message"] = Payload("state message") },
        }.ToJsonString());
        var run = created.Body?["id"]?.GetValue<string>() ?? throw new InvalidOperationException(created.Text);
        Assert.Equal(System.Net.HttpStatusCode.Created, (await http.PostJsonAsync("logs/", new JsonArray(new JsonObject
        {
            ["name"] = "flow", ["level"] = 40, ["message"] = Payload("log line"),
            ["timestamp"] = TimeProvider.System.GetUtcNow().ToString("O"), ["flow_run_id"] = run,
        }).ToJsonString())).Status);

        Assert.Equal(System.Net.HttpStatusCode.Created, (await http.PostJsonAsync("artifacts/", new JsonObject
        {
            ["key"] = "inert-report", ["type"] = "markdown", ["data"] = Payload("artifact"), ["flow_run_id"] = run,
        }.ToJsonString())).Status);

        foreach (var (path, shown) in new[]
        {
            ($"work-pools/{pool}", new[] { "pool description" }),
            ($"deployments/{deployment}", ["deployment parameter"]),
            ($"runs/{run}", ["run name", "run parameter", "state message", "log line", "artifact"]),
            ("runs", ["run name"]),
        })
        {
            var (page, errors) = await fixture.OpenAsync(path);
            foreach (var where in shown)
            {
                // As text, quotes and all (a JSON view escapes the inner quotes, so only the part before them is compared).
                if (where != "run name")
                {
                    await Assertions.Expect(page.Locator("main")).ToContainTextAsync("<img src=");
                }

                await Assertions.Expect(page.Locator("main")).ToContainTextAsync($"window.__pwned='{where}'");
            }

            Assert.Equal(0, await page.Locator("main img, main script").CountAsync());
            Assert.Equal("undefined", await page.EvaluateAsync<string>("() => typeof window.__pwned"));
            Assert.Empty(errors);
            await page.Context.CloseAsync();
        }
    }
}
