using System.Collections.Concurrent;
using Reeve.Core.Deployments;
using Reeve.Core.FlowRuns;
using Reeve.Core.Orchestration;
using Reeve.Core.States;
using Reeve.Core.WorkPools;
using Reeve.Core.WorkQueues;

namespace Reeve.Server.Tests.Api;

/// <summary>
/// Limits are decided when a run is claimed, from run states inside the claiming transaction: racing claimers
/// cannot overshoot them, and slots come back the moment a run ends, crashes or is deleted.
/// </summary>
public abstract class ConcurrencyLimitTests(ServerFixture fixture)
{
    private RunningServer Server => fixture.Server;

    private Task<OrchestrationResult> Propose(Guid run, StateType type) =>
        Server.Client.SetFlowRunStateAsync(run, new StateCreate { Type = type });

    private static readonly IReadOnlyList<StateType> Active = [StateType.Pending, StateType.Running, StateType.Cancelling];

    private Task<int> ActiveAsync(string pool, string? queue) => Server.Client.CountFlowRunsAsync(new FlowRunFilterRequest
    {
        WorkPools = new() { Name = new() { Any = [pool] } },
        FlowRuns = new()
        {
            State = new() { Type = new() { Any = [.. Active] } },
            WorkQueueName = queue is null ? null : new() { Any = [queue] },
        },
    });

    [Fact]
    public async Task ThirtyTwoClaimers_OverAThousandRuns_NeverClaimTwice_NorExceedThePoolLimit()
    {
        const int limit = 5;
        var pool = await Server.Client.PoolAsync(limit: limit);
        await ClaimRaceAsync(pool, queue: null, runs: 1000, limit);
    }

    [Fact]
    public async Task ThirtyTwoClaimers_NeverExceedAQueueLimit_InAPoolWithoutOne()
    {
        // The pool has no limit, so only the queue's slots stand between the claimers: they are counted under the
        // pool's lock all the same.
        const int limit = 3;
        var pool = await Server.Client.PoolAsync();
        await Server.Client.CreateWorkQueueAsync(pool, new WorkQueueCreate { Name = "narrow", ConcurrencyLimit = limit });
        await ClaimRaceAsync(pool, queue: "narrow", runs: 300, limit);
    }

    /// <summary>
    /// 32 claimers, as workers would, take the pool's (or the queue's) due runs through PENDING, RUNNING and COMPLETED
    /// while a sampler counts the runs holding a slot: no run is claimed twice, every run is completed once, and the
    /// slots in use never pass the limit.
    /// </summary>
    private async Task ClaimRaceAsync(string pool, string? queue, int runs, int limit)
    {
        var deployment = await Server.Client.DeploymentAsync(pool, queue);
        await Server.DueRunsAsync(deployment, runs, queue);

        var claims = new ConcurrentDictionary<Guid, int>();
        var duplicates = 0;
        var completed = 0;
        using var done = new CancellationTokenSource();

        var sampler = Task.Run(async () =>
        {
            var highest = 0;
            while (!done.IsCancellationRequested)
            {
                highest = Math.Max(highest, await ActiveAsync(pool, queue));
                await Task.Delay(2);
            }

            return highest;
        });

        async Task ClaimerAsync()
        {
            while (Volatile.Read(ref completed) < runs)
            {
                var page = await Server.Client.ReadScheduledRunsOfPoolAsync(pool, new WorkerScheduledRunsRequest
                {
                    Limit = 10,
                    WorkQueueNames = queue is null ? null : [queue],
                });
                if (page.Count == 0)
                {
                    // Nothing free to claim: poll again shortly, as a worker would.
                    await Task.Delay(5);
                    continue;
                }

                // Like a worker: try the offered runs in its own order, and stop at a full pool.
                foreach (var offered in page.OrderBy(_ => Random.Shared.Next()))
                {
                    var answer = await Propose(offered.FlowRun.Id, StateType.Pending);
                    if (answer.Status == OrchestrationStatus.Reject)
                    {
                        break;
                    }

                    if (answer.Status != OrchestrationStatus.Accept)
                    {
                        continue;
                    }

                    if (claims.AddOrUpdate(offered.FlowRun.Id, 1, (_, n) => n + 1) > 1)
                    {
                        Interlocked.Increment(ref duplicates);
                    }

                    Assert.Equal(OrchestrationStatus.Accept, (await Propose(offered.FlowRun.Id, StateType.Running)).Status);
                    Assert.Equal(OrchestrationStatus.Accept, (await Propose(offered.FlowRun.Id, StateType.Completed)).Status);
                    Interlocked.Increment(ref completed);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(ClaimerAsync)));
        await done.CancelAsync();
        var highestSeen = await sampler;

        Assert.Equal(0, duplicates);
        Assert.Equal(runs, claims.Count);
        Assert.Equal(runs, await Server.Client.CountFlowRunsAsync(new FlowRunFilterRequest
        {
            WorkPools = new() { Name = new() { Any = [pool] } },
            FlowRuns = new() { State = new() { Type = new() { Any = [StateType.Completed] } } },
        }));
        Assert.InRange(highestSeen, 1, limit);
    }

    [Theory]
    [InlineData("crash")]
    [InlineData("cancel")]
    [InlineData("delete")]
    [InlineData("complete")]
    public async Task ARunThatEnds_FreesItsSlotAtOnce(string how)
    {
        var pool = await Server.Client.PoolAsync(limit: 1);
        var deployment = await Server.Client.DeploymentAsync(pool);
        var (first, second) = ((await Server.DueRunsAsync(deployment, 1))[0], (await Server.DueRunsAsync(deployment, 1))[0]);
        Assert.Equal(OrchestrationStatus.Accept, (await Propose(first.Id, StateType.Pending)).Status);
        await Propose(first.Id, StateType.Running);

        var blocked = await Propose(second.Id, StateType.Pending);
        Assert.Equal(OrchestrationStatus.Reject, blocked.Status);
        Assert.Contains($"work pool '{pool}' is at its concurrency limit", blocked.Details.Reason, StringComparison.Ordinal);
        Assert.Equal(StateType.Scheduled, blocked.State!.Type);
        Assert.Empty(await Server.Client.ReadScheduledRunsOfPoolAsync(pool));

        switch (how)
        {
            case "crash":
                await Propose(first.Id, StateType.Crashed);
                break;
            case "cancel":
                Assert.Equal(OrchestrationStatus.Accept, (await Propose(first.Id, StateType.Cancelling)).Status);
                Assert.Equal(OrchestrationStatus.Reject, (await Propose(second.Id, StateType.Pending)).Status);
                await Propose(first.Id, StateType.Cancelled);
                break;
            case "delete":
                await Server.Client.DeleteFlowRunAsync(first.Id);
                break;
            default:
                await Propose(first.Id, StateType.Completed);
                break;
        }

        Assert.Equal([second.Id], (await Server.Client.ReadScheduledRunsOfPoolAsync(pool)).Select(r => r.FlowRun.Id));
        Assert.Equal(OrchestrationStatus.Accept, (await Propose(second.Id, StateType.Pending)).Status);
    }

    [Fact]
    public async Task RunsBlockedByAFullDeployment_DoNotHoldBackAnotherDeploymentsRuns()
    {
        var pool = await Server.Client.PoolAsync();
        var busy = await Server.Client.DeploymentAsync(pool, limit: 1);
        var other = await Server.Client.DeploymentAsync(pool);
        var blocked = await Server.DueRunsAsync(busy, 300);
        var free = await Server.DueRunsAsync(other, 5);

        var page = await Server.Client.ReadScheduledRunsOfPoolAsync(pool, new WorkerScheduledRunsRequest { Limit = 10 });

        // One slot of the busy deployment, and every run of the other one, although 300 earlier runs wait.
        Assert.Equal(6, page.Count);
        Assert.Equal(blocked[0].Id, page[0].FlowRun.Id);
        Assert.Equal(free.Select(r => r.Id).Order(), page.Skip(1).Select(r => r.FlowRun.Id).Order());

        Assert.Equal(OrchestrationStatus.Accept, (await Propose(blocked[0].Id, StateType.Pending)).Status);
        var next = await Server.Client.ReadScheduledRunsOfPoolAsync(pool, new WorkerScheduledRunsRequest { Limit = 10 });
        Assert.Equal(free.Select(r => r.Id).Order(), next.Select(r => r.FlowRun.Id).Order());
    }

    [Fact]
    public async Task FullDeployment_Enqueue_ReschedulesTheRunAsAwaitingConcurrencySlot()
    {
        var deployment = await Server.Client.DeploymentAsync(await Server.Client.PoolAsync(), limit: 1, strategy: CollisionStrategy.Enqueue);
        var runs = await Server.DueRunsAsync(deployment, 2);
        await Propose(runs[0].Id, StateType.Pending);

        var answer = await Propose(runs[1].Id, StateType.Pending);

        Assert.Equal(OrchestrationStatus.Reject, answer.Status);
        Assert.Equal((StateType.Scheduled, "AwaitingConcurrencySlot"), (answer.State!.Type, answer.State.Name));
        Assert.Equal(Server.Clock.GetUtcNow().AddSeconds(5), answer.State.StateDetails.ScheduledTime!.Value, TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task FullDeployment_CancelNew_CancelsTheRun()
    {
        var deployment = await Server.Client.DeploymentAsync(await Server.Client.PoolAsync(), limit: 1, strategy: CollisionStrategy.CancelNew);
        var runs = await Server.DueRunsAsync(deployment, 2);
        await Propose(runs[0].Id, StateType.Pending);

        var answer = await Propose(runs[1].Id, StateType.Pending);

        Assert.Equal((OrchestrationStatus.Reject, StateType.Cancelled), (answer.Status, answer.State!.Type));
        Assert.Equal("Deployment concurrency limit reached.", answer.State.Message);
    }

    [Fact]
    public async Task QueueLimit_AndQueuePriority_DecideWhatIsHandedOut()
    {
        var pool = await Server.Client.PoolAsync();
        await Server.Client.CreateWorkQueueAsync(pool, new WorkQueueCreate { Name = "urgent", Priority = 1, ConcurrencyLimit = 1 });
        var deployment = await Server.Client.DeploymentAsync(pool);
        var normal = await Server.DueRunsAsync(deployment, 2);
        var urgent = await Server.DueRunsAsync(deployment, 3, queue: "urgent");

        var page = await Server.Client.ReadScheduledRunsOfPoolAsync(pool);

        Assert.Equal([urgent[0].Id, normal[0].Id, normal[1].Id], page.Select(r => r.FlowRun.Id));
        await Propose(urgent[0].Id, StateType.Pending);
        var blocked = await Propose(urgent[1].Id, StateType.Pending);
        Assert.Contains("work queue 'urgent' is at its concurrency limit", blocked.Details.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PausedPoolOrQueue_HandsOutNothing_AndRefusesClaims()
    {
        var pool = await Server.Client.PoolAsync();
        var deployment = await Server.Client.DeploymentAsync(pool);
        var run = (await Server.DueRunsAsync(deployment, 1))[0];

        await Server.Client.UpdateWorkPoolAsync(pool, new WorkPoolUpdate { IsPaused = true });
        Assert.Empty(await Server.Client.ReadScheduledRunsOfPoolAsync(pool));
        Assert.Contains("is paused", (await Propose(run.Id, StateType.Pending)).Details.Reason, StringComparison.Ordinal);

        await Server.Client.UpdateWorkPoolAsync(pool, new WorkPoolUpdate { IsPaused = false });
        await Server.Client.UpdateWorkQueueAsync(pool, "default", new WorkQueueUpdate { IsPaused = true });
        Assert.Empty(await Server.Client.ReadScheduledRunsOfPoolAsync(pool));

        await Server.Client.UpdateWorkQueueAsync(pool, "default", new WorkQueueUpdate { IsPaused = false });
        Assert.Single(await Server.Client.ReadScheduledRunsOfPoolAsync(pool));
        Assert.Equal(OrchestrationStatus.Accept, (await Propose(run.Id, StateType.Pending)).Status);
    }

    [Fact]
    public async Task Polling_MarksTheQueuesReady_AndOnlyDueRunsAreHandedOut()
    {
        var pool = await Server.Client.PoolAsync();
        var deployment = await Server.Client.DeploymentAsync(pool);
        var due = (await Server.DueRunsAsync(deployment, 1))[0];
        await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id, new DeploymentFlowRunCreate
        {
            State = new StateCreate { Type = StateType.Scheduled, StateDetails = new StateDetails { ScheduledTime = Server.Clock.GetUtcNow().AddHours(1) } },
        });

        var page = await Server.Client.ReadScheduledRunsOfPoolAsync(pool, new WorkerScheduledRunsRequest { ScheduledBefore = Server.Clock.GetUtcNow().AddSeconds(10) });

        Assert.Equal([due.Id], page.Select(r => r.FlowRun.Id));
        Assert.Equal(WorkQueueStatus.Ready, (await Server.Client.ReadWorkQueueAsync(pool, "default")).Status);
        Assert.Equal(DeploymentStatus.Ready, (await Server.Client.ReadDeploymentAsync(deployment.Id)).Status);
    }
}

public sealed class ConcurrencyLimitTests_Sqlite(SqliteServerFixture fixture) : ConcurrencyLimitTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class ConcurrencyLimitTests_Postgres(PostgresServerFixture fixture) : ConcurrencyLimitTests(fixture), IClassFixture<PostgresServerFixture>;
