using Reeve.Core.Deployments;
using Reeve.Core.States;

namespace Reeve.Server.Tests.Services;

/// <summary>The scheduler on the real clock, with a tick too far off to matter: only a change can wake it.</summary>
public sealed class SchedulerWakeTests
{
    [Fact]
    public async Task ANewScheduledDeployment_IsPlannedAtOnce_AndItsRunsAreAnnouncedOnTheEventStream()
    {
        await using var server = await RunningServer.StartAsync(TestStorage.Sqlite, realClock: true,
            configure: options => options with { SchedulerInterval = TimeSpan.FromHours(1) });
        var pool = await server.Client.PoolAsync();
        var flow = await server.Client.FlowAsync();
        var subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var announced = new TaskCompletionSource<Core.Events.FlowRunEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var follow = server.Client.FollowFlowRunEventsAsync(change =>
        {
            if (change is null)
            {
                subscribed.TrySetResult();
                return ValueTask.FromResult(true);
            }

            announced.TrySetResult(change);
            return ValueTask.FromResult(false);
        }, workPoolNames: [pool], cancellationToken: stop.Token);
        await subscribed.Task.WaitAsync(stop.Token);

        var deployment = await server.Client.CreateDeploymentAsync(new DeploymentCreate
        {
            Name = Names.Unique("every-minute"),
            FlowId = flow.Id,
            WorkPoolName = pool,
            Schedules = [new DeploymentScheduleCreate { Schedule = new() { ["cron"] = "* * * * *" } }],
        });

        var first = await announced.Task.WaitAsync(stop.Token);
        Assert.Equal(deployment.Id, first.DeploymentId);
        Assert.Equal(StateType.Scheduled, first.StateType);
        await follow;
    }
}
