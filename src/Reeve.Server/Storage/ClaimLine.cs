namespace Reeve.Server.Storage;

/// <summary>
/// Lines up a server's batch claims on the same pool before they reach the database. Racing claims on one pool are
/// decided one after the other in any case (each holds the pool's row); without this line, a busy pool's claims
/// wait in the database's lock queue, each then finding that the one before took the runs, and a state change that
/// needs the pool's row waits behind all of them (under 200 clients on two busy cores, past the command timeout).
/// In the line, a claim looks again when its turn comes and leaves at once when nothing is due; one that waits
/// longer than <see cref="MaxWait"/> leaves with nothing claimed. Across several
/// servers the pool's row still decides; the line only shortens the queue there. Pools share a fixed number of
/// lines, so memory does not grow with the pools.
/// </summary>
internal sealed class ClaimLine : IDisposable
{
    private readonly SemaphoreSlim[] _lines = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];

    /// <summary>
    /// How long a claim waits for its turn before it gives up with nothing claimed: its worker asks again at its next
    /// poll, and meanwhile the claims ahead of it take the due runs.
    /// </summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(10);

    /// <summary>The claim's turn, or null when it did not come within <see cref="MaxWait"/>.</summary>
    public async ValueTask<IDisposable?> EnterAsync(Guid poolId, CancellationToken cancellationToken)
    {
        var line = _lines[(poolId.GetHashCode() & int.MaxValue) % _lines.Length];
        return await line.WaitAsync(MaxWait, cancellationToken) ? new Turn(line) : null;
    }

    public void Dispose()
    {
        foreach (var line in _lines)
        {
            line.Dispose();
        }
    }

    private sealed class Turn(SemaphoreSlim line) : IDisposable
    {
        private int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                line.Release();
            }
        }
    }
}
