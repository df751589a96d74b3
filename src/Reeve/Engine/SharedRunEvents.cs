using System.Collections.Concurrent;
using Reeve.Core.Events;
using Reeve.Core.States;

namespace Reeve.Engine;

/// <summary>
/// Lets a process that already follows the server's events for some deployments (a serving process) tell its
/// runs of a cancellation, instead of each run opening an event stream of its own: one stream per process,
/// not one per run.
/// </summary>
internal static class SharedRunEvents
{
    private static readonly ConcurrentDictionary<Guid, int> Followed = new();
    private static readonly ConcurrentDictionary<Guid, CancellationTokenSource> Running = new();

    /// <summary>Marks <paramref name="deploymentIds"/> as followed by this process until the result is disposed.</summary>
    public static IDisposable Follow(IReadOnlyCollection<Guid> deploymentIds)
    {
        foreach (var id in deploymentIds)
        {
            Followed.AddOrUpdate(id, 1, (_, n) => n + 1);
        }

        return new Release(() =>
        {
            foreach (var id in deploymentIds)
            {
                if (Followed.AddOrUpdate(id, 0, (_, n) => n - 1) <= 0)
                {
                    Followed.TryRemove(new KeyValuePair<Guid, int>(id, 0));
                }
            }
        });
    }

    /// <summary>
    /// Registers a run of a followed deployment, to be cancelled when its run is; null when its deployment is not
    /// followed here (the caller then watches on its own).
    /// </summary>
    public static IDisposable? Watch(Guid runId, Guid? deploymentId, CancellationTokenSource cancel)
    {
        if (deploymentId is not { } deployment || !Followed.ContainsKey(deployment))
        {
            return null;
        }

        Running[runId] = cancel;
        return new Release(() => Running.TryRemove(runId, out _));
    }

    /// <summary>Called by the follower with each event it receives.</summary>
    public static void Dispatch(FlowRunEvent change)
    {
        if (change.StateType is StateType.Cancelling or StateType.Cancelled && Running.TryGetValue(change.FlowRunId, out var cancel))
        {
            try
            {
                cancel.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The run ended meanwhile.
            }
        }
    }

    private sealed class Release(Action release) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                release();
            }
        }
    }
}
