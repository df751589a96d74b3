using System.Net;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Reeve.Core.FlowRuns;
using Reeve.Core.States;
using Reeve.Server.Services;

namespace Reeve.Server.Tests.Api;

/// <summary>
/// One test per defect found by probing the server as an attacker would (issue 21), each failing before its fix:
/// schedules that hang or overflow, job variables that bypass the pool's schema, NUL characters, duplicate keys,
/// null items, cross-site requests and DNS rebinding, and claims that held their slots for ever.
/// </summary>
public abstract class HostileInputRegressionTests(ServerFixture fixture)
{
    private RunningServer Server => fixture.Server;

    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(60);

    private static JsonObject RestrictedTemplate() => Seed.Json("""
        {"job_configuration": {"command": "{{ command }}", "env": "{{ env }}"},
         "variables": {"type": "object", "additionalProperties": false, "properties": {
            "command": {"type": "string"},
            "env": {"type": "object", "additionalProperties": {"type": "string"}},
            "size": {"type": "string", "enum": ["small", "large"]},
            "name": {"type": "string", "pattern": "^[a-z]+$"}}}}
        """);

    [Theory]
    [InlineData("""[{"schedule": {"rrule": "FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30"}, "active": true}]""", "[0].schedule.rrule")]
    [InlineData("""[{"schedule": {"rrule": "DTSTART:19000101T000000Z\nFREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30"}, "active": true}]""", "[0].schedule.rrule")]
    [InlineData("""[{"schedule": {"rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"}, "active": true}]""", "[0].schedule.rrule")]
    [InlineData("""[{"schedule": {"interval": 157680000000}, "active": true}]""", "[0].schedule.interval")]
    [InlineData("""[null]""", "[0]")]
    [InlineData("""[{"schedule": {"cron": "* * * * *", "cron": "0 * * * *"}}]""", "[0].schedule")]
    public async Task ASchedule_ThatWouldHangOrBreakTheScheduler_IsRefusedAt_Once(string body, string field)
    {
        var deployment = await Server.Client.DeploymentAsync(await Server.Client.PoolAsync());

        var response = await Server.Http.PostJsonAsync($"deployments/{deployment.Id}/schedules", body).WaitAsync(Hang);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Equal(field, response.Field);
        Assert.Empty(await Server.Client.ReadDeploymentSchedulesAsync(deployment.Id));
    }

    [Theory]
    [InlineData("""{"undeclared": "x"}""", "job_variables.undeclared")]
    [InlineData("""{"size": 5}""", "job_variables.size")]
    [InlineData("""{"size": "huge"}""", "job_variables.size")]
    [InlineData("""{"name": "Not Lower"}""", "job_variables.name")]
    [InlineData("""{"env": {"A": 1}}""", "job_variables.env.A")]
    public async Task AnAdHocRunInAPool_IsHeldToThePoolsVariables(string variables, string field)
    {
        var pool = await Server.Client.PoolAsync(template: RestrictedTemplate());
        var flow = await Server.Client.FlowAsync();

        var response = await Server.Http.PostJsonAsync("flow_runs/",
            $$$"""{"flow_id": "{{{flow.Id}}}", "work_pool_name": "{{{pool}}}", "job_variables": {{{variables}}}, "state": {"type": "SCHEDULED"}}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.StartsWith(field, response.Field, StringComparison.Ordinal);
        Assert.Equal(0, await Server.Client.CountFlowRunsAsync(new FlowRunFilterRequest { Flows = new() { Id = new() { Any = [flow.Id] } } }));
    }

    [Fact]
    public async Task ARedeployThatNamesNoPool_IsHeldToThePoolTheDeploymentIsIn()
    {
        var pool = await Server.Client.PoolAsync(template: RestrictedTemplate());
        var deployment = await Server.Client.DeploymentAsync(pool);

        var response = await Server.Http.PostJsonAsync("deployments/",
            $$$"""{"name": "{{{deployment.Name}}}", "flow_id": "{{{deployment.FlowId}}}", "job_variables": {"undeclared": "x"}}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Equal("job_variables.undeclared", response.Field);
        Assert.Empty((await Server.Client.ReadDeploymentAsync(deployment.Id)).JobVariables);
    }

    [Theory]
    [InlineData("POST", "work_pools/", """{"name": "nul\u0000pool", "type": "process"}""", "name")]
    [InlineData("POST", "flows/", """{"name": "flow", "tags": ["a\u0000"]}""", "tags[0]")]
    [InlineData("POST", "flow_runs/filter", """{"flow_runs": {"name": {"any_": ["\u0000"]}}}""", "flow_runs.name.any_[0]")]
    [InlineData("POST", "flows/", """{"name": "flow", "tags": [null]}""", "tags[0]")]
    [InlineData("POST", "flows/", """{"name": "flow", "name": "other"}""", "name")]
    [InlineData("POST", "work_pools/", """{"name": "dup", "type": "process", "base_job_template": {"job_configuration": {}, "job_configuration": {}}}""", "base_job_template")]
    [InlineData("POST", "logs/", "[null]", "[0]")]
    [InlineData("POST", "task_runs/batch", """{"task_runs": [null]}""", "task_runs[0]")]
    [InlineData("POST", "flow_runs/history", """{"history_start": "0001-01-02T00:00:00Z", "history_end": "9999-12-30T00:00:00Z", "history_interval_seconds": 1e308}""", null)]
    [InlineData("GET", "events/flow_runs?work_pool_name=%00", null, "work_pool_name")]
    public async Task HostileText_GetsA4xxNamingTheField_AndTheServerKeepsAnswering(string method, string path, string? body, string? field)
    {
        for (var i = 0; i < 3; i++)
        {
            var response = await Server.Http.SendJsonAsync(new HttpMethod(method), path, body);

            if (field is null)
            {
                Assert.Equal(HttpStatusCode.OK, response.Status);
            }
            else
            {
                Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
                Assert.Equal(field, response.Field);
            }
        }

        // No pooled connection was left broken by the refused request.
        for (var i = 0; i < 50; i++)
        {
            Assert.True(await Server.Client.HealthAsync());
            Assert.Equal(HttpStatusCode.OK, (await Server.Http.PostJsonAsync("flow_runs/count", "{}")).Status);
        }
    }

    [Fact]
    public async Task NulInALogLineOrAStateMessage_IsKeptEscaped_AndTheRestOfTheBatchIsStored()
    {
        var deployment = await Server.Client.DeploymentAsync(await Server.Client.PoolAsync());
        var run = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id, new Core.Deployments.DeploymentFlowRunCreate());

        var logs = await Server.Http.PostJsonAsync("logs/", $$"""
            [{"name": "a\u0000b", "level": 20, "message": "before\u0000after", "timestamp": "2026-01-01T00:00:00Z", "flow_run_id": "{{run.Id}}"},
             {"name": "n", "level": 20, "message": "lone \ud800 surrogate", "timestamp": "2026-01-01T00:00:01Z", "flow_run_id": "{{run.Id}}"},
             {"name": "n", "level": 20, "message": "plain", "timestamp": "2026-01-01T00:00:02Z", "flow_run_id": "{{run.Id}}"}]
            """);
        var state = await Server.Http.PostJsonAsync($"flow_runs/{run.Id}/set_state", """{"state": {"type": "RUNNING", "message": "x\u0000y"}, "force": true}""");

        Assert.Equal(HttpStatusCode.Created, logs.Status);
        Assert.Equal(HttpStatusCode.Created, state.Status);
        var stored = await Server.Client.FilterLogsAsync(new Core.Logs.LogFilterRequest { Logs = new() { FlowRunId = new() { Any = [run.Id] } } });
        Assert.Equal(["before\\u0000after", "lone \ufffd surrogate", "plain"], stored.Select(l => l.Message));
        Assert.Equal("a\\u0000b", stored[0].Name);
        Assert.Equal("x\\u0000y", (await Server.Client.ReadFlowRunAsync(run.Id)).State!.Message);
    }

    [Fact]
    public async Task CrossSiteWrites_AreRefused_AndChangeNothing()
    {
        var deployment = await Server.Client.DeploymentAsync(await Server.Client.PoolAsync());
        var pause = $"deployments/{deployment.Id}/pause_deployment";

        // A form or text post, as any web page may send without asking.
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await Server.Http.SendJsonAsync(HttpMethod.Post, pause, "x=1", "application/x-www-form-urlencoded")).Status);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await Server.Http.SendJsonAsync(HttpMethod.Post, pause, "{}", "text/plain")).Status);

        // A body-less post from a page on another site: the browser says where it comes from.
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Post, pause, ("Origin", "http://attacker.example"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Post, pause, ("Sec-Fetch-Site", "cross-site"))).StatusCode);
        Assert.False((await Server.Client.ReadDeploymentAsync(deployment.Id)).Paused);

        // A program (Prefect's client posts without a body): accepted; and a page of the server itself.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, pause)).StatusCode);
        var own = new Uri(Server.ApiUrl).GetLeftPart(UriPartial.Authority);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, $"deployments/{deployment.Id}/resume_deployment", ("Origin", own), ("Sec-Fetch-Site", "same-origin"))).StatusCode);
        Assert.False((await Server.Client.ReadDeploymentAsync(deployment.Id)).Paused);
    }

    [Theory]
    [InlineData("attacker.example")]
    [InlineData("rebind.attacker.example:4200")]
    public async Task ARequestForAnotherHostName_IsRefused_DnsRebinding(string host)
    {
        using var response = await SendAsync(HttpMethod.Get, "work_pools/filter", ("Host", host));

        Assert.Equal(HttpStatusCode.MisdirectedRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, "work_pools/count", ("Host", $"localhost:{new Uri(Server.ApiUrl).Port}"))).StatusCode);
    }

    [Fact]
    public async Task TheUisWebSocket_FromAnotherSite_IsRefused()
    {
        var uri = new UriBuilder(Server.ApiUrl) { Scheme = "ws", Path = "/_blazor" }.Uri;
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Origin", "http://attacker.example");
        socket.Options.CollectHttpResponseDetails = true;

        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(uri, CancellationToken.None));

        Assert.Equal(HttpStatusCode.Forbidden, socket.HttpStatusCode);
    }

    [Fact]
    public void TheUi_CallsTheServersOwnAddress_NeverOneABrowserReports()
    {
        using var scope = Server.Server.Services.CreateScope();
        var ui = scope.ServiceProvider.GetRequiredService<Reeve.Ui.UiApi>();

        Assert.Equal(Server.ApiUrl, ui.Client.Options.ApiUrl);
        Assert.DoesNotContain(typeof(Reeve.Ui.UiApi).GetConstructors().SelectMany(c => c.GetParameters()),
            p => p.ParameterType == typeof(Microsoft.AspNetCore.Components.NavigationManager));
    }

    [Theory]
    [InlineData("http://0.0.0.0:4200", "http://127.0.0.1:4200/api")]
    [InlineData("http://[::]:4200", "http://[::1]:4200/api")]
    [InlineData("http://10.1.2.3:4200", "http://10.1.2.3:4200/api")]
    public void TheUisApiAddress_ForAWildcardListenAddress_IsLoopback(string listening, string expected) =>
        Assert.Equal(expected, Hosting.ReeveServer.LocalApiUrl(listening));

    [Fact]
    public async Task AClaimWithoutAHeartbeatInterval_HoldsItsRunsForNinetySeconds_NotForEver()
    {
        var pool = await Server.Client.PoolAsync(limit: 1);
        var deployment = await Server.Client.DeploymentAsync(pool);
        var runs = await Server.DueRunsAsync(deployment, 2);

        var claimed = await Server.Http.PostJsonAsync($"work_pools/{pool}/claim_flow_runs", "{}");
        var id = Guid.Parse(claimed.Body![0]!["flow_run"]!["id"]!.GetValue<string>());

        var foreman = Server.Server.Services.GetServices<IHostedService>().OfType<Foreman>().Single();
        Server.Clock.Advance(TimeSpan.FromSeconds(91));
        await foreman.PassAsync(CancellationToken.None);

        Assert.Equal(runs[0].Id, id);
        Assert.Equal(StateType.Crashed, (await Server.Client.ReadFlowRunAsync(id)).StateType);
        var next = await Server.Http.PostJsonAsync($"work_pools/{pool}/claim_flow_runs", "{}");
        Assert.Equal(runs[1].Id.ToString(), next.Body![0]!["flow_run"]!["id"]!.GetValue<string>());
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path);
        foreach (var (name, value) in headers)
        {
            if (name == "Host")
            {
                request.Headers.Host = value;
            }
            else
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return await Server.Http.SendAsync(request);
    }
}

public sealed class HostileInputRegressionTests_Sqlite(SqliteServerFixture fixture) : HostileInputRegressionTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class HostileInputRegressionTests_Postgres(PostgresServerFixture fixture) : HostileInputRegressionTests(fixture), IClassFixture<PostgresServerFixture>;
