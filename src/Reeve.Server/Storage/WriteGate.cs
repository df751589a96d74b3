namespace Reeve.Server.Storage;

/// <summary>
/// Serialises write transactions on SQLite, which allows one writer per file: waiting here is cheaper
/// and fairer than SQLite's busy loop, and a transaction that reads before it writes can never fail
/// with SQLITE_BUSY halfway. On PostgreSQL the gate is open and row locks do the work.
/// </summary>
internal sealed class WriteGate(StorageOptions options) : IDisposable
{
    private readonly SemaphoreSlim? _semaphore = options.Provider == StorageProvider.Sqlite ? new SemaphoreSlim(1, 1) : null;

    public async ValueTask<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        if (_semaphore is null)
        {
            return NoLock.Instance;
        }

        await _semaphore.WaitAsync(cancellationToken);
        return new Release(_semaphore);
    }

    public void Dispose() => _semaphore?.Dispose();

    private sealed class Release(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                semaphore.Release();
            }
        }
    }

    private sealed class NoLock : IDisposable
    {
        public static NoLock Instance { get; } = new();

        public void Dispose()
        {
        }
    }
}
