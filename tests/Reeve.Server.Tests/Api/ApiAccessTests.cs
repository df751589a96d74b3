using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Reeve.Client;
using Reeve.Core.Access;
using Reeve.Core.FlowRuns;
using Reeve.Core.States;
using Reeve.Server.Api;

namespace Reeve.Server.Tests.Api;

/// <summary>
/// API keys with roles: the rule table covers every endpoint of the OpenAPI document, each endpoint refuses an
/// anonymous caller (401) and every role its rule does not allow (403), worker keys limited to pools stay in them,
/// and keys are shown once, stored as hashes, revoked and expired.
/// </summary>
public abstract class ApiAccessTests(TestStorage storage) : IAsyncLifetime
{
    private const string Bootstrap = "bootstrap-admin-key-for-tests";
    private RunningServer _server = null!;

    public async ValueTask InitializeAsync()
    {
        if (storage == TestStorage.Postgres)
        {
            TestEnvironment.RequirePostgres();
        }

        _server = await RunningServer.StartAsync(storage, apiKey: Bootstrap);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private HttpClient As(string? key)
    {
        var http = new HttpClient { BaseAddress = _server.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (key is not null)
        {
            http.DefaultRequestHeaders.Authorization = new("Bearer", key);
        }

        return http;
    }

    private async Task<ApiKeyCreated> KeyAsync(string role, params string[] pools) =>
        await _server.Client.CreateApiKeyAsync(new ApiKeyCreate { Name = Names.Unique(role), Role = role, WorkPools = pools });

    private static async Task<HttpStatusCode> StatusAsync(HttpClient http, string method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null || method is "POST" or "PATCH" or "PUT")
        {
            request.Content = new StringContent(body ?? "{}", Encoding.UTF8, "application/json");
        }

        // Headers only: the event stream never ends.
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return response.StatusCode;
    }

    [Fact]
    public async Task EveryEndpointOfTheOpenApiDocument_HasARule_AndEveryRuleAnEndpoint()
    {
        var document = (await _server.Http.GetJsonAsync("openapi.json")).Body!.AsObject();
        var documented = document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(o => $"{o.Key.ToUpperInvariant()} {p.Key}"))
            .Where(e => e.Contains(" /api/", StringComparison.Ordinal) && e is not "GET /api/health" and not "GET /api/ready")
            .ToHashSet(StringComparer.Ordinal);

        var withoutRule = documented.Where(e => !ApiAccess.Rules.ContainsKey(e)).ToList();
        Assert.True(withoutRule.Count == 0, "Endpoints without a rule: " + string.Join(", ", withoutRule));

        // The two routes the document leaves out: itself and the Prometheus scrape.
        var stale = ApiAccess.Rules.Keys.Where(r => !documented.Contains(r) && r is not "GET /api/openapi.json" and not "GET /metrics").ToList();
        Assert.True(stale.Count == 0, "Rules without an endpoint: " + string.Join(", ", stale));
    }

    [Fact]
    public async Task EachEndpoint_RefusesAnonymousCallers_AndEveryRoleItsRuleDoesNotAllow_AndServesTheOthers()
    {
        var keys = new Dictionary<string, string>();
        foreach (var role in ApiRoles.All)
        {
            keys[role] = role == ApiRoles.Admin ? Bootstrap : (await KeyAsync(role)).Key;
        }

        var document = (await _server.Http.GetJsonAsync("openapi.json")).Body!.AsObject();
        var failures = new List<string>();
        using var anonymous = As(null);
        var callers = keys.ToDictionary(k => k.Key, k => As(k.Value));
        try
        {
            foreach (var (path, operations) in document["paths"]!.AsObject().Where(p => p.Key.StartsWith("/api/", StringComparison.Ordinal)))
            {
                foreach (var (verb, _) in operations!.AsObject())
                {
                    var method = verb.ToUpperInvariant();
                    if (!ApiAccess.Rules.TryGetValue($"{method} {path}", out var rule))
                    {
                        continue; // the probes; the test above fails on any other endpoint without a rule
                    }

                    var route = Fill(path)["/api/".Length..];
                    if (await StatusAsync(anonymous, method, route) is not HttpStatusCode.Unauthorized and var anonymousStatus)
                    {
                        failures.Add($"{method} {path} anonymous: {(int)anonymousStatus}");
                    }

                    foreach (var (role, http) in callers)
                    {
                        var allowed = (rule.Allowed & ApiAccess.Flag(role)) != 0;
                        var status = await StatusAsync(http, method, route);
                        if (allowed ? status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden : status != HttpStatusCode.Forbidden)
                        {
                            failures.Add($"{method} {path} {role}: {(int)status}, expected {(allowed ? "served" : "403")}");
                        }
                    }
                }
            }
        }
        finally
        {
            foreach (var http in callers.Values)
            {
                http.Dispose();
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    private static string Fill(string path)
    {
        var filled = new StringBuilder();
        for (var i = 0; i < path.Length; i++)
        {
            if (path[i] != '{')
            {
                filled.Append(path[i]);
                continue;
            }

            var end = path.IndexOf('}', i);
            var name = path[(i + 1)..end];
            filled.Append(name is "id" or "scheduleId" ? Guid.NewGuid().ToString() : "missing-" + name);
            i = end;
        }

        return filled.ToString();
    }

    [Fact]
    public async Task AnUnknownRoute_IsA401WithoutAKey_AndA404WithOne()
    {
        using var anonymous = As(null);
        using var viewer = As((await KeyAsync(ApiRoles.Viewer)).Key);

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(anonymous, "GET", "no_such_thing"));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(viewer, "GET", "no_such_thing"));
    }

    /// <summary>
    /// A block document that holds secrets is credentials on the blocks path too: only the platform team writes it,
    /// a viewer and a worker key limited to pools never read it in plaintext, and every plaintext read is audited.
    /// A flow's result storage (no secrets) is saved by a developer's or a worker's code as Prefect's client does.
    /// </summary>
    [Fact]
    public async Task BlockDocumentsHoldingSecrets_FollowTheCredentialsRules_OnEveryDoor()
    {
        var developerKey = await KeyAsync(ApiRoles.Developer);
        using var developer = As(developerKey.Key);
        using var platform = As((await KeyAsync(ApiRoles.Platform)).Key);
        using var viewer = As((await KeyAsync(ApiRoles.Viewer)).Key);
        using var poolWorker = As((await KeyAsync(ApiRoles.Worker, await _server.Client.PoolAsync())).Key);
        using var worker = As((await KeyAsync(ApiRoles.Worker)).Key);
        var secretType = (await developer.GetJsonAsync("block_types/slug/secret")).Body!;
        var secretSchema = (await developer.PostJsonAsync("block_schemas/filter", $$"""{"block_schemas": {"block_type_id": {"any_": ["{{secretType["id"]}}"]} } }""")).Body![0]!;
        string Document(string name, string value) =>
            $$"""{"name": "{{name}}", "data": {"value": "{{value}}"}, "block_schema_id": "{{secretSchema["id"]}}", "block_type_id": "{{secretType["id"]}}"}""";

        var refused = await developer.PostJsonAsync("block_documents/", Document(Names.Unique("pw"), "p4ssword"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Contains("platform or admin", refused.Detail, StringComparison.Ordinal);
        var made = await platform.PostJsonAsync("block_documents/", Document(Names.Unique("pw"), "p4ssword"));
        Assert.Equal(HttpStatusCode.Created, made.Status);
        var id = made.Body!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(developer, "PATCH", $"block_documents/{id}", """{"data": {"value": "n3w-value"}}"""));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(developer, "DELETE", $"block_documents/{id}"));

        foreach (var reader in new[] { viewer, poolWorker })
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(reader, "GET", $"block_documents/{id}"));
            Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(reader, "GET", $"block_documents/{id}?include_secrets=true"));
            Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(reader, "POST", "block_documents/filter", """{"include_secrets": true}"""));
            Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(reader, "GET", "block_types/slug/secret/block_documents?include_secrets=true"));
        }

        var read = await worker.GetJsonAsync($"block_documents/{id}?include_secrets=true");
        Assert.Equal("p4ssword", read.Body!["data"]!["value"]!.GetValue<string>());
        Assert.Equal("p4ssword", (await developer.GetJsonAsync($"block_documents/{id}?include_secrets=true")).Body!["data"]!["value"]!.GetValue<string>());
        var audited = await _server.Client.ListAuditAsync(new Core.Audit.AuditFilterRequest { Actor = developerKey.Name, Action = "block_document.read_secrets" });
        Assert.Single(audited);

        // A result storage (no secret fields): a developer's flow saves it anonymously.
        var lfs = await developer.PostJsonAsync("block_types/", """{"name": "Local File System", "slug": "local-file-system"}""");
        var lfsId = lfs.Status == HttpStatusCode.Created ? lfs.Body!["id"]!.GetValue<string>() : (await developer.GetJsonAsync("block_types/slug/local-file-system")).Body!["id"]!.GetValue<string>();
        var schema = await developer.PostJsonAsync("block_schemas/", $$"""{"fields": {"title": "LocalFileSystem", "type": "object", "secret_fields": []}, "block_type_id": "{{lfsId}}"}""");
        Assert.Equal(HttpStatusCode.Created, await StatusAsync(developer, "POST", "block_documents/",
            $$"""{"name": null, "data": {"basepath": "/tmp"}, "block_schema_id": "{{schema.Body!["id"]}}", "block_type_id": "{{lfsId}}", "is_anonymous": true}"""));
    }

    [Fact]
    public async Task AWrongRole_IsToldWhichRolesItNeeds()
    {
        using var viewer = As((await KeyAsync(ApiRoles.Viewer)).Key);

        var answer = await viewer.PostJsonAsync("work_pools/", """{"name": "p", "type": "process"}""");

        Assert.Equal(HttpStatusCode.Forbidden, answer.Status);
        Assert.Contains("(viewer) may not POST /api/work_pools/", answer.Detail, StringComparison.Ordinal);
        Assert.Contains("needs one of the roles admin, platform", answer.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWorkerKeyLimitedToPools_ClaimsHeartbeatsAndReportsInThem_AndIsRefusedEverywhereElse()
    {
        var mine = await _server.Client.PoolAsync();
        var other = await _server.Client.PoolAsync();
        var key = await KeyAsync(ApiRoles.Worker, mine);
        using var worker = As(key.Key);
        var myRun = await PendingRunAsync(mine);
        var otherRun = await PendingRunAsync(other);

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(worker, "POST", $"work_pools/{mine}/claim_flow_runs", "{}"));
        Assert.True((int)await StatusAsync(worker, "POST", $"work_pools/{mine}/workers/heartbeat", """{"name": "w"}""") is >= 200 and < 300);
        Assert.Equal(HttpStatusCode.Created, await StatusAsync(worker, "POST", $"flow_runs/{myRun}/set_state", """{"state": {"type": "RUNNING"}}"""));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(worker, "POST", "credentials/resolve", $$"""{"flow_run_id": "{{myRun}}", "configuration": {} }"""));

        var otherTask = (await _server.Http.PostJsonAsync("task_runs/", $$"""{"flow_run_id": "{{otherRun}}", "task_key": "t", "dynamic_key": "0"}""")).Body!["id"]!.GetValue<string>();
        string Lines(Guid run) => $$"""[{"name": "n", "level": 20, "message": "m", "timestamp": "2026-01-01T00:00:00Z", "flow_run_id": "{{run}}"}]""";
        string Batch(Guid run) => $$"""{"task_runs": [{"id": "{{Guid.NewGuid()}}", "flow_run_id": "{{run}}", "name": "t", "task_key": "t", "dynamic_key": "1", "states": [{"type": "RUNNING", "timestamp": "2026-01-01T00:00:00Z"}]}]}""";
        Assert.Equal(HttpStatusCode.Created, await StatusAsync(worker, "POST", "logs/", Lines(myRun)));
        Assert.Equal(HttpStatusCode.NoContent, await StatusAsync(worker, "POST", "task_runs/batch", Batch(myRun)));
        Assert.Equal(HttpStatusCode.Created, await StatusAsync(worker, "POST", "task_runs/", $$"""{"flow_run_id": "{{myRun}}", "task_key": "t", "dynamic_key": "0"}"""));

        var refused = new[]
        {
            ("POST", "logs/", Lines(otherRun)),
            ("POST", "task_runs/batch", Batch(otherRun)),
            ("POST", "task_runs/", $$"""{"flow_run_id": "{{otherRun}}", "task_key": "u", "dynamic_key": "0"}"""),
            ("POST", $"task_runs/{otherTask}/set_state", """{"state": {"type": "RUNNING"}}"""),
            ("POST", $"work_pools/{other}/claim_flow_runs", "{}"),
            ("POST", $"work_pools/{other}/get_scheduled_flow_runs", "{}"),
            ("POST", $"work_pools/{other}/workers/heartbeat", """{"name": "w"}"""),
            ("POST", $"flow_runs/{otherRun}/set_state", """{"state": {"type": "RUNNING"}}"""),
            ("POST", $"flow_runs/{otherRun}/heartbeat", "{}"),
            ("PATCH", $"flow_runs/{otherRun}", """{"infrastructure_pid": "1"}"""),
            ("POST", "credentials/resolve", $$"""{"flow_run_id": "{{otherRun}}", "configuration": {} }"""),
            ("POST", "deployments/claim_flow_runs", """{"deployment_ids": []}"""),
        };
        foreach (var (method, path, body) in refused)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            using var response = await worker.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {path}: {(int)response.StatusCode} {text}");
            Assert.Contains($"'{mine}' only", text, StringComparison.Ordinal);
        }

        Assert.Equal(StateType.Pending, (await _server.Client.ReadFlowRunAsync(otherRun)).State!.Type);
    }

    private async Task<Guid> PendingRunAsync(string pool)
    {
        var deployment = await _server.Client.DeploymentAsync(pool);
        var run = await _server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id, new Core.Deployments.DeploymentFlowRunCreate());
        var pending = await _server.Http.PostJsonAsync($"flow_runs/{run.Id}/set_state", """{"state": {"type": "PENDING"}}""");
        Assert.Equal(HttpStatusCode.Created, pending.Status);
        return run.Id;
    }

    /// <summary>A process pool whose <c>image</c>-like variable <c>command</c> is locked and whose env sets TEAM.</summary>
    private async Task<string> LockedPoolAsync() =>
        await _server.Client.PoolAsync(template: Seed.Json("""
            {
              "job_configuration": {"command": "{{ command }}", "env": "{{ env }}", "working_dir": "{{ working_dir }}"},
              "variables": {
                "type": "object",
                "properties": {
                  "command": {"type": "string", "default": "reeve flow-run execute", "x-reeve-overridable": false},
                  "env": {"type": "object", "default": {"TEAM": "data"}},
                  "working_dir": {"type": "string"}
                }
              }
            }
            """));

    [Fact]
    public async Task ALockedVariable_IsRefusedToADeveloperOnEveryDoor_AndTakenFromPlatform()
    {
        var pool = await LockedPoolAsync();
        using var developer = As((await KeyAsync(ApiRoles.Developer)).Key);
        using var platform = As((await KeyAsync(ApiRoles.Platform)).Key);
        var flow = await _server.Client.FlowAsync();
        var deployment = await _server.Client.DeploymentAsync(pool, flowId: flow.Id);
        var run = await _server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id, new Core.Deployments.DeploymentFlowRunCreate());
        const string locked = """{"command": "/bin/sh -c 'id'"}""";

        var doors = new (string Method, string Path, string Body)[]
        {
            ("POST", "deployments/", $$"""{"name": "{{Names.Unique("d")}}", "flow_id": "{{flow.Id}}", "work_pool_name": "{{pool}}", "job_variables": {{locked}} }"""),
            ("PATCH", $"deployments/{deployment.Id}", $$"""{"job_variables": {{locked}} }"""),
            ("POST", $"deployments/{deployment.Id}/create_flow_run", $$"""{"job_variables": {{locked}} }"""),
            ("POST", "flow_runs/", $$"""{"flow_id": "{{flow.Id}}", "work_pool_name": "{{pool}}", "job_variables": {{locked}}, "state": {"type": "SCHEDULED"} }"""),
            ("PATCH", $"flow_runs/{run.Id}", $$"""{"job_variables": {{locked}} }"""),
            ("PATCH", $"deployments/{deployment.Id}", """{"job_variables": {"env": {"TEAM": null}}}"""),
            ("POST", $"deployments/{deployment.Id}/create_flow_run", """{"job_variables": {"env.TEAM": null}}"""),
        };
        foreach (var (method, path, body) in doors)
        {
            var refused = await developer.SendJsonAsync(new HttpMethod(method), path, body);
            Assert.True(refused.Status == HttpStatusCode.Forbidden, $"{method} {path}: {refused.Status} {refused.Text}");
            Assert.Contains(body.Contains("TEAM", StringComparison.Ordinal) ? "job_variables.env.TEAM" : "job_variables.command", refused.Detail, StringComparison.Ordinal);
        }

        // A developer still sets the variables the pool leaves open, and adds env entries.
        var open = await developer.PatchJsonAsync($"deployments/{deployment.Id}", """{"job_variables": {"working_dir": "/tmp", "env": {"LEVEL": "debug"}}}""");
        Assert.Equal(HttpStatusCode.NoContent, open.Status);

        // The platform team may set it; a developer's later change that keeps it as it is goes through.
        Assert.Equal(HttpStatusCode.NoContent, (await platform.PatchJsonAsync($"deployments/{deployment.Id}", $$"""{"job_variables": {{locked}} }""")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await developer.PatchJsonAsync($"deployments/{deployment.Id}",
            """{"job_variables": {"command": "/bin/sh -c 'id'", "working_dir": "/srv"}}""")).Status);
        Assert.Equal("/bin/sh -c 'id'", (await _server.Client.ReadDeploymentAsync(deployment.Id)).JobVariables!["command"]!.GetValue<string>());
    }

    [Fact]
    public async Task ADeveloper_CannotCarryAValueIntoAPoolThatLocksIt_ByMovingTheDeployment()
    {
        var locked = await LockedPoolAsync();
        var open = await _server.Client.PoolAsync();
        using var developer = As((await KeyAsync(ApiRoles.Developer)).Key);
        var flow = await _server.Client.FlowAsync();
        var name = Names.Unique("d");
        var deploy = $$"""{"name": "{{name}}", "flow_id": "{{flow.Id}}", "work_pool_name": "{{open}}", "job_variables": {"command": "/bin/sh -c id"} }""";
        var created = await developer.PostJsonAsync("deployments/", deploy);
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var id = created.Body!["id"]!.GetValue<string>();

        var moved = await developer.PatchJsonAsync($"deployments/{id}", $$"""{"work_pool_name": "{{locked}}"}""");
        var redeployed = await developer.PostJsonAsync("deployments/", deploy.Replace(open, locked, StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.Forbidden, moved.Status);
        Assert.Contains("job_variables.command", moved.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, redeployed.Status);
        Assert.Contains("job_variables.command", redeployed.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AKey_IsShownOnce_StoredAsAHash_AndRefusedOnceRevoked()
    {
        var created = await KeyAsync(ApiRoles.Developer);
        Assert.StartsWith("reeve_", created.Key, StringComparison.Ordinal);
        Assert.StartsWith(created.Prefix, created.Key, StringComparison.Ordinal);

        var listed = await _server.Http.PostJsonAsync("api_keys/filter", "{}");
        Assert.Contains(created.Name, listed.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(created.Key, listed.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(Server.Storage.ApiKeyStore.Hash(created.Key), listed.Text, StringComparison.Ordinal);
        await AssertNotStoredAsync(created.Key);

        using var developer = As(created.Key);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(developer, "POST", "flows/filter"));

        await _server.Client.RevokeApiKeyAsync(created.Id);

        var refused = await developer.PostJsonAsync("flows/filter", "{}");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.Status);
        Assert.Equal("The API key is not valid for this server.", refused.Detail);
    }

    private async Task AssertNotStoredAsync(string key)
    {
        await using var connection = _server.Storage == TestStorage.Sqlite
            ? (System.Data.Common.DbConnection)new SqliteConnection(_server.Server.Options.Storage.ConnectionString)
            : new Npgsql.NpgsqlConnection(_server.Server.Options.Storage.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, role, work_pools, key_hash, prefix FROM api_key";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = 0;
        while (await reader.ReadAsync())
        {
            rows++;
            for (var i = 0; i < reader.FieldCount; i++)
            {
                Assert.DoesNotContain(key, reader.GetString(i), StringComparison.Ordinal);
            }
        }

        Assert.True(rows > 0);
    }

    [Fact]
    public async Task AnExpiredKey_IsRefusedSayingSo()
    {
        var created = await _server.Client.CreateApiKeyAsync(new ApiKeyCreate
        {
            Name = Names.Unique("short"),
            Role = ApiRoles.Viewer,
            Expires = _server.Clock.GetUtcNow().AddMinutes(5),
        });
        using var viewer = As(created.Key);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(viewer, "POST", "flows/filter"));

        _server.Clock.Advance(TimeSpan.FromMinutes(6));

        var refused = await viewer.PostJsonAsync("flows/filter", "{}");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.Status);
        Assert.Contains("expired", refused.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"name": "k", "role": "root"}""", "role")]
    [InlineData("""{"name": "k", "role": "developer", "work_pools": ["a"]}""", "work_pools")]
    [InlineData("""{"name": "k", "role": "worker", "work_pools": ["a", null]}""", "work_pools[1]")]
    [InlineData("""{"name": "k", "role": "viewer", "expires": "2001-01-01T00:00:00Z"}""", "expires")]
    [InlineData("""{"name": "", "role": "viewer"}""", "name")]
    public async Task ABadKey_IsA422NamingTheField(string body, string field)
    {
        var answer = await _server.Http.PostJsonAsync("api_keys/", body);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.Status);
        Assert.Equal(field, answer.Field);
    }

    [Fact]
    public async Task HostileKeyBodies_AreRefusedWithA4xx_AndMakeNoKey()
    {
        string[] bodies =
        [
            """{"name": "a\u0000b", "role": "viewer"}""",
            """{"name": "k", "role": "vie\u0000wer"}""",
            """{"name": "k", "role": "worker", "work_pools": ["\ud800"]}""",
            """{"name": "k", "name": "j", "role": "viewer"}""",
            """{"name": "k", "role": "viewer", "expires": 1e308}""",
            """{"name": "k", "role": "viewer", "expires": "9999-12-31T23:59:59Z"}""",
            """{"name": "k", "role": "worker", "work_pools": null}""",
            $$"""{"name": "{{new string('k', 8 * 1024 * 1024)}}", "role": "viewer"}""",
            $$"""{"name": "k", "role": "worker", "work_pools": [{{string.Join(", ", Enumerable.Range(0, 101).Select(i => $"\"p{i}\""))}}]}""",
            "[null]",
            new string('[', 10_000) + new string(']', 10_000),
        ];
        foreach (var body in bodies)
        {
            var answer = await _server.Http.PostJsonAsync("api_keys/", body);
            Assert.True((int)answer.Status is >= 400 and < 500 || answer.Status == HttpStatusCode.Created && body.Contains("\"work_pools\": null", StringComparison.Ordinal),
                $"{body[..Math.Min(body.Length, 80)]}: {(int)answer.Status} {answer.Text[..Math.Min(answer.Text.Length, 300)]}");
        }
    }

    [Fact]
    public async Task TwoKeysOfOneName_AreA409_AndOnlyAnAdminMakesKeys()
    {
        var name = Names.Unique("twice");
        await _server.Client.CreateApiKeyAsync(new ApiKeyCreate { Name = name, Role = ApiRoles.Viewer });
        Assert.Equal(HttpStatusCode.Conflict, (await _server.Http.PostJsonAsync("api_keys/", $$"""{"name": "{{name}}", "role": "viewer"}""")).Status);

        using var platform = As((await KeyAsync(ApiRoles.Platform)).Key);
        Assert.Equal(HttpStatusCode.Forbidden, (await platform.PostJsonAsync("api_keys/", """{"name": "mine", "role": "admin"}""")).Status);
    }
}

public sealed class ApiAccessTests_Sqlite() : ApiAccessTests(TestStorage.Sqlite);

public sealed class ApiAccessTests_Postgres() : ApiAccessTests(TestStorage.Postgres);

/// <summary>A server without an API key lets everyone do everything, so it refuses to make keys that would limit no one.</summary>
public sealed class ApiAccessWithoutAKeyTests
{
    [Fact]
    public async Task MakingAKey_IsA409SayingToSetTheServersKeyFirst()
    {
        await using var server = await RunningServer.StartAsync(TestStorage.Sqlite);

        var answer = await server.Http.PostJsonAsync("api_keys/", """{"name": "k", "role": "viewer"}""");

        Assert.Equal(HttpStatusCode.Conflict, answer.Status);
        Assert.Contains("REEVE_SERVER_API_KEY", answer.Detail, StringComparison.Ordinal);
    }
}
