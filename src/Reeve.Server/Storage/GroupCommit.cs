using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Reeve.Server.Storage;

/// <summary>
/// Group commit for SQLite's hot writes (a run's insert, a state change, a claim, heartbeats, log lines, task runs).
/// SQLite takes one writer at a time, so each write used to queue for the <see cref="WriteGate"/>, then begin, commit
/// and hand the gate on: under load the hand-overs, not the work, set the pace. Here one loop takes the gate, runs
/// every write queued meanwhile in one transaction on its own connection, each inside a savepoint of its own, and
/// commits once. A write that throws is rolled back to its savepoint and its caller gets the exception; the others
/// commit. Each caller is answered only after the commit that holds its write (or with the commit's failure, and
/// then nothing of the batch is stored). The writes run one after the other, on one connection, so each sees what the
/// writes before it in the batch did, exactly as if they had committed one by one.
/// </summary>
/// <remarks>
/// A write handed here must use only the context it is given, and must not itself write through
/// <see cref="Store.WriteAsync{T}"/> (the loop holds the gate: that would wait for ever).
/// </remarks>
internal sealed class GroupCommit(IServiceScopeFactory scopes, WriteGate gate) : IAsyncDisposable
{
    /// <summary>At most this many writes share a transaction, so that no caller waits behind an unbounded batch.</summary>
    public const int MaxBatch = 128;

    private readonly Channel<Write> _queue = Channel.CreateUnbounded<Write>(new UnboundedChannelOptions { SingleReader = true });
    private readonly object _start = new();
    private Task? _loop;
    private long _commits;

    /// <summary>How many batches have committed since the server started.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Queues <paramref name="work"/> for the next batch; completes after the batch's commit.</summary>
    public Task<T> WriteAsync<T>(Func<ReeveDbContext, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var write = new Write<T>(work, cancellationToken);
        if (!_queue.Writer.TryWrite(write))
        {
            throw new ObjectDisposedException(nameof(GroupCommit), "The server is stopping.");
        }

        EnsureStarted();
        return write.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_loop is { } loop)
        {
            await loop;
        }
    }

    private void EnsureStarted()
    {
        if (_loop is null)
        {
            lock (_start)
            {
                _loop ??= Task.Run(LoopAsync);
            }
        }
    }

    private async Task LoopAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<Write>(MaxBatch);
        while (await reader.WaitToReadAsync())
        {
            try
            {
                using (await gate.EnterAsync(CancellationToken.None))
                {
                    // Taken once the gate is ours: whatever queued while the previous batch or another write held it.
                    Take(reader, batch, MaxBatch);
                    if (batch.Count > 0)
                    {
                        await RunAsync(batch);
                    }
                }
            }
            catch (Exception e)
            {
                // The gate itself failed (the server is stopping): no write can be stored, so every caller hears it
                // now rather than waiting for ever.
                Take(reader, batch, int.MaxValue);
                foreach (var write in batch)
                {
                    write.Failed(e, overrides: true);
                }
            }

            foreach (var write in batch)
            {
                write.Complete();
            }

            batch.Clear();
        }
    }

    private static void Take(ChannelReader<Write> reader, List<Write> batch, int most)
    {
        while (batch.Count < most && reader.TryRead(out var write))
        {
            if (!write.TryCancel())
            {
                batch.Add(write);
            }
        }
    }

    private async Task RunAsync(List<Write> batch)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ReeveDbContext>();
            db.Database.AutoSavepointsEnabled = false;
            await using var transaction = await db.Database.BeginTransactionAsync();
            foreach (var write in batch)
            {
                await transaction.CreateSavepointAsync("w");
                try
                {
                    await write.RunAsync(db);
                    await transaction.ReleaseSavepointAsync("w");
                }
                catch (Exception e)
                {
                    write.Failed(e);
                    await transaction.RollbackToSavepointAsync("w");
                    await transaction.ReleaseSavepointAsync("w");
                }
                finally
                {
                    db.ChangeTracker.Clear();
                }
            }

            await transaction.CommitAsync();
            Interlocked.Increment(ref _commits);
        }
        catch (Exception e)
        {
            // Nothing of the batch is stored (the transaction rolled back): every write's caller hears why.
            foreach (var write in batch)
            {
                write.Failed(e, overrides: true);
            }
        }
    }

    private abstract class Write
    {
        public abstract bool TryCancel();

        public abstract Task RunAsync(ReeveDbContext db);

        public abstract void Failed(Exception exception, bool overrides = false);

        public abstract void Complete();
    }

    private sealed class Write<T>(Func<ReeveDbContext, CancellationToken, Task<T>> work, CancellationToken cancellationToken) : Write
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;
        private Exception? _failure;

        public Task<T> Task => _done.Task;

        public override bool TryCancel() => cancellationToken.IsCancellationRequested && _done.TrySetCanceled(cancellationToken);

        public override async Task RunAsync(ReeveDbContext db) => _result = await work(db, cancellationToken);

        public override void Failed(Exception exception, bool overrides = false)
        {
            if (_failure is null || overrides)
            {
                _failure = exception;
            }
        }

        public override void Complete()
        {
            if (_failure is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                _done.TrySetCanceled(cancellationToken);
            }
            else if (_failure is not null)
            {
                _done.TrySetException(_failure);
            }
            else
            {
                _done.TrySetResult(_result!);
            }
        }
    }
}
