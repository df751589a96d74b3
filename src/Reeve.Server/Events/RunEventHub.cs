using System.Threading.Channels;
using Reeve.Core.Events;

namespace Reeve.Server.Events;

/// <summary>
/// Hands each committed flow run change to the subscribers it concerns, at once. Subscribers are the
/// event streams of serving processes, workers and engines (<c>GET /api/events/flow_runs</c>). Events are
/// in memory, for this server only: clients of several replicas also poll, which catches what another
/// replica committed.
/// </summary>
internal sealed class RunEventHub
{
    private const int Backlog = 1_000;
    private readonly Lock _gate = new();
    private Subscription[] _subscriptions = [];

    public Subscription Subscribe(Func<FlowRunEvent, bool> wanted)
    {
        var subscription = new Subscription(this, wanted, Channel.CreateBounded<FlowRunEvent>(new BoundedChannelOptions(Backlog)
        {
            // A subscriber that falls this far behind re-reads the state anyway; the newest events matter most.
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        }));
        lock (_gate)
        {
            _subscriptions = [.. _subscriptions, subscription];
        }

        return subscription;
    }

    public void Publish(FlowRunEvent change)
    {
        foreach (var subscription in Volatile.Read(ref _subscriptions))
        {
            if (subscription.Wanted(change))
            {
                subscription.Channel.Writer.TryWrite(change);
            }
        }
    }

    public int Subscribers => Volatile.Read(ref _subscriptions).Length;

    private void Remove(Subscription subscription)
    {
        lock (_gate)
        {
            _subscriptions = [.. _subscriptions.Where(s => s != subscription)];
        }

        subscription.Channel.Writer.TryComplete();
    }

    internal sealed class Subscription(RunEventHub hub, Func<FlowRunEvent, bool> wanted, Channel<FlowRunEvent> channel) : IDisposable
    {
        public Func<FlowRunEvent, bool> Wanted { get; } = wanted;

        public Channel<FlowRunEvent> Channel { get; } = channel;

        public ChannelReader<FlowRunEvent> Reader => Channel.Reader;

        public void Dispose() => hub.Remove(this);
    }
}
