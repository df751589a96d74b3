using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Reeve.Core.FlowRuns;
using Reeve.Core.States;
using Reeve.Core.TaskRuns;

namespace Reeve.Server.Tests.Api;

/// <summary>
/// Walks every endpoint of the server's own OpenAPI document with what an attacker would send: NUL characters, lone
/// surrogates, duplicate keys, null list items, huge numbers and strings, deep nesting, in every field of every body
/// (three levels deep), in every query parameter and path parameter. Each answer must be a 2xx or a 4xx; a 5xx, a hang
/// or a server that stops answering fails the test. An endpoint added without a valid body here fails it too, so the
/// walk always covers the whole API.
/// </summary>
public abstract class HostileInputTests(ServerFixture fixture, ITestOutputHelper output)
{
    private RunningServer Server => fixture.Server;

    /// <summary>Values put in each field, as raw JSON text (escapes kept as escapes, so the server reads them).</summary>
    private static readonly string[] Values =
    [
        "\"\\u0000\"", "\"a\\u0000b\"", "\"\\ud800\"", "\"x\\udc00\"", "\"\\ud83d\"", "null", "[null]", "[\"\\u0000\"]", "[{\"a\":1,\"a\":2}]",
        "{\"a\":1,\"a\":2}", "{\"\\u0000\":1}", "{\"\\ud800\":\"\\ud800\"}", "1e308", "-1e308", "9223372036854775808", "-9223372036854775809",
        "1e15", "-1", "0", "0.5", "\"\"", "true", "{}", "[]", "\"2026-13-45T99:99:99Z\"", "\"0001-01-01T00:00:00Z\"", "\"9999-12-31T23:59:59.9999999Z\"",
        "\"00000000-0000-0000-0000-000000000000\"", $"\"{new string('x', 300_000)}\"",
    ];

    /// <summary>Values for fields nested below the top level: fewer, the ones that found defects.</summary>
    private static readonly string[] NestedValues =
    [
        "\"\\u0000\"", "\"\\ud800\"", "null", "[null]", "[\"\\u0000\"]", "{\"a\":1,\"a\":2}", "1e308", "9223372036854775808", "-1", "\"\"", "{}", "[]",
        $"\"{new string('x', 300_000)}\"",
    ];

    /// <summary>Whole bodies sent to every endpoint that takes one.</summary>
    private static readonly string[] Bodies =
    [
        "[null]", "null", "{\"a\":1,\"a\":2}", "[]", "{}", "\"\\u0000\"", new string('[', 10_000) + new string(']', 10_000),
        string.Concat(Enumerable.Repeat("{\"a\":", 10_000)) + "1" + new string('}', 10_000), $"\"{new string('x', 8 * 1024 * 1024)}\"",
    ];

    // (".." is left out: the client folds it into the path before sending, so it would hit the parent resource.)
    private static readonly string[] PathValues = ["%00", "a%00b", "%ED%A0%80", "%F0%9F", new string('n', 10_000), "%2F"];

    private static readonly string[] QueryValues = ["%00", "%ED%A0%80", "not-a-uuid", new string('q', 10_000), "00000000-0000-0000-0000-000000000000"];

    [Fact]
    public async Task EveryEndpoint_HostileInputInEveryField_IsAnsweredWithoutA5xx()
    {
        var document = (await Server.Http.GetJsonAsync("openapi.json")).Body!.AsObject();
        var schemas = document["components"]!["schemas"]!.AsObject();
        var failures = new List<string>();
        var sent = 0;

        foreach (var (path, operations) in document["paths"]!.AsObject())
        {
            if (!path.StartsWith("/api/", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var (method, operation) in operations!.AsObject())
            {
                // Fresh resources for each endpoint, since what one endpoint accepts may change or remove them.
                var seeded = await SeedAsync();
                var key = $"{method.ToUpperInvariant()} {path}";
                var route = Fill(path["/api/".Length..], seeded);
                var parameters = operation!["parameters"]?.AsArray() ?? [];
                var bodySchema = operation["requestBody"]?["content"]?["application/json"]?["schema"];

                foreach (var query in parameters.Where(p => p!["in"]!.GetValue<string>() == "query").Select(p => p!["name"]!.GetValue<string>()))
                {
                    foreach (var value in QueryValues)
                    {
                        await SendAsync(method, $"{route}?{query}={value}", null);
                    }
                }

                foreach (var name in parameters.Where(p => p!["in"]!.GetValue<string>() == "path").Select(p => p!["name"]!.GetValue<string>()))
                {
                    foreach (var value in PathValues)
                    {
                        await SendAsync(method, Fill(path["/api/".Length..].Replace($"{{{name}}}", value, StringComparison.Ordinal), seeded),
                            bodySchema is null ? null : Fill(BaseBodies.GetValueOrDefault(key, "{}"), seeded));
                    }
                }

                if (bodySchema is null)
                {
                    continue;
                }

                if (!BaseBodies.TryGetValue(key, out var baseText))
                {
                    failures.Add($"{key}: no base body in HostileInputTests.BaseBodies (add a valid one so the walk covers it)");
                    continue;
                }

                var baseBody = JsonNode.Parse(Fill(baseText, seeded))!;
                var first = await SendAsync(method, route, baseBody.ToJsonString());
                if ((int)first.Status >= 300 && first.Status != HttpStatusCode.Conflict)
                {
                    failures.Add($"{key}: the base body was refused ({(int)first.Status} {first.Detail}); the walk would not reach past validation");
                }

                foreach (var body in Bodies)
                {
                    await SendAsync(method, route, body);
                }

                foreach (var fieldPath in FieldPaths(Resolve(bodySchema, schemas), schemas, baseBody is JsonArray ? "[0]" : string.Empty, 0))
                {
                    foreach (var value in fieldPath.Contains('.', StringComparison.Ordinal) || fieldPath.StartsWith('[') ? NestedValues : Values)
                    {
                        await SendAsync(method, route, With(baseBody, fieldPath, value));
                    }
                }
            }
        }

        output.WriteLine($"{sent} requests sent, {failures.Count} failed");
        foreach (var failure in failures)
        {
            output.WriteLine(failure);
        }

        Assert.True(await Server.Client.HealthAsync());
        Assert.Empty(failures);

        // Thousands of refused megabyte bodies later, nothing of them is kept (the server runs in this process).
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        output.WriteLine($"managed heap after the walk: {heap / (1024 * 1024)} MiB");
        Assert.True(heap < 512L * 1024 * 1024, $"The managed heap holds {heap / (1024 * 1024)} MiB after the walk.");

        async Task<ApiResponse> SendAsync(string method, string route, string? body)
        {
            sent++;
            ApiResponse response;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            if (route.StartsWith("events/", StringComparison.Ordinal))
            {
                response = await HeadersOnlyAsync(route, timeout.Token);
            }
            else
            {
                response = await Server.Http.SendJsonAsync(new HttpMethod(method.ToUpperInvariant()), route, body);
            }

            if ((int)response.Status >= 500)
            {
                failures.Add($"{method.ToUpperInvariant()} {Shorten(route)} {Shorten(body ?? string.Empty)} → {(int)response.Status} {Shorten(response.Text)}");
            }

            return response;
        }
    }

    [Fact]
    public async Task HugeValues_DoNotGrowTheServersMemoryWithoutBound()
    {
        var seeded = await SeedAsync();
        var huge = new string('v', 4 * 1024 * 1024);

        // Each is refused, so nothing is kept: memory after a collection stays near where it started.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        for (var i = 0; i < 20; i++)
        {
            var response = await Server.Http.PatchJsonAsync($"deployments/{seeded["deployment"]}", $$"""{"version": "{{huge}}"}""");
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
            Assert.Equal("version", response.Field);
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        Assert.True(after - before < 256L * 1024 * 1024, $"Managed memory grew by {(after - before) / (1024 * 1024)} MiB");
    }

    /// <summary>A valid body per endpoint (placeholders in braces are the seeded resources), so that hostile fields reach past validation.</summary>
    private static readonly Dictionary<string, string> BaseBodies = new(StringComparer.Ordinal)
    {
        ["POST /api/work_pools"] = """{"name": "hostile-new-pool", "type": "process"}""",
        ["PATCH /api/work_pools/{name}"] = """{"description": "d"}""",
        ["POST /api/work_pools/filter"] = """{"work_pools": {"name": {"any_": ["{pool}"]}}, "limit": 5}""",
        ["POST /api/work_pools/count"] = """{"work_pools": {"name": {"any_": ["{pool}"]}}}""",
        ["POST /api/work_pools/{name}/get_scheduled_flow_runs"] = """{"work_queue_names": ["default"], "limit": 5}""",
        ["POST /api/work_pools/{name}/claim_flow_runs"] = """{"work_queue_names": ["default"], "limit": 1, "heartbeat_interval_seconds": 30}""",
        ["POST /api/work_pools/{pool}/queues"] = """{"name": "hostile-queue", "priority": 2}""",
        ["PATCH /api/work_pools/{pool}/queues/{name}"] = """{"description": "d"}""",
        ["POST /api/work_pools/{pool}/queues/filter"] = """{"work_queues": {"name": {"any_": ["default"]}}}""",
        ["POST /api/work_queues/filter"] = """{"work_queues": {"name": {"any_": ["default"]}}, "offset": null}""",
        ["PATCH /api/work_queues/{id}"] = """{"description": "d"}""",
        ["POST /api/work_pools/{pool}/workers/heartbeat"] = """{"name": "hostile-worker", "heartbeat_interval_seconds": 30}""",
        ["POST /api/work_pools/{pool}/workers/filter"] = """{"workers": {"status": {"any_": ["ONLINE"]}}}""",
        ["POST /api/flows"] = """{"name": "hostile-flow-new", "tags": ["a"]}""",
        ["PATCH /api/flows/{id}"] = """{"tags": ["a"]}""",
        ["POST /api/flows/filter"] = """{"flows": {"name": {"any_": ["x"]}}, "sort": "NAME_ASC"}""",
        ["POST /api/flows/count"] = """{"flows": {"name": {"any_": ["x"]}}}""",
        ["POST /api/deployments"] = """{"name": "hostile-deployment-new", "flow_id": "{flow}", "work_pool_name": "{pool}", "tags": ["a"]}""",
        ["PATCH /api/deployments/{id}"] = """{"description": "d"}""",
        ["POST /api/deployments/filter"] = """{"deployments": {"name": {"any_": ["x"]}}}""",
        ["POST /api/deployments/count"] = """{"deployments": {"name": {"any_": ["x"]}}}""",
        ["POST /api/deployments/{id}/create_flow_run"] = """{"parameters": {}, "tags": ["a"]}""",
        ["POST /api/deployments/get_scheduled_flow_runs"] = """{"deployment_ids": ["{deployment}"], "limit": 5}""",
        ["POST /api/deployments/claim_flow_runs"] = """{"deployment_ids": ["{deployment}"], "limit": 1}""",
        ["POST /api/deployments/{id}/schedules"] = """[{"schedule": {"interval": 3600}, "active": false}]""",
        ["PATCH /api/deployments/{id}/schedules/{scheduleId}"] = """{"active": false}""",
        ["POST /api/flow_runs"] = """{"flow_id": "{flow}", "state": {"type": "SCHEDULED"}, "tags": ["a"]}""",
        ["PATCH /api/flow_runs/{id}"] = """{"name": "renamed"}""",
        ["POST /api/flow_runs/filter"] = """{"flow_runs": {"name": {"any_": ["x"]}}, "limit": 5}""",
        ["POST /api/flow_runs/count"] = """{"flow_runs": {"name": {"any_": ["x"]}}}""",
        ["POST /api/flow_runs/history"] = """{"history_start": "2026-01-01T00:00:00Z", "history_end": "2026-01-02T00:00:00Z", "history_interval_seconds": 3600}""",
        ["POST /api/flow_runs/{id}/set_state"] = """{"state": {"type": "SCHEDULED", "message": "m"}, "force": true}""",
        ["POST /api/flow_runs/{id}/heartbeat"] = """{"interval_seconds": 30}""",
        ["POST /api/task_runs"] = """{"task_key": "t", "dynamic_key": "0", "flow_run_id": "{run}", "name": "t-0"}""",
        ["POST /api/task_runs/batch"] = """{"task_runs": [{"id": "{newid}", "flow_run_id": "{run}", "name": "t", "task_key": "t", "dynamic_key": "1", "states": [{"type": "RUNNING", "timestamp": "2026-01-01T00:00:00Z"}]}]}""",
        ["POST /api/task_runs/filter"] = """{"task_runs": {"name": {"any_": ["x"]}}}""",
        ["POST /api/task_runs/count"] = """{"task_runs": {"name": {"any_": ["x"]}}}""",
        ["POST /api/task_runs/{id}/set_state"] = """{"state": {"type": "RUNNING"}, "force": true}""",
        ["POST /api/logs"] = """[{"name": "n", "level": 20, "message": "m", "timestamp": "2026-01-01T00:00:00Z", "flow_run_id": "{run}"}]""",
        ["POST /api/logs/filter"] = """{"logs": {"level": {"ge_": 10}}, "limit": 5}""",
        ["POST /api/credentials"] = """{"name": "hostile-login", "type": "docker-registry-credentials", "data": {"username": "u", "password": "p", "registry_url": "r", "reauth": true}}""",
        ["POST /api/credentials/filter"] = """{"type": "secret", "limit": 5, "offset": null}""",
        ["POST /api/api_keys"] = """{"name": "hostile-key", "role": "worker", "work_pools": ["a"], "expires": "2100-01-01T00:00:00Z"}""",
        ["POST /api/api_keys/filter"] = """{"limit": 5, "offset": 0}""",
        ["PATCH /api/credentials/{id}"] = """{"data": {"value": "changed"}}""",
        ["POST /api/variables"] = """{"name": "hostile_variable", "value": {"a": [1, "b"]}, "tags": ["a"]}""",
        ["POST /api/variables/filter"] = """{"variables": {"name": {"like_": "x"}, "tags": {"all_": ["a"]}}, "sort": "NAME_ASC", "limit": 5}""",
        ["POST /api/variables/count"] = """{"variables": {"name": {"any_": ["x"]}}}""",
        ["PATCH /api/variables/{id}"] = """{"value": "changed", "tags": ["b"]}""",
        ["PATCH /api/variables/name/{name}"] = """{"value": 2}""",
        ["POST /api/work_queues"] = """{"name": "hostile-agent-queue", "priority": 1, "concurrency_limit": 2, "filter": null}""",
        ["POST /api/concurrency_limits"] = """{"tag": "hostile-tag", "concurrency_limit": 2}""",
        ["POST /api/concurrency_limits/filter"] = """{"limit": 5, "offset": 0}""",
        ["POST /api/concurrency_limits/tag/{tag}/reset"] = """{"slot_override": ["{run}"]}""",
        ["POST /api/v2/concurrency_limits"] = """{"name": "hostile-limit", "limit": 2, "slot_decay_per_second": 0.5}""",
        ["POST /api/v2/concurrency_limits/filter"] = """{"limit": 5, "offset": 0}""",
        ["PATCH /api/v2/concurrency_limits/{idOrName}"] = """{"limit": 3}""",
        ["POST /api/v2/concurrency_limits/increment"] = """{"names": ["hostile-limit"], "slots": 1, "mode": "concurrency"}""",
        ["POST /api/v2/concurrency_limits/decrement"] = """{"names": ["hostile-limit"], "slots": 1, "occupancy_seconds": 1.5}""",
        ["POST /api/artifacts"] = """{"key": "hostile-report", "type": "markdown", "data": "# r", "description": "d", "metadata_": {"a": "b"}, "flow_run_id": "{run}"}""",
        ["POST /api/artifacts/filter"] = """{"artifacts": {"key": {"like_": "x", "exists_": true}, "flow_run_id": {"any_": ["{run}"]}}, "sort": "ID_DESC", "limit": 5}""",
        ["POST /api/artifacts/count"] = """{"artifacts": {"type": {"any_": ["markdown"]}}}""",
        ["POST /api/artifacts/latest/filter"] = """{"artifacts": {"key": {"like_": "x"}, "latest_id": {"any_": ["{run}"]}}, "sort": "KEY_ASC", "limit": 5}""",
        ["POST /api/artifacts/latest/count"] = """{"artifacts": {"type": {"not_any_": ["markdown"]}}}""",
        ["PATCH /api/artifacts/{id}"] = """{"data": "# changed", "metadata_": {"c": "d"}}""",
        ["POST /api/block_types"] = """{"name": "Hostile Type New", "slug": "hostile-type-new", "description": "d", "logo_url": null}""",
        ["POST /api/block_types/filter"] = """{"block_types": {"name": {"like_": "x"}, "slug": {"any_": ["secret"]}}, "block_schemas": {"version": {"any_": ["non-versioned"]}}, "limit": 5}""",
        ["PATCH /api/block_types/{id}"] = """{"description": "changed", "code_example": "x"}""",
        ["POST /api/block_schemas"] = """{"fields": {"title": "H", "type": "object", "secret_fields": ["a"]}, "block_type_id": "{blocktype}", "capabilities": ["read-path"], "version": "1"}""",
        ["POST /api/block_schemas/filter"] = """{"block_schemas": {"block_type_id": {"any_": ["{blocktype}"]}, "block_capabilities": {"all_": ["x"]}}, "limit": 5}""",
        ["POST /api/block_documents"] = """{"name": "hostile-doc-new", "data": {"a": "s3cret", "b": 1}, "block_schema_id": "{blockschema}", "block_type_id": "{blocktype}", "is_anonymous": false}""",
        ["POST /api/block_documents/filter"] = """{"block_documents": {"name": {"like_": "h"}, "is_anonymous": {"eq_": false}}, "block_types": {"slug": {"any_": ["secret"]}}, "include_secrets": false, "sort": "NAME_ASC", "limit": 5}""",
        ["POST /api/block_documents/count"] = """{"block_documents": {"id": {"any_": ["{blockdocument}"]}}}""",
        ["PATCH /api/block_documents/{id}"] = """{"data": {"a": "********", "b": 2}, "merge_existing_data": true}""",
        ["POST /api/credentials/resolve"] = """{"flow_run_id": "{run}", "configuration": {"env": {"T": "{{ prefect.blocks.secret.{credentialsname} }}"}, "r": {"$ref": {"block_document_id": "{credentials}"}}}}""",
    };

    private async Task<Dictionary<string, string>> SeedAsync()
    {
        var pool = await Server.Client.PoolAsync();
        var deployment = await Server.Client.DeploymentAsync(pool);
        var schedules = await Server.Http.PostJsonAsync($"deployments/{deployment.Id}/schedules", """[{"schedule": {"interval": 3600}, "active": false}]""");
        var run = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id, new Core.Deployments.DeploymentFlowRunCreate());
        var task = await Server.Client.CreateTaskRunAsync(new TaskRunCreate { FlowRunId = run.Id, TaskKey = "t", DynamicKey = "0", Name = "t-0" });
        var credentials = await Server.Client.CreateCredentialsAsync(new Core.Credentials.CredentialsCreate
        {
            Name = Names.Unique("hostile-secret"),
            Type = "secret",
            Data = Seed.Json("""{"value": "v"}"""),
        });
        var variable = await Server.Client.CreateVariableAsync(new Core.Variables.VariableCreate
        {
            Name = "hostile_" + Guid.NewGuid().ToString("N")[..12],
            Value = System.Text.Json.Nodes.JsonValue.Create(1),
        });
        var limit = await Server.Client.CreateGlobalConcurrencyLimitAsync(new Core.ConcurrencyLimits.GlobalConcurrencyLimitCreate
        {
            Name = Names.Unique("hostile-gcl"),
            Limit = 2,
        });
        var artifact = await Server.Client.CreateArtifactAsync(new Core.Artifacts.ArtifactCreate
        {
            Key = "hostile-" + Guid.NewGuid().ToString("N")[..12],
            Type = "markdown",
            Data = System.Text.Json.Nodes.JsonValue.Create("# seeded"),
            FlowRunId = run.Id,
        });
        await Server.Http.PostJsonAsync("work_pools/", """{"name": "default-agent-pool", "type": "process"}""");
        var tagName = "hostile-tag-" + Guid.NewGuid().ToString("N")[..12];
        var tagLimit = await Server.Http.PostJsonAsync("concurrency_limits/", $$"""{"tag": "{{tagName}}", "concurrency_limit": 1}""");
        var slug = "hostile-type-" + Guid.NewGuid().ToString("N")[..12];
        var blockType = await Server.Http.PostJsonAsync("block_types/", $$"""{"name": "Hostile {{slug}}", "slug": "{{slug}}"}""");
        var blockSchema = await Server.Http.PostJsonAsync("block_schemas/",
            $$"""{"fields": {"title": "{{slug}}", "type": "object", "secret_fields": ["a"]}, "block_type_id": "{{blockType.Body!["id"]}}"}""");
        var blockDocument = await Server.Http.PostJsonAsync("block_documents/",
            $$"""{"name": "doc", "data": {"a": "s3cret"}, "block_schema_id": "{{blockSchema.Body!["id"]}}", "block_type_id": "{{blockType.Body!["id"]}}"}""");
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["tagname"] = tagName,
            ["taglimit"] = tagLimit.Body!["id"]!.GetValue<string>(),
            ["blocktype"] = blockType.Body!["id"]!.GetValue<string>(),
            ["blocktypeslug"] = slug,
            ["blockschema"] = blockSchema.Body!["id"]!.GetValue<string>(),
            ["blockchecksum"] = blockSchema.Body!["checksum"]!.GetValue<string>(),
            ["blockdocument"] = blockDocument.Body!["id"]!.GetValue<string>(),
            ["artifact"] = artifact.Id.ToString(),
            ["artifactkey"] = artifact.Key!,
            ["variable"] = variable.Id.ToString(),
            ["variablename"] = variable.Name,
            ["limit"] = limit.Id.ToString(),
            ["credentials"] = credentials.Id.ToString(),
            ["credentialsname"] = credentials.Name,
            ["pool"] = pool,
            ["queue"] = (await Server.Client.ReadWorkQueueAsync(pool, "default")).Id.ToString(),
            ["flow"] = deployment.FlowId.ToString(),
            ["flowname"] = (await Server.Client.ReadFlowAsync(deployment.FlowId)).Name,
            ["deployment"] = deployment.Id.ToString(),
            ["deploymentname"] = deployment.Name,
            ["schedule"] = schedules.Body![0]!["id"]!.GetValue<string>(),
            ["run"] = run.Id.ToString(),
            ["state"] = run.State!.Id.ToString(),
            ["task"] = task.Id.ToString(),
        };
    }

    /// <summary>Puts the seeded resources into a route or body: each route parameter by what the route is about.</summary>
    private static string Fill(string text, Dictionary<string, string> seeded)
    {
        text = text
            .Replace("work_pools/{name}", $"work_pools/{seeded["pool"]}", StringComparison.Ordinal)
            .Replace("work_pools/{pool}", $"work_pools/{seeded["pool"]}", StringComparison.Ordinal)
            .Replace("queues/{name}", "queues/default", StringComparison.Ordinal)
            .Replace("work_queues/name/{name}", "work_queues/name/default", StringComparison.Ordinal)
            .Replace("work_queues/{id}", $"work_queues/{seeded["queue"]}", StringComparison.Ordinal)
            .Replace("workers/{name}", "workers/hostile-worker", StringComparison.Ordinal)
            .Replace("flows/name/{name}", $"flows/name/{seeded["flowname"]}", StringComparison.Ordinal)
            .Replace("flows/{id}", $"flows/{seeded["flow"]}", StringComparison.Ordinal)
            .Replace("deployments/name/{flow}/{name}", $"deployments/name/{seeded["flowname"]}/{seeded["deploymentname"]}", StringComparison.Ordinal)
            .Replace("deployments/{id}", $"deployments/{seeded["deployment"]}", StringComparison.Ordinal)
            .Replace("schedules/{scheduleId}", $"schedules/{seeded["schedule"]}", StringComparison.Ordinal)
            .Replace("flow_runs/{id}", $"flow_runs/{seeded["run"]}", StringComparison.Ordinal)
            .Replace("flow_run_states/{id}", $"flow_run_states/{seeded["state"]}", StringComparison.Ordinal)
            .Replace("task_runs/{id}", $"task_runs/{seeded["task"]}", StringComparison.Ordinal)
            .Replace("views/{view}", "views/aggregate-worker-metadata", StringComparison.Ordinal)
            .Replace("credentials/{id}", $"credentials/{seeded["credentials"]}", StringComparison.Ordinal)
            .Replace("artifacts/{key}/latest", $"artifacts/{seeded["artifactkey"]}/latest", StringComparison.Ordinal)
            .Replace("artifacts/{id}", $"artifacts/{seeded["artifact"]}", StringComparison.Ordinal)
            .Replace("variables/name/{name}", $"variables/name/{seeded["variablename"]}", StringComparison.Ordinal)
            .Replace("variables/{id}", $"variables/{seeded["variable"]}", StringComparison.Ordinal)
            .Replace("concurrency_limits/{idOrName}", $"concurrency_limits/{seeded["limit"]}", StringComparison.Ordinal)
            .Replace("credentials/{type}/{name}", $"credentials/secret/{seeded["credentialsname"]}", StringComparison.Ordinal)
            .Replace("concurrency_limits/tag/{tag}", $"concurrency_limits/tag/{seeded["tagname"]}", StringComparison.Ordinal)
            .Replace("concurrency_limits/{id}", $"concurrency_limits/{seeded["taglimit"]}", StringComparison.Ordinal)
            .Replace("block_types/slug/{slug}/block_documents/name/{name}", $"block_types/slug/{seeded["blocktypeslug"]}/block_documents/name/doc", StringComparison.Ordinal)
            .Replace("block_types/slug/{slug}", $"block_types/slug/{seeded["blocktypeslug"]}", StringComparison.Ordinal)
            .Replace("block_types/{id}", $"block_types/{seeded["blocktype"]}", StringComparison.Ordinal)
            .Replace("block_schemas/checksum/{checksum}", $"block_schemas/checksum/{seeded["blockchecksum"]}", StringComparison.Ordinal)
            .Replace("block_schemas/{id}", $"block_schemas/{seeded["blockschema"]}", StringComparison.Ordinal)
            .Replace("block_documents/{id}", $"block_documents/{seeded["blockdocument"]}", StringComparison.Ordinal)
            .Replace("{newid}", Guid.NewGuid().ToString(), StringComparison.Ordinal);
        foreach (var (name, value) in seeded)
        {
            text = text.Replace($"{{{name}}}", value, StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>The paths of the fields a schema describes (<c>state.type</c>, <c>[0].message</c>), three levels deep.</summary>
    private static IEnumerable<string> FieldPaths(JsonObject schema, JsonObject schemas, string prefix, int depth)
    {
        if (depth >= 3 || schema["properties"] is not JsonObject properties)
        {
            yield break;
        }

        foreach (var (name, property) in properties)
        {
            var path = prefix.Length == 0 ? name : $"{prefix}.{name}";
            yield return path;
            var resolved = Resolve(property!, schemas);
            if (resolved["properties"] is not null)
            {
                foreach (var inner in FieldPaths(resolved, schemas, path, depth + 1))
                {
                    yield return inner;
                }
            }
            else if (resolved["items"] is { } items && Resolve(items, schemas)["properties"] is not null)
            {
                foreach (var inner in FieldPaths(Resolve(items, schemas), schemas, $"{path}[0]", depth + 1))
                {
                    yield return inner;
                }
            }
        }
    }

    private static JsonObject Resolve(JsonNode schema, JsonObject schemas)
    {
        for (var i = 0; i < 10; i++)
        {
            if (schema["$ref"] is { } reference)
            {
                schema = schemas[reference.GetValue<string>().Split('/')[^1]]!;
            }
            else if (schema["oneOf"] is JsonArray choices)
            {
                schema = choices.FirstOrDefault(c => c!["type"]?.ToString() != "null") ?? schema;
                if (schema["oneOf"] is not null)
                {
                    break;
                }
            }
            else if (schema["type"] is JsonValue type && type.ToString() == "array" && schema["items"] is { } items && schema["properties"] is null
                && Resolve(items, schemas)["properties"] is not null && schema.Parent is null)
            {
                schema = items;
            }
            else
            {
                break;
            }
        }

        return schema.AsObject();
    }

    /// <summary>The base body with the field at <paramref name="path"/> set to a raw JSON value.</summary>
    private static string With(JsonNode baseBody, string path, string rawValue)
    {
        const string Marker = "__hostile_value__";
        var body = baseBody.DeepClone();
        JsonNode node = body;
        var segments = path.Replace("[0]", ".[0]", StringComparison.Ordinal).Split('.', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < segments.Length; i++)
        {
            var last = i == segments.Length - 1;
            if (segments[i] == "[0]")
            {
                var array = node.AsArray();
                if (array.Count == 0)
                {
                    array.Add(new JsonObject());
                }

                if (last)
                {
                    array[0] = Marker;
                }
                else
                {
                    node = array[0] ??= new JsonObject();
                }
            }
            else
            {
                var obj = node.AsObject();
                if (last)
                {
                    obj[segments[i]] = Marker;
                }
                else
                {
                    var next = obj[segments[i]];
                    if (next is null || (segments[i + 1] == "[0]" ? next is not JsonArray : next is not JsonObject))
                    {
                        next = segments[i + 1] == "[0]" ? new JsonArray() : new JsonObject();
                        obj[segments[i]] = next;
                    }

                    node = next;
                }
            }
        }

        return body.ToJsonString().Replace($"\"{Marker}\"", rawValue, StringComparison.Ordinal);
    }

    /// <summary>An event stream's answer: its status, without waiting for events that may never come.</summary>
    private async Task<ApiResponse> HeadersOnlyAsync(string route, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, route);
        using var response = await Server.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var text = (int)response.StatusCode >= 400 ? await response.Content.ReadAsStringAsync(cancellationToken) : string.Empty;
        return new ApiResponse(response.StatusCode, null, text);
    }

    private static string Shorten(string text) => text.Length <= 160 ? text : $"{text[..160]}… ({text.Length} chars)";
}

public sealed class HostileInputTests_Sqlite(SqliteServerFixture fixture, ITestOutputHelper output) : HostileInputTests(fixture, output), IClassFixture<SqliteServerFixture>;

public sealed class HostileInputTests_Postgres(PostgresServerFixture fixture, ITestOutputHelper output) : HostileInputTests(fixture, output), IClassFixture<PostgresServerFixture>;
