using System.Net;
using System.Net.WebSockets;
using Reeve.Client;
using Reeve.Core.Access;

namespace Reeve.Server.Tests.Api;

/// <summary>
/// The UI's door on a server that asks for a key: without the sign-in cookie no UI route answers anything of
/// substance (pages redirect to the sign-in page; Blazor's WebSocket, its negotiation and its script are 401s); the
/// sign-in page takes a key of any role, checks it as the API does, and never redirects off the server.
/// </summary>
public sealed class UiAccessTests : IAsyncLifetime
{
    private const string Bootstrap = "bootstrap-admin-key-for-ui-tests";
    private RunningServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await RunningServer.StartAsync(TestStorage.Sqlite, apiKey: Bootstrap);

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private Uri Root => new(_server.Http.BaseAddress!, "/");

    /// <summary>A client that neither follows redirects nor keeps cookies: each request says exactly what it sends.</summary>
    private HttpClient Browser(string? cookie = null)
    {
        var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = Root };
        if (cookie is not null)
        {
            http.DefaultRequestHeaders.Add("Cookie", cookie);
        }

        return http;
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient http, string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return response.StatusCode;
    }

    /// <summary>Signs in with <paramref name="key"/>; the cookie (name=value) and where the browser is sent.</summary>
    private async Task<(HttpStatusCode Status, string? Cookie, string? Location, string Body)> SignInAsync(string key, string returnTo = "/work-pools")
    {
        using var http = Browser();
        using var response = await http.PostAsync("ui/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["key"] = key,
            ["return"] = returnTo,
        }));
        var cookie = response.Headers.TryGetValues("Set-Cookie", out var values)
            ? values.Select(v => v.Split(';')[0]).FirstOrDefault(v => v.StartsWith("reeve_ui_key=", StringComparison.Ordinal))
            : null;
        return (response.StatusCode, cookie, response.Headers.Location?.ToString(), await response.Content.ReadAsStringAsync());
    }

    private async Task<HttpStatusCode?> WebSocketStatusAsync(string? cookie)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (cookie is not null)
        {
            socket.Options.SetRequestHeader("Cookie", cookie);
        }

        var address = new UriBuilder(Root) { Scheme = "ws", Path = "/_blazor" }.Uri;
        try
        {
            await socket.ConnectAsync(address, TestContext.Current.CancellationToken);
            return HttpStatusCode.SwitchingProtocols;
        }
        catch (WebSocketException)
        {
            return socket.HttpStatusCode;
        }
    }

    [Fact]
    public async Task WithoutTheCookie_PagesGoToSignIn_AndBlazorsConnectionScriptAndTheApiAre401s()
    {
        using var anonymous = Browser();

        using (var page = await anonymous.GetAsync("work-pools?x=1"))
        {
            Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
            Assert.Equal("/ui/sign-in?return=%2Fwork-pools%3Fx%3D1", page.Headers.Location?.ToString());
        }

        Assert.Equal(HttpStatusCode.Redirect, await StatusAsync(anonymous, "GET", ""));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(anonymous, "GET", "_framework/blazor.web.js"));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(anonymous, "POST", "_blazor/negotiate?negotiateVersion=1"));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(anonymous, "GET", "_blazor"));
        Assert.Equal(HttpStatusCode.Unauthorized, await WebSocketStatusAsync(cookie: null));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(anonymous, "GET", "api/openapi.json"));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(anonymous, "GET", "api/events/flow_runs"));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(anonymous, "POST", "no/such/route"));

        // What answers: the sign-in page, its stylesheet and the probes.
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(anonymous, "GET", "ui/sign-in"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(anonymous, "GET", "ui/reeve.css"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(anonymous, "GET", "api/health"));

        // A key in the API's header does not open the UI: the UI takes only its cookie (and the API only the header).
        anonymous.DefaultRequestHeaders.Authorization = new("Bearer", Bootstrap);
        Assert.Equal(HttpStatusCode.Redirect, await StatusAsync(anonymous, "GET", "work-pools"));
    }

    [Theory]
    [InlineData(ApiRoles.Admin)]
    [InlineData(ApiRoles.Platform)]
    [InlineData(ApiRoles.Developer)]
    [InlineData(ApiRoles.Worker)]
    [InlineData(ApiRoles.Viewer)]
    public async Task AKeyOfEachRole_SignsIn_AndItsCookieOpensThePagesAndTheConnection_ButNotTheApi(string role)
    {
        var key = await _server.Client.CreateApiKeyAsync(new ApiKeyCreate { Name = Names.Unique(role), Role = role });

        var (status, cookie, location, _) = await SignInAsync(key.Key);

        Assert.Equal(HttpStatusCode.Redirect, status);
        Assert.Equal("/work-pools", location);
        Assert.NotNull(cookie);
        Assert.DoesNotContain(key.Key, cookie, StringComparison.Ordinal);
        using var browser = Browser(cookie);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(browser, "GET", "work-pools"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(browser, "GET", "_framework/blazor.web.js"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(browser, "POST", "_blazor/negotiate?negotiateVersion=1"));
        Assert.Equal(HttpStatusCode.SwitchingProtocols, await WebSocketStatusAsync(cookie));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(browser, "POST", "api/work_pools/filter"));
    }

    [Fact]
    public async Task AWrongKey_IsRefusedOnThePage_AndARevokedKeysCookieNoLongerOpensTheUi()
    {
        var (status, cookie, _, body) = await SignInAsync("reeve_not-a-key");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Null(cookie);
        Assert.Contains("The API key is not valid for this server.", body, StringComparison.Ordinal);

        var key = await _server.Client.CreateApiKeyAsync(new ApiKeyCreate { Name = Names.Unique("viewer"), Role = ApiRoles.Viewer });
        (_, cookie, _, _) = await SignInAsync(key.Key);
        using var browser = Browser(cookie);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(browser, "GET", "work-pools"));

        await _server.Client.RevokeApiKeyAsync(key.Id);

        Assert.Equal(HttpStatusCode.Redirect, await StatusAsync(browser, "GET", "work-pools"));
        Assert.Equal(HttpStatusCode.Unauthorized, await WebSocketStatusAsync(cookie));
    }

    [Fact]
    public async Task AForgedCookie_OpensNothing()
    {
        using var browser = Browser("reeve_ui_key=" + Uri.EscapeDataString(Bootstrap));
        Assert.Equal(HttpStatusCode.Redirect, await StatusAsync(browser, "GET", "work-pools"));
        Assert.Equal(HttpStatusCode.Unauthorized, await WebSocketStatusAsync("reeve_ui_key=CfDJ8" + new string('A', 200)));
    }

    [Theory]
    [InlineData("//elsewhere.example/x")]
    [InlineData("https://elsewhere.example/")]
    [InlineData("/\\elsewhere.example")]
    [InlineData("javascript:alert(1)")]
    public async Task SigningIn_NeverSendsTheBrowserOffTheServer(string returnTo)
    {
        var (status, _, location, _) = await SignInAsync(Bootstrap, returnTo);

        Assert.Equal(HttpStatusCode.Redirect, status);
        Assert.Equal("/", location);
    }

    [Fact]
    public async Task HostileSignInForms_AreA4xx_AndSetNoCookie()
    {
        using var http = Browser();
        using var huge = await http.PostAsync("ui/sign-in", new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = new string('k', 64 * 1024) }));
        Assert.InRange((int)huge.StatusCode, 400, 499);
        Assert.False(huge.Headers.Contains("Set-Cookie"));

        using var json = await http.PostAsync("ui/sign-in", new StringContent("""{"key": "x"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);

        var (status, cookie, _, _) = await SignInAsync("reeve_\0\ud800");
        Assert.InRange((int)status, 400, 499);
        Assert.Null(cookie);

        using var crossSite = new HttpRequestMessage(HttpMethod.Post, "ui/sign-in")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = Bootstrap }),
        };
        crossSite.Headers.Add("Origin", "https://elsewhere.example");
        using var refused = await http.SendAsync(crossSite);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.False(refused.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task SigningOut_ClearsTheCookie()
    {
        var (_, cookie, _, _) = await SignInAsync(Bootstrap);
        using var browser = Browser(cookie);

        using var answer = await browser.PostAsync("ui/sign-out", content: null);

        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.Contains(answer.Headers.GetValues("Set-Cookie"), c => c.StartsWith("reeve_ui_key=;", StringComparison.Ordinal));
    }
}
