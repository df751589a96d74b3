using Reeve.Client;
using Reeve.Core.FlowRuns;

namespace Reeve.Engine;

/// <summary>
/// Tells the server, every interval while the flow runs, that its run is alive. If the process dies (killed,
/// out of memory, machine lost) the beats stop and the server ends the run CRASHED after three intervals.
/// The interval is <c>REEVE_FLOW_RUN_HEARTBEAT_SECONDS</c> (default 30). The first beat waits for the answer to the
/// run's RUNNING proposal, which carries the interval: once RUNNING is accepted the server has counted it as a
/// beat, so the next is due an interval later; any other answer sends a beat at once.
/// </summary>
internal sealed class RunHeartbeat : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<bool> _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _loop;

    public RunHeartbeat(ReeveClient client, Guid flowRunId)
    {
        _loop = Task.Run(() => BeatAsync(client, flowRunId, IntervalSeconds));
    }

    /// <summary>The answer to the first RUNNING proposal came: <paramref name="accepted"/> when the run entered RUNNING.</summary>
    public void Answered(bool accepted) => _entered.TrySetResult(accepted);

    /// <summary>The seconds between beats.</summary>
    public static int IntervalSeconds =>
        int.TryParse(Environment.GetEnvironmentVariable("REEVE_FLOW_RUN_HEARTBEAT_SECONDS"), out var s) && s > 0 ? s : FlowRunHeartbeat.DefaultIntervalSeconds;

    private async Task BeatAsync(ReeveClient client, Guid flowRunId, int intervalSeconds)
    {
        try
        {
            if (await _entered.Task.WaitAsync(_stop.Token))
            {
                await Task.Delay(TimeSpan.FromSeconds(intervalSeconds), _stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }

        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await client.HeartbeatFlowRunAsync(flowRunId, intervalSeconds, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or ReeveServerUnavailableException or ReeveApiException)
            {
                // Missed beats are allowed for; the next one may get through.
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(intervalSeconds), _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
