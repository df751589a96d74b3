using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Reeve.Server.Storage;

/// <summary>
/// The unit of work of a request: reads go straight to <see cref="Db"/>; writes run in
/// <see cref="WriteAsync{T}"/>, one transaction that commits or leaves nothing behind. On PostgreSQL a transaction
/// that the server ends as a deadlock or a serialization failure is run again from the start (up to
/// <see cref="MaxAttempts"/> times): the client sees its answer, never the conflict.
/// </summary>
internal sealed class Store(ReeveDbContext db, WriteGate gate, StorageOptions options, GroupCommit group)
{
    public ReeveDbContext Db => db;

    public StorageProvider Provider => options.Provider;

    /// <summary>
    /// Whether this request's caller may set job variables the pool locks: true unless the API key's middleware says
    /// the caller's role is below platform (background services and servers without a key may).
    /// </summary>
    public bool MayOverrideLockedVariables { get; set; } = true;

    /// <summary>
    /// How many times a write is tried when PostgreSQL ends it as a deadlock or serialization failure (under 200
    /// racing clients on two busy cores, five tries were once not enough for a state change).
    /// </summary>
    public const int MaxAttempts = 10;

    private readonly List<Action> _afterCommit = [];

    public async Task<T> WriteAsync<T>(Func<ReeveDbContext, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        T result;
        for (var attempt = 1; ; attempt++)
        {
            _afterCommit.Clear();
            try
            {
                using (await gate.EnterAsync(cancellationToken))
                {
                    await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                    result = await work(db, cancellationToken);
                    await transaction.CommitAsync(cancellationToken);
                    db.ChangeTracker.Clear();
                }

                break;
            }
            catch (Exception e) when (attempt < MaxAttempts && IsTransient(e))
            {
                // Nothing of the attempt stays: its transaction rolled back; forget what it tracked and start again,
                // after a short random pause so that the two sides of a deadlock do not meet again at once.
                db.ChangeTracker.Clear();
                await Task.Delay(Random.Shared.Next(1, 10 * Math.Min(attempt, 5)), cancellationToken);
            }
        }

        RunAfterCommit();
        return result;
    }

    /// <summary>
    /// A hot write that may share its transaction with others (<see cref="GroupCommit"/>) on SQLite: it must use only
    /// the context it is given and write nothing else through this store. On PostgreSQL, whose row locks let writes
    /// run side by side, it is <see cref="WriteAsync{T}"/>.
    /// </summary>
    public async Task<T> WriteGroupedAsync<T>(Func<ReeveDbContext, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        if (options.Provider != StorageProvider.Sqlite)
        {
            return await WriteAsync(work, cancellationToken);
        }

        _afterCommit.Clear();
        var result = await group.WriteAsync(work, cancellationToken);
        RunAfterCommit();
        return result;
    }

    /// <inheritdoc cref="WriteGroupedAsync{T}"/>
    public async Task WriteGroupedAsync(Func<ReeveDbContext, CancellationToken, Task> work, CancellationToken cancellationToken) =>
        await WriteGroupedAsync<bool>(async (d, ct) =>
        {
            await work(d, ct);
            return true;
        }, cancellationToken);

    private void RunAfterCommit()
    {
        foreach (var action in _afterCommit)
        {
            action();
        }

        _afterCommit.Clear();
    }

    /// <summary>Runs <paramref name="action"/> once the current write has committed (not at all if it fails), such as waking a loop that should see it.</summary>
    public void AfterCommit(Action action) => _afterCommit.Add(action);

    public async Task WriteAsync(Func<ReeveDbContext, CancellationToken, Task> work, CancellationToken cancellationToken) =>
        await WriteAsync<bool>(async (d, ct) =>
        {
            await work(d, ct);
            return true;
        }, cancellationToken);

    /// <summary>
    /// Locks a work pool's row until the transaction ends, so that changes to its queues (priorities)
    /// by concurrent requests happen one after the other. SQLite is already serialised by the gate.
    /// </summary>
    public Task LockWorkPoolAsync(Guid workPoolId, CancellationToken cancellationToken) => LockAsync(LockedTable.WorkPool, workPoolId, cancellationToken);

    /// <summary>
    /// Locks one row until the transaction ends (PostgreSQL <c>SELECT ... FOR NO KEY UPDATE</c>), so that decisions
    /// about it, such as claiming a run or counting a pool's slots, are taken one at a time. SQLite is already
    /// serialised by the gate. <c>NO KEY</c>: the lock must not conflict with the <c>KEY SHARE</c> locks that inserting
    /// a row which refers to this one takes (a new run refers to its deployment and its pool); a plain <c>FOR UPDATE</c>
    /// made a claim (pool, then deployment) and a run's insert (deployment, then pool) wait on each other. A single decision locks in the order run, pool, deployment; a batch claim locks
    /// its runs' pools, then their deployments, each in id order, and takes runs only with
    /// <see cref="TryLockRunAsync"/>, never waiting for one: so no two transactions wait on each other.
    /// </summary>
    public async Task LockAsync(LockedTable table, Guid id, CancellationToken cancellationToken)
    {
        if (options.Provider != StorageProvider.Postgres)
        {
            return;
        }

        switch (table)
        {
            case LockedTable.FlowRun:
                await db.Database.ExecuteSqlAsync($"SELECT 1 FROM flow_run WHERE id = {id} FOR NO KEY UPDATE", cancellationToken);
                break;
            case LockedTable.TaskRun:
                await db.Database.ExecuteSqlAsync($"SELECT 1 FROM task_run WHERE id = {id} FOR NO KEY UPDATE", cancellationToken);
                break;
            case LockedTable.WorkPool:
                await db.Database.ExecuteSqlAsync($"SELECT 1 FROM work_pool WHERE id = {id} FOR NO KEY UPDATE", cancellationToken);
                break;
            case LockedTable.Deployment:
                await db.Database.ExecuteSqlAsync($"SELECT 1 FROM deployment WHERE id = {id} FOR NO KEY UPDATE", cancellationToken);
                break;
            case LockedTable.ConcurrencyLimit:
                await db.Database.ExecuteSqlAsync($"SELECT 1 FROM concurrency_limit_v2 WHERE id = {id} FOR NO KEY UPDATE", cancellationToken);
                break;
            case LockedTable.TagConcurrencyLimit:
                await db.Database.ExecuteSqlAsync($"SELECT 1 FROM concurrency_limit WHERE id = {id} FOR NO KEY UPDATE", cancellationToken);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(table));
        }
    }

    /// <summary>
    /// Locks a run's row unless another transaction holds it (PostgreSQL <c>FOR NO KEY UPDATE SKIP LOCKED</c>): a batch
    /// claim, which holds its pools' rows first, takes the runs nobody is deciding about and never waits for one,
    /// so it cannot wait in a circle with a single claim that holds its run and waits for the pool.
    /// </summary>
    public async Task<bool> TryLockRunAsync(Guid id, CancellationToken cancellationToken)
    {
        if (options.Provider != StorageProvider.Postgres)
        {
            return true;
        }

        var locked = await db.Database.SqlQuery<Guid>($"SELECT id AS \"Value\" FROM flow_run WHERE id = {id} FOR NO KEY UPDATE SKIP LOCKED").ToListAsync(cancellationToken);
        return locked.Count == 1;
    }

    /// <summary>Whether PostgreSQL ended a transaction that would succeed if tried again (deadlock, serialization failure).</summary>
    internal static bool IsTransient(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether a request failed because the database did not answer in time: PostgreSQL's command timeout passed
    /// (usually waiting for a row lock), or SQLite stayed locked past its busy timeout.
    /// </summary>
    internal static bool IsBusy(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is TimeoutException
                || e is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 5 or 6 })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a failed save broke a unique index (a duplicate name).</summary>
    public static bool IsUniqueViolation(DbUpdateException exception) => exception.InnerException switch
    {
        Microsoft.Data.Sqlite.SqliteException sqlite => sqlite.SqliteExtendedErrorCode is 2067 or 1555,
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };

    /// <summary>Whether a failed save named a row that is not there (deleted meanwhile).</summary>
    public static bool IsForeignKeyViolation(DbUpdateException exception) => exception.InnerException switch
    {
        Microsoft.Data.Sqlite.SqliteException sqlite => sqlite.SqliteExtendedErrorCode == 787,
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.ForeignKeyViolation,
        _ => false,
    };
}

/// <summary>The tables whose rows transactions lock.</summary>
internal enum LockedTable
{
    FlowRun,
    TaskRun,
    WorkPool,
    Deployment,
    ConcurrencyLimit,
    TagConcurrencyLimit,
}
