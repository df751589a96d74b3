using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Reeve.Core.Deployments;
using Reeve.Core.FlowRuns;
using Reeve.Core.Orchestration;
using Reeve.Core.States;
using Reeve.Server.Services;

namespace Reeve.Server.Tests.Api;

/// <summary>
/// Reeve's batch claims (<c>work_pools/{name}/claim_flow_runs</c>, <c>deployments/claim_flow_runs</c>): one request
/// moves the due runs to PENDING for its caller; racing callers get different runs, never the same one twice, and
/// the limits hold as they do for single proposals — including when both kinds race on PostgreSQL.
/// </summary>
public abstract class ClaimTests(ServerFixture fixture)
{
    private RunningServer Server => fixture.Server;

    [Fact]
    public async Task APoolClaim_TakesTheDueRunsUpToThePoolsLimit_EarliestFirst_AndHoldsThemForTheWorker()
    {
        var pool = await Server.Client.PoolAsync(limit: 3);
        var deployment = await Server.Client.DeploymentAsync(pool);
        var runs = await Server.DueRunsAsync(deployment, 5);

        var claimed = await Server.Client.ClaimRunsOfPoolAsync(pool, new WorkerClaimRequest { Limit = 10, HeartbeatIntervalSeconds = 30 });

        Assert.Equal(runs.Take(3).Select(r => r.Id), claimed.Select(c => c.FlowRun.Id));
        Assert.All(claimed, c => Assert.Equal(StateType.Pending, c.FlowRun.StateType));
        Assert.All(claimed, c => Assert.Equal("default", c.FlowRun.WorkQueueName));
        Assert.Empty(await Server.Client.ClaimRunsOfPoolAsync(pool, new WorkerClaimRequest { Limit = 10 }));
        Assert.Equal(StateType.Scheduled, (await Server.Client.ReadFlowRunAsync(runs[3].Id)).StateType);

        // Held as a heartbeat would hold them: lost (CRASHED by the foreman) only after three intervals.
        var foreman = Server.Server.Services.GetServices<IHostedService>().OfType<Foreman>().Single();
        Server.Clock.Advance(TimeSpan.FromSeconds(89));
        await foreman.PassAsync(CancellationToken.None);
        Assert.Equal(StateType.Pending, (await Server.Client.ReadFlowRunAsync(claimed[0].FlowRun.Id)).StateType);
        Server.Clock.Advance(TimeSpan.FromSeconds(2));
        await foreman.PassAsync(CancellationToken.None);
        Assert.Equal(StateType.Crashed, (await Server.Client.ReadFlowRunAsync(claimed[0].FlowRun.Id)).StateType);
    }

    [Fact]
    public async Task RacingPoolClaimsAndSingleProposals_NeverClaimARunTwice_NorExceedTheLimit()
    {
        const int count = 120;
        const int limit = 7;
        var pool = await Server.Client.PoolAsync(limit: limit);
        var deployment = await Server.Client.DeploymentAsync(pool);
        await Server.DueRunsAsync(deployment, count);
        var claims = new ConcurrentDictionary<Guid, int>();
        var completed = 0;
        using var giveUp = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        bool Working() => Volatile.Read(ref completed) < count && !giveUp.IsCancellationRequested;

        async Task HoldAndCompleteAsync(Guid id)
        {
            Assert.Equal(1, claims.AddOrUpdate(id, 1, (_, n) => n + 1));
            Assert.Equal(OrchestrationStatus.Accept, (await Server.Client.SetFlowRunStateAsync(id, new StateCreate { Type = StateType.Running })).Status);
            Assert.Equal(OrchestrationStatus.Accept, (await Server.Client.SetFlowRunStateAsync(id, new StateCreate { Type = StateType.Completed })).Status);
            Interlocked.Increment(ref completed);
        }

        async Task BatchClaimerAsync()
        {
            while (Working())
            {
                var claimed = await Server.Client.ClaimRunsOfPoolAsync(pool, new WorkerClaimRequest { Limit = 4 });
                foreach (var run in claimed)
                {
                    await HoldAndCompleteAsync(run.FlowRun.Id);
                }

                if (claimed.Count == 0)
                {
                    await Task.Delay(10); // the pool is full: as a worker would, wait for a slot to come back
                }
            }
        }

        async Task SingleClaimerAsync()
        {
            while (Working())
            {
                var offered = await Server.Client.ReadScheduledRunsOfPoolAsync(pool, new WorkerScheduledRunsRequest { Limit = 3 });
                foreach (var run in offered.OrderBy(_ => Random.Shared.Next()))
                {
                    if ((await Server.Client.SetFlowRunStateAsync(run.FlowRun.Id, new StateCreate { Type = StateType.Pending })).Status == OrchestrationStatus.Accept)
                    {
                        await HoldAndCompleteAsync(run.FlowRun.Id);
                    }
                }

                if (offered.Count == 0)
                {
                    await Task.Delay(10);
                }
            }
        }

        var sampler = Task.Run(async () =>
        {
            var most = 0;
            while (Working())
            {
                most = Math.Max(most, await Server.Client.CountFlowRunsAsync(new FlowRunFilterRequest
                {
                    WorkPools = new() { Name = new() { Any = [pool] } },
                    FlowRuns = new() { State = new() { Type = new() { Any = [StateType.Pending, StateType.Running] } } },
                }));
                await Task.Delay(5);
            }

            return most;
        });

        await Task.WhenAll([
            .. Enumerable.Range(0, 12).Select(_ => Task.Run(BatchClaimerAsync)),
            .. Enumerable.Range(0, 4).Select(_ => Task.Run(SingleClaimerAsync)),
        ]);

        Assert.False(giveUp.IsCancellationRequested, $"Only {completed} of {count} runs were completed in two minutes.");
        Assert.Equal(count, claims.Count);
        Assert.All(claims.Values, n => Assert.Equal(1, n));
        Assert.InRange(await sampler, 1, limit);
    }

    [Fact]
    public async Task ADeploymentClaim_TakesOnlyRunsDueNow_AndTwoServersShareThem()
    {
        var deployment = await Server.Client.DeploymentAsync();
        var due = await Server.DueRunsAsync(deployment, 6);
        var later = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id, new DeploymentFlowRunCreate
        {
            State = new StateCreate { Type = StateType.Scheduled, StateDetails = new StateDetails { ScheduledTime = Server.Clock.GetUtcNow().AddMinutes(5) } },
        });
        var request = new DeploymentScheduledRunsRequest { DeploymentIds = [deployment.Id], Limit = 4 };

        var claims = await Task.WhenAll(Server.Client.ClaimRunsOfDeploymentsAsync(request), Server.Client.ClaimRunsOfDeploymentsAsync(request));

        var claimed = claims.SelectMany(c => c).ToList();
        Assert.Equal(due.Select(r => r.Id).Order(), claimed.Select(r => r.Id).Order());
        Assert.All(claimed, r => Assert.Equal(StateType.Pending, r.StateType));
        Assert.Empty(await Server.Client.ClaimRunsOfDeploymentsAsync(request));
        Assert.Equal(StateType.Scheduled, (await Server.Client.ReadFlowRunAsync(later.Id)).StateType);
    }

    [Theory]
    [InlineData("""{"limit": 500}""", "limit")]
    [InlineData("""{"heartbeat_interval_seconds": 0}""", "heartbeat_interval_seconds")]
    [InlineData("""{"work_queue_names": ["nope"]}""", null)]
    public async Task APoolClaim_BadInput_IsA4xxNamingTheField(string body, string? field)
    {
        var pool = await Server.Client.PoolAsync();
        var deployment = await Server.Client.DeploymentAsync(pool);
        var run = (await Server.DueRunsAsync(deployment, 1))[0];

        var response = await Server.Http.PostJsonAsync($"work_pools/{pool}/claim_flow_runs", body);

        Assert.True(response.Status is HttpStatusCode.UnprocessableEntity or HttpStatusCode.NotFound, $"{response.Status}");
        if (field is not null)
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
            Assert.Contains(field, response.Body!.ToJsonString(), StringComparison.Ordinal);
        }

        Assert.Equal(StateType.Scheduled, (await Server.Client.ReadFlowRunAsync(run.Id)).StateType);
    }

    [Fact]
    public async Task APoolClaim_ForAnUnknownPool_Is404() =>
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.PostJsonAsync("work_pools/no-such-pool/claim_flow_runs", "{}")).Status);
}

public sealed class ClaimTests_Sqlite(SqliteServerFixture fixture) : ClaimTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class ClaimTests_Postgres(PostgresServerFixture fixture) : ClaimTests(fixture), IClassFixture<PostgresServerFixture>;
