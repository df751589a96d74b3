using Reeve.Client;
using Reeve.Core.States;

namespace Reeve.Engine;

/// <summary>
/// Cancels a running flow when its run is moved to CANCELLING: the server's event stream says so at once; a
/// read of the run every few seconds covers a stream that broke or a change made through another replica.
/// </summary>
internal sealed class CancellationWatcher : IAsyncDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(5);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _stream;
    private readonly Task _poll;
    private readonly IDisposable? _shared;

    public CancellationWatcher(ReeveClient client, Guid flowRunId, Guid? deploymentId, CancellationTokenSource cancel)
    {
        // A serving process already follows its deployments' events: it tells this run, and no stream of its own is opened.
        _shared = SharedRunEvents.Watch(flowRunId, deploymentId, cancel);
        _stream = _shared is null ? Task.Run(() => StreamAsync(client, flowRunId, cancel)) : Task.CompletedTask;
        _poll = Task.Run(() => PollAsync(client, flowRunId, cancel));
    }

    private Task StreamAsync(ReeveClient client, Guid flowRunId, CancellationTokenSource cancel) =>
        client.FollowFlowRunEventsAsync(async change =>
        {
            if (change?.StateType is StateType.Cancelling or StateType.Cancelled)
            {
                await cancel.CancelAsync();
                return false;
            }

            return true;
        }, flowRunIds: [flowRunId], cancellationToken: _stop.Token);

    private async Task PollAsync(ReeveClient client, Guid flowRunId, CancellationTokenSource cancel)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(PollInterval, _stop.Token);
                var run = await client.ReadFlowRunAsync(flowRunId, _stop.Token);
                if (run.StateType is StateType.Cancelling or StateType.Cancelled)
                {
                    await cancel.CancelAsync();
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or ReeveServerUnavailableException or ReeveApiException)
            {
                // Try again at the next interval.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _shared?.Dispose();
        await _stop.CancelAsync();
        await Task.WhenAll(_stream, _poll);
        _stop.Dispose();
    }
}
