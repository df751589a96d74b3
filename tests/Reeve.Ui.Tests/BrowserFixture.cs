using Microsoft.Playwright;

namespace Reeve.Ui.Tests;

/// <summary>
/// A real server (SQLite, real clock) and Debian's Chromium, headless, driven by Playwright: shared by a test
/// class. Each test opens its own page; console errors of a page fail its test. Screenshots of each page go to
/// the test output folder (screenshots/), which is not committed.
/// </summary>
public class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public RunningServer Server { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The UI's address: the server's root.</summary>
    public string Url => Server.ApiUrl[..^"/api".Length] + "/";

    /// <summary>The key the server requires, if any.</summary>
    public virtual string? ApiKey => null;

    public static string Screenshots { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async ValueTask InitializeAsync()
    {
        Server = await RunningServer.StartAsync(TestStorage.Sqlite, apiKey: ApiKey, realClock: true);
        if (!File.Exists(TestEnvironment.Chromium))
        {
            return;
        }

        Directory.CreateDirectory(Screenshots);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = TestEnvironment.Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>A new page at <paramref name="path"/> (relative to the UI's root), <paramref name="width"/> pixels wide, collecting console errors.</summary>
    public async Task<(IPage Page, List<string> Errors)> OpenAsync(string path = "", int width = 1280)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = 900 } });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => errors.Add(error);
        await page.GotoAsync(Url + path);
        await WaitForInteractiveAsync(page);
        return (page, errors);
    }

    /// <summary>
    /// A new page at <paramref name="path"/> on a server that asks for a key: the browser is sent to the sign-in page,
    /// signs in with <paramref name="key"/> and comes back to <paramref name="path"/>, connected.
    /// </summary>
    public async Task<(IPage Page, List<string> Errors)> SignInAsync(string path, string key)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => errors.Add(error);
        await page.GotoAsync(Url + path);
        await page.GetByLabel("API key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await WaitForInteractiveAsync(page);
        return (page, errors);
    }

    /// <summary>Until the page is connected (its layout says so once rendered interactively) and past its loading line.</summary>
    public static async Task WaitForInteractiveAsync(IPage page)
    {
        await page.WaitForFunctionAsync("() => document.querySelector('[data-interactive=true]') && !document.querySelector('main').innerText.startsWith('Loading')");
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });

    public virtual async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await Server.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
