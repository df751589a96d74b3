using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Reeve.Server.Storage;

/// <summary>
/// The hot single-row writes on PostgreSQL without the change tracker: a new run and its first state, or a state
/// change's update of the run and its state row, sent as one batch of positional statements in one round trip
/// (the connection prepares them after their second use). Columns, types and conversions come from the EF model
/// (<see cref="BulkInsert.Table"/>, <see cref="RowUpdate"/>), so rows are stored as <c>SaveChanges</c> stores them,
/// and a broken constraint is a <see cref="DbUpdateException"/> around PostgreSQL's error, as <c>SaveChanges</c>
/// reports it.
/// </summary>
internal sealed class PostgresRows
{
    private readonly ReeveDbContext _db;
    private readonly NpgsqlBatch _batch;
    private readonly NpgsqlCommand _scratch;
    private readonly List<bool> _mustTouchOne = [];

    public PostgresRows(ReeveDbContext db)
    {
        _db = db;
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        _batch = connection.CreateBatch();
        _batch.Transaction = (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction();
        // Parameters are made by the model's type mappings, which ask a command for them; this one is never run.
        _scratch = connection.CreateCommand();
    }

    /// <summary>Adds the insert of a new row.</summary>
    public PostgresRows Insert<T>(T row)
        where T : class
    {
        var table = BulkInsert.Table.Of(_db.Model, typeof(T));
        Add(table.PositionalInsertSql, table.Columns, row, mustTouchOne: false);
        return this;
    }

    /// <summary>Adds an update of an existing row's columns; the row must be there when the batch runs.</summary>
    public PostgresRows Update<T>(RowUpdate update, T row)
        where T : class
    {
        Add(update.PositionalSql, update.Columns, row, mustTouchOne: true);
        return this;
    }

    /// <summary>Runs the batch in the context's current transaction.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _batch.ExecuteNonQueryAsync(cancellationToken);
            for (var i = 0; i < _mustTouchOne.Count; i++)
            {
                if (_mustTouchOne[i] && _batch.BatchCommands[i].RecordsAffected != 1)
                {
                    throw new InvalidOperationException("The row to update is not there.");
                }
            }
        }
        catch (PostgresException e) when (e.SqlState.StartsWith("23", StringComparison.Ordinal))
        {
            // Integrity constraint violations (unique, foreign key, not null), as SaveChanges wraps them.
            throw new DbUpdateException(e.MessageText, e);
        }
        finally
        {
            await _scratch.DisposeAsync();
            await _batch.DisposeAsync();
        }
    }

    private void Add(string sql, BulkInsert.Column[] columns, object row, bool mustTouchOne)
    {
        var command = _batch.CreateBatchCommand();
        command.CommandText = sql;
        foreach (var column in columns)
        {
            // The mapping converts the value as SaveChanges would (UTC times, state names, JSON lists).
            command.Parameters.Add(column.Mapping.CreateParameter(_scratch, "", column.ClrValue(row), column.Property.IsNullable));
        }

        _batch.BatchCommands.Add(command);
        _mustTouchOne.Add(mustTouchOne);
    }
}
