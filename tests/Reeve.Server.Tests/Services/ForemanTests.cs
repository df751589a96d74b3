using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Reeve.Core.FlowRuns;
using Reeve.Core.Orchestration;
using Reeve.Core.States;
using Reeve.Core.Workers;
using Reeve.Server.Services;

namespace Reeve.Server.Tests.Services;

/// <summary>
/// Crash detection by heartbeats: runs whose engine and worker both went quiet end CRASHED, on the server's
/// fake clock, one foreman pass at a time.
/// </summary>
public abstract class ForemanTests(ServerFixture fixture)
{
    private RunningServer Server => fixture.Server;

    private Foreman Foreman => Server.Server.Services.GetServices<IHostedService>().OfType<Foreman>().Single();

    private async Task<(string Pool, Guid Run)> RunningAsync(int? poolLimit = null)
    {
        var pool = await Server.Client.PoolAsync(limit: poolLimit);
        var deployment = await Server.Client.DeploymentAsync(pool: pool);
        var run = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id);
        await Server.Client.SetFlowRunStateAsync(run.Id, new StateCreate { Type = StateType.Pending });
        await Server.Client.SetFlowRunStateAsync(run.Id, new StateCreate { Type = StateType.Running });
        return (pool, run.Id);
    }

    [Fact]
    public async Task ARunWhoseEngineStopsBeating_EndsCrashedAfterThreeIntervals_AndFreesItsSlot()
    {
        var (_, run) = await RunningAsync(poolLimit: 1);
        var next = await Server.Client.CreateFlowRunFromDeploymentAsync((await Server.Client.ReadFlowRunAsync(run)).DeploymentId!.Value);
        await Server.Client.HeartbeatFlowRunAsync(run, intervalSeconds: 10);

        Server.Clock.Advance(TimeSpan.FromSeconds(29));
        await Foreman.PassAsync(CancellationToken.None);
        Assert.Equal(StateType.Running, (await Server.Client.ReadFlowRunAsync(run)).StateType);
        Assert.NotEqual(OrchestrationStatus.Accept, await ClaimOutcomeAsync(next.Id));

        Server.Clock.Advance(TimeSpan.FromSeconds(2));
        await Foreman.PassAsync(CancellationToken.None);
        var crashed = await Server.Client.ReadFlowRunAsync(run);
        Assert.Equal(StateType.Crashed, crashed.StateType);
        Assert.Contains("no heartbeat", crashed.State!.Message, StringComparison.Ordinal);
        Assert.Equal(OrchestrationStatus.Accept, await ClaimOutcomeAsync(next.Id));
    }

    private async Task<OrchestrationStatus> ClaimOutcomeAsync(Guid run) =>
        (await Server.Client.SetFlowRunStateAsync(run, new StateCreate { Type = StateType.Pending })).Status;

    [Fact]
    public async Task AWorkerHoldingARun_KeepsItAlive_UntilTheWorkerGoesQuietToo()
    {
        var (pool, run) = await RunningAsync();
        await Server.Client.HeartbeatAsync(pool, new WorkerHeartbeat { Name = "w1", HeartbeatIntervalSeconds = 10, FlowRunIds = [run] });

        Server.Clock.Advance(TimeSpan.FromSeconds(20));
        await Server.Client.HeartbeatAsync(pool, new WorkerHeartbeat { Name = "w1", HeartbeatIntervalSeconds = 10, FlowRunIds = [run] });
        Server.Clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(0, (await Foreman.PassAsync(CancellationToken.None)).Changed);
        Assert.Equal(StateType.Running, (await Server.Client.ReadFlowRunAsync(run)).StateType);

        Server.Clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(1, (await Foreman.PassAsync(CancellationToken.None)).Changed);
        Assert.Equal(StateType.Crashed, (await Server.Client.ReadFlowRunAsync(run)).StateType);
    }

    [Fact]
    public async Task RunsNobodyHeartbeats_AreLeftAlone()
    {
        var (_, run) = await RunningAsync();

        Server.Clock.Advance(TimeSpan.FromHours(1));
        await Foreman.PassAsync(CancellationToken.None);

        Assert.Equal(StateType.Running, (await Server.Client.ReadFlowRunAsync(run)).StateType);
    }

    [Fact]
    public async Task ACancellingRunThatGoesQuiet_EndsCancelled()
    {
        var (_, run) = await RunningAsync();
        await Server.Client.HeartbeatFlowRunAsync(run, intervalSeconds: 1);
        await Server.Client.SetFlowRunStateAsync(run, new StateCreate { Type = StateType.Cancelling });

        Server.Clock.Advance(TimeSpan.FromSeconds(4));
        await Foreman.PassAsync(CancellationToken.None);

        Assert.Equal(StateType.Cancelled, (await Server.Client.ReadFlowRunAsync(run)).StateType);
    }

    [Fact]
    public async Task ARetriedRun_StartsWithNoHeartbeatOfItsEarlierAttempt()
    {
        var (_, run) = await RunningAsync();
        await Server.Client.HeartbeatFlowRunAsync(run, intervalSeconds: 1);
        await Server.Client.SetFlowRunStateAsync(run, new StateCreate { Type = StateType.Scheduled, Name = "AwaitingRetry" }, force: true);
        await Server.Client.SetFlowRunStateAsync(run, new StateCreate { Type = StateType.Pending });

        Server.Clock.Advance(TimeSpan.FromMinutes(1));
        await Foreman.PassAsync(CancellationToken.None);

        Assert.Equal(StateType.Pending, (await Server.Client.ReadFlowRunAsync(run)).StateType);
    }

    [Fact]
    public async Task EnteringRunningWithAHeartbeatInterval_CountsAsTheFirstBeat()
    {
        var pool = await Server.Client.PoolAsync();
        var run = await Server.Client.CreateFlowRunFromDeploymentAsync((await Server.Client.DeploymentAsync(pool: pool)).Id);
        await Server.Client.SetFlowRunStateAsync(run.Id, new StateCreate { Type = StateType.Pending });
        var answer = await Server.Client.SetFlowRunStateAsync(run.Id, new SetStateRequest { State = new StateCreate { Type = StateType.Running }, HeartbeatIntervalSeconds = 10 });
        Assert.Equal(OrchestrationStatus.Accept, answer.Status);

        // No beat follows: the run is lost three intervals after it entered RUNNING, not left alone as a run nobody beats for.
        Server.Clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(0, (await Foreman.PassAsync(CancellationToken.None)).Changed);
        Server.Clock.Advance(TimeSpan.FromSeconds(2));
        await Foreman.PassAsync(CancellationToken.None);
        Assert.Equal(StateType.Crashed, (await Server.Client.ReadFlowRunAsync(run.Id)).StateType);
    }

    [Fact]
    public async Task AHeartbeatIntervalOnAnotherState_IsNoBeat()
    {
        var pool = await Server.Client.PoolAsync();
        var run = await Server.Client.CreateFlowRunFromDeploymentAsync((await Server.Client.DeploymentAsync(pool: pool)).Id);
        await Server.Client.SetFlowRunStateAsync(run.Id, new SetStateRequest { State = new StateCreate { Type = StateType.Pending }, HeartbeatIntervalSeconds = 1 });

        Server.Clock.Advance(TimeSpan.FromHours(1));
        await Foreman.PassAsync(CancellationToken.None);

        Assert.Equal(StateType.Pending, (await Server.Client.ReadFlowRunAsync(run.Id)).StateType);
    }

    [Theory]
    [InlineData("""{"state": {"type": "RUNNING"}, "heartbeat_interval_seconds": 0}""")]
    [InlineData("""{"state": {"type": "RUNNING"}, "heartbeat_interval_seconds": -5}""")]
    [InlineData("""{"state": {"type": "RUNNING"}, "heartbeat_interval_seconds": "x"}""")]
    [InlineData("""{"state": {"type": "RUNNING"}, "heartbeat_interval_seconds": 1e12}""")]
    public async Task ABadHeartbeatIntervalOnSetState_Is422NamingTheField_AndChangesNothing(string body)
    {
        var (_, run) = await RunningAsync();
        await Server.Client.SetFlowRunStateAsync(run, new StateCreate { Type = StateType.Pending }, force: true);

        var response = await Server.Http.PostJsonAsync($"flow_runs/{run}/set_state", body);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Contains("heartbeat_interval_seconds", response.Text, StringComparison.Ordinal);
        Assert.Equal(StateType.Pending, (await Server.Client.ReadFlowRunAsync(run)).StateType);
    }

    [Theory]
    [InlineData("""{"interval_seconds": 0}""", HttpStatusCode.UnprocessableEntity, "interval_seconds")]
    [InlineData("""{"interval_seconds": "x"}""", HttpStatusCode.UnprocessableEntity, "interval_seconds")]
    public async Task BadHeartbeats_Are422NamingTheField(string body, HttpStatusCode status, string field)
    {
        var (_, run) = await RunningAsync();

        var response = await Server.Http.PostJsonAsync($"flow_runs/{run}/heartbeat", body);

        Assert.Equal(status, response.Status);
        Assert.Contains(field, response.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AHeartbeatForAnUnknownRun_Is404()
    {
        var response = await Server.Http.PostJsonAsync($"flow_runs/{Guid.NewGuid()}/heartbeat", "{}");

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
    }
}

public sealed class ForemanTests_Sqlite(SqliteServerFixture fixture) : ForemanTests(fixture), IClassFixture<SqliteServerFixture>;
public sealed class ForemanTests_Postgres(PostgresServerFixture fixture) : ForemanTests(fixture), IClassFixture<PostgresServerFixture>;
