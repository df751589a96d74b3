using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Reeve.Core.Deployments;

namespace Reeve.Server.Tests.Api;

/// <summary>
/// Two hundred clients at once, for a minute, doing what a busy installation does at the same time: workers claiming
/// (in batches, and one by one as Prefect's workers do) and running what they claimed, producers creating runs of
/// deployments and ad-hoc runs in the pool, the scheduler planning, deployments changed so that their runs are planned
/// again, workers beating and pages reading. Every answer must be a 2xx or 4xx (a deadlock between two of these was a
/// 500 on PostgreSQL), and no run may be claimed twice.
/// </summary>
public abstract class MixedRaceTests(TestStorage storage, TimeSpan duration)
{
    private const int Deployments = 5;

    [Fact]
    public async Task TwoHundredClients_MixingClaimsCreatesSchedulesAndStateChanges_GetNo5xx_AndNoRunIsClaimedTwice()
    {
        if (storage == TestStorage.Postgres)
        {
            TestEnvironment.RequirePostgres();
        }

        await using var server = await RunningServer.StartAsync(storage, realClock: true,
            configure: o => o with { SchedulerInterval = TimeSpan.FromSeconds(1), LateRunsInterval = TimeSpan.FromSeconds(1) });
        var pool = await server.Client.PoolAsync(limit: 40);
        var deployments = new List<Deployment>();
        for (var i = 0; i < Deployments; i++)
        {
            var deployment = await server.Client.DeploymentAsync(pool);
            await server.Http.PostJsonAsync($"deployments/{deployment.Id}/schedules", """[{"schedule": {"interval": 5}}]""");
            deployments.Add(deployment);
        }

        var flow = deployments[0].FlowId;
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 256 };
        using var http = new HttpClient(handler) { BaseAddress = server.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var failures = new ConcurrentQueue<string>();
        var claims = new ConcurrentDictionary<string, int>();
        var requests = 0L;
        using var stop = new CancellationTokenSource(duration);

        async Task<JsonNode?> SendAsync(HttpMethod method, string path, string? body)
        {
            Interlocked.Increment(ref requests);
            var response = await http.SendJsonAsync(method, path, body);
            if ((int)response.Status >= 500)
            {
                failures.Enqueue($"{method} {path} → {(int)response.Status} {response.Text}");
            }

            return (int)response.Status < 300 ? response.Body : null;
        }

        async Task RunAsync(string id)
        {
            if (claims.AddOrUpdate(id, 1, (_, n) => n + 1) > 1)
            {
                failures.Enqueue($"run {id} was claimed twice");
            }

            await SendAsync(HttpMethod.Post, $"flow_runs/{id}/set_state", """{"state": {"type": "RUNNING"}}""");
            await SendAsync(HttpMethod.Post, $"flow_runs/{id}/set_state", """{"state": {"type": "COMPLETED"}}""");
        }

        Deployment AnyDeployment() => deployments[Random.Shared.Next(deployments.Count)];

        Func<Task>[] roles =
        [
            async () =>
            {
                // A worker claiming in batches, and running what it got.
                var claimed = await SendAsync(HttpMethod.Post, $"work_pools/{pool}/claim_flow_runs", """{"limit": 3, "heartbeat_interval_seconds": 30}""");
                foreach (var run in claimed?.AsArray() ?? [])
                {
                    await RunAsync(run!["flow_run"]!["id"]!.GetValue<string>());
                }
            },
            async () =>
            {
                // A Prefect worker: read the due runs, then propose PENDING for each.
                var due = await SendAsync(HttpMethod.Post, $"work_pools/{pool}/get_scheduled_flow_runs", """{"limit": 3}""");
                foreach (var run in due?.AsArray() ?? [])
                {
                    var id = run!["flow_run"]!["id"]!.GetValue<string>();
                    var result = await SendAsync(HttpMethod.Post, $"flow_runs/{id}/set_state", """{"state": {"type": "PENDING"}}""");
                    if (result?["status"]?.GetValue<string>() == "ACCEPT")
                    {
                        await RunAsync(id);
                    }
                }
            },
            () => SendAsync(HttpMethod.Post, $"deployments/{AnyDeployment().Id}/create_flow_run", "{}"),
            () => SendAsync(HttpMethod.Post, $"deployments/{AnyDeployment().Id}/create_flow_run", """{"state": {"type": "SCHEDULED"}}"""),
            () => SendAsync(HttpMethod.Post, "flow_runs/", $$$"""{"flow_id": "{{{flow}}}", "work_pool_name": "{{{pool}}}", "state": {"type": "SCHEDULED"}}"""),
            () => SendAsync(HttpMethod.Patch, $"deployments/{AnyDeployment().Id}", $$$"""{"parameters": {"n": {{{Random.Shared.Next(1000)}}}}}"""),
            () => SendAsync(HttpMethod.Post, $"work_pools/{pool}/workers/heartbeat", $$"""{"name": "w{{Random.Shared.Next(20)}}", "heartbeat_interval_seconds": 30}"""),
            () => SendAsync(HttpMethod.Post, "flow_runs/filter", """{"limit": 20, "sort": "EXPECTED_START_TIME_DESC"}"""),
        ];
        int[] clientsPerRole = [60, 20, 30, 20, 20, 15, 15, 20];
        Assert.Equal(200, clientsPerRole.Sum());

        var clients = roles.SelectMany((role, i) => Enumerable.Range(0, clientsPerRole[i]).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await role();
            }
        })));
        await Task.WhenAll(clients);

        Assert.False(claims.IsEmpty, "No run was claimed: the race did not happen.");
        Assert.True(requests > 1000, $"Only {requests} requests were answered.");
        Assert.True(failures.IsEmpty, $"{failures.Count} failures, the first ones:\n{string.Join('\n', failures.Take(20))}\n--- the server's errors ---\n{string.Join('\n', server.Logs.Errors.Take(5))}");
    }
}

public sealed class MixedRaceTests_Sqlite() : MixedRaceTests(TestStorage.Sqlite, TimeSpan.FromSeconds(20));

public sealed class MixedRaceTests_Postgres() : MixedRaceTests(TestStorage.Postgres, TimeSpan.FromSeconds(60));
