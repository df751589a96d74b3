using Reeve.Client;
using Reeve.Core.Deployments;
using Reeve.Core.Flows;
using Reeve.Core.FlowRuns;
using Reeve.Core.States;
using Reeve.Core.WorkPools;

namespace Reeve.Bench.Scenarios;

/// <summary>
/// <c>create_flow_run</c> and <c>set_state</c>: throughput and latency with 8 concurrent clients. With
/// <c>REEVE_BENCH_KEYS=1</c> the server requires API keys: runs are created with a developer key and moved with a
/// worker key limited to the pool (the dearest check: the run's pool is read for each state change).
/// </summary>
internal sealed class ApiScenario : IScenario
{
    private const int Clients = 8;

    public string Name => "api";

    public string Description => "create_flow_run and set_state: requests per second and p50 / p99 with 8 concurrent clients";

    public async Task<IReadOnlyList<Measurement>> RunAsync(BenchOptions options)
    {
        var runs = options.Quick ? 500 : 10_000;
        var keyed = Environment.GetEnvironmentVariable("REEVE_BENCH_KEYS") == "1";
        const string bootstrap = "bench-bootstrap-admin-key";
        await using var server = await ServerProcess.StartAsync(options.Storage, apiKey: keyed ? bootstrap : null);
        using var admin = new ReeveClient(new ReeveClientOptions { ApiUrl = server.ApiUrl, ApiKey = keyed ? bootstrap : null });
        await admin.CreateWorkPoolAsync(new WorkPoolCreate { Name = "bench", Type = "process" });
        using var client = keyed ? await KeyedClientAsync(admin, server.ApiUrl, "developer") : admin;
        using var worker = keyed ? await KeyedClientAsync(admin, server.ApiUrl, "worker", "bench") : admin;
        var flow = await client.CreateFlowAsync(new FlowCreate { Name = "bench-flow" });
        var deployment = await client.CreateDeploymentAsync(new DeploymentCreate
        {
            Name = "bench",
            FlowId = flow.Id,
            WorkPoolName = "bench",
            ParameterOpenapiSchema = System.Text.Json.Nodes.JsonNode.Parse("""{"type": "object", "properties": {"n": {"type": "integer"}}}""")!.AsObject(),
        });

        await LoadRunner.WarmUpAsync(options.WarmUp, Clients, async _ =>
        {
            var run = await client.CreateFlowRunFromDeploymentAsync(deployment.Id);
            await worker.SetFlowRunStateAsync(run.Id, new StateCreate { Type = StateType.Running });
            await worker.SetFlowRunStateAsync(run.Id, new StateCreate { Type = StateType.Completed });
        });

        // The floor: what the HTTP stack and the middleware cost with no storage at all (GET /api/health), on the same
        // cores and clients, so that the figures below can be read against it.
        using var http = new HttpClient { BaseAddress = new Uri(server.ApiUrl + "/") };
        var floor = await LoadRunner.RunAsync(runs, Clients, async _ =>
        {
            using var response = await http.GetAsync("health");
            response.EnsureSuccessStatusCode();
        });

        var ids = new Guid[runs];
        var create = await LoadRunner.RunAsync(runs, Clients, async i =>
            ids[i] = (await client.CreateFlowRunFromDeploymentAsync(deployment.Id, new DeploymentFlowRunCreate
            {
                Parameters = new System.Text.Json.Nodes.JsonObject { ["n"] = i },
            })).Id);
        var running = await LoadRunner.RunAsync(runs, Clients, i =>
            worker.SetFlowRunStateAsync(ids[i], new StateCreate { Type = StateType.Running }));
        var completed = await LoadRunner.RunAsync(runs, Clients, i =>
            worker.SetFlowRunStateAsync(ids[i], new StateCreate { Type = StateType.Completed }));

        var storage = keyed ? options.Storage + ", keys" : options.Storage;
        return
        [
            new(Name, "floor: GET /api/health: throughput", floor.PerSecond, "req/s", storage),
            new(Name, "floor: GET /api/health: p50 latency", floor.P50, "ms", storage),
            new(Name, $"create_flow_run: throughput ({runs:N0} runs)", create.PerSecond, "req/s", storage),
            new(Name, "create_flow_run: p50 latency", create.P50, "ms", storage),
            new(Name, "create_flow_run: p99 latency", create.P99, "ms", storage),
            new(Name, "set_state SCHEDULED→RUNNING: throughput", running.PerSecond, "req/s", storage),
            new(Name, "set_state SCHEDULED→RUNNING: p50 latency", running.P50, "ms", storage),
            new(Name, "set_state SCHEDULED→RUNNING: p99 latency", running.P99, "ms", storage),
            new(Name, "set_state RUNNING→COMPLETED: throughput", completed.PerSecond, "req/s", storage),
            new(Name, "set_state RUNNING→COMPLETED: p50 latency", completed.P50, "ms", storage),
            new(Name, "set_state RUNNING→COMPLETED: p99 latency", completed.P99, "ms", storage),
        ];
    }

    private static async Task<ReeveClient> KeyedClientAsync(ReeveClient admin, string apiUrl, string role, params string[] pools)
    {
        var key = await admin.CreateApiKeyAsync(new Core.Access.ApiKeyCreate { Name = $"bench-{role}", Role = role, WorkPools = pools });
        return new ReeveClient(new ReeveClientOptions { ApiUrl = apiUrl, ApiKey = key.Key });
    }
}
