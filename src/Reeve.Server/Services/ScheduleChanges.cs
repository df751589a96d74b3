using System.Threading.Channels;

namespace Reeve.Server.Services;

/// <summary>
/// Tells the scheduler that a deployment's schedules, or what its runs are made of, changed, so that it plans
/// at once instead of at its next tick. Signals coalesce: many changes in a burst wake one pass.
/// </summary>
internal sealed class ScheduleChanges
{
    private readonly Channel<bool> _signals = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Notify() => _signals.Writer.TryWrite(true);

    /// <summary>Waits for a change or for <paramref name="timeout"/>, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider clock, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(timeout, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken);
        try
        {
            await _signals.Reader.ReadAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The tick came first.
        }
    }
}
