using System.Net;
using System.Text;
using Reeve.Core.WorkPools;

namespace Reeve.Server.Tests.Api;

/// <summary>Every kind of bad request gets a 4xx problem that names the field and the reason, never a 500.</summary>
public abstract class BadInputTests(ServerFixture fixture)
{
    private const string Pool = "bad-input-pool";

    private RunningServer Server => fixture.Server;

    public static TheoryData<string, string, string?, string?> Requests => new()
    {
        // method, path, body, field the error must name (null: the body as a whole or none)
        { "POST", "work_pools/", """{"name": "x", "type": "process" """, "body" },
        { "POST", "work_pools/", "not json at all", "body" },
        { "POST", "work_pools/", """{"name": 5, "type": "process"}""", "name" },
        { "POST", "work_pools/", """{"name": "x", "type": "process", "concurrency_limit": "five"}""", "concurrency_limit" },
        { "POST", "work_pools/", """{"name": "x", "type": "process", "concurrency_limit": 1.5}""", "concurrency_limit" },
        { "POST", "work_pools/", """{"name": "x", "type": "process", "concurrency_limit": -1}""", "concurrency_limit" },
        { "POST", "work_pools/", """{"name": "x", "type": "process", "concurrency_limit": 99999999999}""", "concurrency_limit" },
        { "POST", "work_pools/", """{"name": "x", "type": "process", "is_paused": "yes"}""", "is_paused" },
        { "POST", "work_pools/", """{"type": "process"}""", "name" },
        { "POST", "work_pools/", """{"name": "x"}""", "type" },
        { "POST", "work_pools/", """{"name": "x", "type": "process", "colour": "red"}""", "colour" },
        { "POST", "work_pools/", """{"name": "a/b", "type": "process"}""", "name" },
        { "POST", "work_pools/", """{"name": "   ", "type": "process"}""", "name" },
        { "POST", "work_pools/", $$"""{"name": "{{new string('n', 10_000)}}", "type": "process"}""", "name" },
        { "POST", "work_pools/", """{"name": null, "type": "process"}""", "name" },
        { "POST", "work_pools/", """{"name": "x", "type": null}""", "type" },
        { "POST", "work_pools/", """{"name": "x", "type": "process", "base_job_template": "nope"}""", "base_job_template" },
        { "POST", "work_pools/", """{"name": "x", "type": "process", "base_job_template": {"job_configuration": []}}""", "base_job_template" },
        { "POST", "work_pools/", """{"name": "x", "type": "process", "storage_configuration": {"bucket": 1}}""", "storage_configuration.bucket" },
        { "POST", "work_pools/", "[]", "body" },
        { "POST", "work_pools/", "\"a string\"", "body" },
        { "POST", "work_pools/", "null", "body" },
        { "POST", "work_pools/", "", "body" },
        { "POST", "work_pools/", new string('[', 500) + new string(']', 500), "body" },
        { "PATCH", $"work_pools/{Pool}", """{"concurrency_limit": -1}""", "concurrency_limit" },
        { "PATCH", $"work_pools/{Pool}", """{"name": "renamed"}""", "name" },
        { "PATCH", $"work_pools/{Pool}", """{"is_paused": null}""", "is_paused" },
        { "PATCH", $"work_pools/{Pool}", """{"base_job_template": {"job_configuration": {"a": "{{ b }}"}, "variables": {"type": "object"}}}""", "base_job_template.job_configuration" },
        { "POST", "work_pools/filter", """{"limit": 500}""", "limit" },
        { "POST", "work_pools/filter", """{"limit": -1}""", "limit" },
        { "POST", "work_pools/filter", """{"offset": -1}""", "offset" },
        { "POST", "work_pools/filter", """{"work_pools": {"name": {"any_": "x"}}}""", "work_pools.name.any_" },
        { "POST", "work_pools/filter", """{"work_pools": {"id": {"any_": ["not-a-uuid"]}}}""", "work_pools.id.any_[0]" },
        { "POST", "work_pools/filter", """{"work_pools": {"operator": "xor_"}}""", "work_pools.operator" },
        { "POST", "work_pools/count", """{"work_pools": 5}""", "work_pools" },
        { "POST", $"work_pools/{Pool}/queues", """{"name": "q", "priority": "high"}""", "priority" },
        { "POST", $"work_pools/{Pool}/queues", """{"name": "q", "priority": -3}""", "priority" },
        { "POST", $"work_pools/{Pool}/queues", """{"priority": 2}""", "name" },
        { "PATCH", $"work_pools/{Pool}/queues/default", """{"name": ""}""", "name" },
        { "PATCH", $"work_pools/{Pool}/queues/default", """{"priority": 0}""", "priority" },
        { "POST", $"work_pools/{Pool}/workers/heartbeat", """{"name": ""}""", "name" },
        { "POST", $"work_pools/{Pool}/workers/heartbeat", """{"name": "w", "heartbeat_interval_seconds": "often"}""", "heartbeat_interval_seconds" },
        { "POST", $"work_pools/{Pool}/workers/filter", """{"workers": {"status": {"any_": ["SLEEPING"]}}}""", "workers.status.any_[0]" },
        { "POST", $"work_pools/{Pool}/workers/filter", """{"workers": {"last_heartbeat_time": {"after_": "yesterday"}}}""", "workers.last_heartbeat_time.after_" },
        { "POST", "flows/", """{"name": "a/b"}""", "name" },
        { "POST", "flows/", """{"tags": ["x"]}""", "name" },
        { "POST", "flows/filter", """{"sort": "SIDEWAYS"}""", "sort" },
        { "POST", "deployments/", """{"name": "d"}""", "flow_id" },
        { "POST", "deployments/", """{"name": "d", "flow_id": "not-a-uuid"}""", "flow_id" },
        { "POST", "deployments/", """{"name": "d", "flow_id": "00000000-0000-0000-0000-000000000000", "concurrency_options": {"collision_strategy": "DROP"}}""", "concurrency_options.collision_strategy" },
        { "POST", "deployments/", """{"name": "d", "flow_id": "00000000-0000-0000-0000-000000000000", "parameters": [1]}""", "parameters" },
        { "POST", "deployments/get_scheduled_flow_runs", "{}", "deployment_ids" },
        { "POST", "deployments/filter", """{"deployments": {"paused": {"eq_": "yes"}}}""", "deployments.paused.eq_" },
        { "POST", "flow_runs/", "{}", "flow_id" },
        { "POST", "flow_runs/", """{"flow_id": "00000000-0000-0000-0000-000000000000", "state": {"type": "WAITING"}}""", "state.type" },
        { "POST", "flow_runs/filter", """{"sort": "BEST_FIRST"}""", "sort" },
        { "POST", "flow_runs/history", """{"history_end": "2026-01-02T00:00:00Z", "history_interval_seconds": 3600}""", "history_start" },
        { "POST", "flow_runs/history", """{"history_start": "2026-01-01T00:00:00Z", "history_end": "2026-01-02T00:00:00Z", "history_interval_seconds": 0.5}""", "history_interval_seconds" },
        { "POST", "flow_runs/history", """{"history_start": "2026-01-01T00:00:00Z", "history_end": "2026-01-02T00:00:00Z", "history_interval_seconds": 60}""", "history_interval_seconds" },
        { "POST", "flow_runs/history", """{"history_start": "2026-01-02T00:00:00Z", "history_end": "2026-01-01T00:00:00Z", "history_interval_seconds": 3600}""", "history_end" },
        { "POST", "flow_runs/history", """{"history_start": "yesterday", "history_end": "2026-01-01T00:00:00Z", "history_interval_seconds": 3600}""", "history_start" },
        { "POST", "flow_runs/filter", """{"flow_runs": {"state": {"type": {"any_": ["DONE"]}}}}""", "flow_runs.state.type.any_[0]" },
        { "POST", "flow_runs/filter", """{"flow_runs": {"start_time": {"before_": "soon"}}}""", "flow_runs.start_time.before_" },
        { "POST", $"flow_runs/{Guid.Empty}/set_state", """{"force": true}""", "state" },
        { "POST", $"flow_runs/{Guid.Empty}/set_state", """{"state": {"type": "RUNNING", "state_details": {"scheduled_time": 5}}}""", "state.state_details.scheduled_time" },
        { "GET", "flow_run_states/", null, "flow_run_id" },
        { "GET", "flow_run_states/?flow_run_id=not-a-uuid", null, "flow_run_id" },
        { "GET", "task_run_states?task_run_id=7", null, "task_run_id" },
        { "GET", "events/flow_runs?flow_run_id=x", null, "flow_run_id" },
        { "POST", "task_runs/", """{"task_key": "t"}""", "dynamic_key" },
        { "POST", "logs/", """{"name": "n"}""", "body" },
        { "POST", "logs/", """[{"name": "n", "level": "info", "message": "m", "timestamp": "2026-11-27T00:00:00Z"}]""", "[0].level" },
        { "POST", "logs/", """[{"name": "n", "level": 20, "timestamp": "2026-11-27T00:00:00Z"}]""", "[0].message" },
        { "POST", "logs/filter", """{"logs": {"level": {"ge_": "high"}}}""", "logs.level.ge_" },
        { "POST", "work_pools/bad-input-pool/get_scheduled_flow_runs", """{"work_queue_names": "default"}""", "work_queue_names" },
        { "GET", $"flow_runs/{Guid.Empty}", null, null },
        { "GET", "flow_runs/not-a-uuid", null, null },
        { "PATCH", $"deployments/{Guid.Empty}", """{"paused": true}""", null },
        { "GET", "work_pools/a%2Fb", null, null },
        { "GET", "work_pools/", null, null },
        { "GET", "no/such/endpoint", null, null },
        { "DELETE", "work_pools/never-created", null, null },
        { "GET", "collections/views/unknown-view", null, null },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task BadRequest_Gets4xxProblemNamingTheField(string method, string path, string? body, string? field)
    {
        await EnsurePoolAsync();

        var response = await Server.Http.SendJsonAsync(new HttpMethod(method), path, body);

        Assert.InRange((int)response.Status, 400, 499);
        Assert.False(string.IsNullOrWhiteSpace(response.Detail), $"No detail in: {response.Text}");
        Assert.DoesNotContain("System.", response.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("Nullable<", response.Detail, StringComparison.Ordinal);
        if (field is not null)
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
            Assert.Equal(field, response.Field);
            Assert.StartsWith(field, response.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task BadRequests_ChangeNothing()
    {
        await EnsurePoolAsync();
        var before = await Server.Client.ReadWorkPoolAsync(Pool);

        foreach (var row in Requests)
        {
            var (method, path, body, _) = row.Data;
            await Server.Http.SendJsonAsync(new HttpMethod(method), path, body);
        }

        var after = await Server.Client.ReadWorkPoolAsync(Pool);
        Assert.Equal(before.ConcurrencyLimit, after.ConcurrencyLimit);
        Assert.Equal(before.Updated, after.Updated);
        Assert.Equal(0, await Server.Client.CountWorkPoolsAsync(new WorkPoolFilter { Name = new() { Any = ["x", "a/b"] } }));
        Assert.Single(await Server.Client.FilterWorkQueuesAsync(Pool));
        Assert.True(await Server.Client.HealthAsync());
    }

    [Fact]
    public async Task WrongContentType_Returns415()
    {
        var response = await Server.Http.SendJsonAsync(HttpMethod.Post, "work_pools/", """{"name": "x", "type": "process"}""", "text/plain");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.Status);
        Assert.NotNull(response.Detail);
    }

    [Fact]
    public async Task BodyOverTheLimit_Returns413()
    {
        // A client of a large body announces it and waits for the server's go-ahead, as well-behaved clients do,
        // and gets the refusal instead. Spoken over a socket, so that no client timer sends the body meanwhile
        // (HttpClient sends it after a second without an answer, and then meets a closed connection).
        var api = new Uri(Server.ApiUrl);
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(api.Host, api.Port);
        await using var stream = tcp.GetStream();
        var head = $"POST {api.AbsolutePath}/work_pools/ HTTP/1.1\r\nHost: {api.Authority}\r\nContent-Type: application/json\r\n" +
            $"Content-Length: {11 * 1024 * 1024}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));

        using var reader = new StreamReader(stream, Encoding.UTF8);
        var answer = await reader.ReadToEndAsync();

        Assert.StartsWith("HTTP/1.1 413", answer, StringComparison.Ordinal);
        Assert.Contains("limit", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidUtf8_Returns422()
    {
        using var content = new ByteArrayContent([(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}']);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await Server.Http.PostAsync("work_pools/", content);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
    }

    private async Task EnsurePoolAsync()
    {
        var response = await Server.Http.PostJsonAsync("work_pools/", $$"""{"name": "{{Pool}}", "type": "process", "concurrency_limit": 7}""");
        Assert.True(response.Status is HttpStatusCode.Created or HttpStatusCode.Conflict, response.Text);
    }
}

public sealed class BadInputTests_Sqlite(SqliteServerFixture fixture) : BadInputTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class BadInputTests_Postgres(PostgresServerFixture fixture) : BadInputTests(fixture), IClassFixture<PostgresServerFixture>;
