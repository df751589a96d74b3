using Reeve.Client;
using Reeve.Core.FlowRuns;
using Reeve.Core.States;

namespace Reeve.Testing;

/// <summary>Waits for a flow run to reach a state, on the server's event stream (no sleeps), with a deadline.</summary>
public static class RunWaiter
{
    public static async Task<FlowRun> WaitForAsync(this ReeveClient client, Guid runId, Func<FlowRun, bool> until, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        await using var events = client.SubscribeFlowRunEventsAsync(flowRunIds: [runId], cancellationToken: deadline.Token).GetAsyncEnumerator(deadline.Token);
        var seen = "not subscribed";
        var received = 0;
        try
        {
            // Subscribed first, then read: a change between the two is not missed.
            await events.MoveNextAsync();
            seen = "subscribed";
            while (true)
            {
                var run = await client.ReadFlowRunAsync(runId, deadline.Token);
                seen = $"subscribed, {received} event(s), last read {run.StateName}";
                if (until(run))
                {
                    return run;
                }

                received++;
                if (!await events.MoveNextAsync())
                {
                    throw new InvalidOperationException("The server's event stream ended.");
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            var last = await client.ReadFlowRunAsync(runId);
            throw new TimeoutException($"Flow run {runId} did not get there in time; it is {last.StateName}: {last.State?.Message} (waiter: {seen}).");
        }
    }

    public static Task<FlowRun> WaitForStateAsync(this ReeveClient client, Guid runId, StateType state, TimeSpan? timeout = null) =>
        client.WaitForAsync(runId, r => r.StateType == state, timeout);

    public static Task<FlowRun> WaitForEndAsync(this ReeveClient client, Guid runId, TimeSpan? timeout = null) =>
        client.WaitForAsync(runId, r => r.StateType is { } t && t.IsTerminal(), timeout);

    /// <summary>Waits, on the event stream, until a deployment has at least <paramref name="count"/> runs; returns them, earliest first.</summary>
    public static async Task<IReadOnlyList<FlowRun>> WaitForRunsAsync(this ReeveClient client, Guid deploymentId, int count, TimeSpan? timeout = null)
    {
        IReadOnlyList<FlowRun> runs = [];
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            // Called once subscribed (null) and on each change: read, and stop once there are enough.
            await client.FollowFlowRunEventsAsync(async _ =>
            {
                runs = await client.FilterFlowRunsAsync(new FlowRunFilterRequest
                {
                    FlowRuns = new() { DeploymentId = new() { Any = [deploymentId] } },
                    Sort = FlowRunSort.ExpectedStartTimeAsc,
                }, deadline.Token);
                return runs.Count < count;
            }, deploymentIds: [deploymentId], cancellationToken: deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"Deployment {deploymentId} had {runs.Count} of {count} runs in time.");
        }

        return runs.Count >= count ? runs : throw new TimeoutException($"Deployment {deploymentId} had {runs.Count} of {count} runs in time.");
    }
}
