using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Reeve.Server.Storage;

/// <summary>
/// Inserts many new rows of one entity type in the current transaction, without the change tracker: SQLite
/// runs one prepared <c>INSERT</c> per row, PostgreSQL streams them with binary <c>COPY</c>. Columns, names and
/// value conversions come from the EF model, so a row is stored exactly as <c>SaveChanges</c> would store it.
/// For the records that come by the thousand: task runs, their states, log lines.
/// </summary>
internal static class BulkInsert
{
    public static async Task InsertAsync<T>(ReeveDbContext db, IReadOnlyList<T> rows, CancellationToken cancellationToken)
        where T : class
    {
        if (rows.Count == 0)
        {
            return;
        }

        var table = Table.Of(db.Model, typeof(T));
        var connection = db.Database.GetDbConnection();
        if (connection is NpgsqlConnection postgres)
        {
            await CopyAsync(postgres, table, rows, cancellationToken);
        }
        else
        {
            await InsertEachAsync(db, connection, table, rows, cancellationToken);
        }
    }

    /// <summary>Whether SQLite rows of this type are bound by position (<see cref="SqliteBinding"/>), not through a command.</summary>
    internal static bool BindsByPosition(IModel model, Type type) => Table.Of(model, type).Binding is not null;

    /// <summary>
    /// Inserts one new row on SQLite without the change tracker: the hot single-row writes (a new run and its first
    /// state, the state row of a state change) cost a third of <c>SaveChanges</c>'s work this way. A broken constraint is
    /// a <see cref="DbUpdateException"/> around SQLite's error, as <c>SaveChanges</c> reports it.
    /// </summary>
    public static async Task InsertSqliteRowAsync<T>(ReeveDbContext db, T row, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            await InsertAsync(db, [row], cancellationToken);
        }
        catch (Microsoft.Data.Sqlite.SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw new DbUpdateException(e.Message, e);
        }
    }

    /// <summary>
    /// One prepared single-row statement, run per row. (Many rows per statement is slower here: SQLite looks up
    /// each named parameter by a linear search, so binding a statement of n parameters costs n².) Values are bound
    /// by position straight to SQLite when every column is of a type <see cref="SqliteBinding"/> writes as
    /// Microsoft.Data.Sqlite would; otherwise through a <see cref="DbCommand"/>.
    /// </summary>
    private static async Task InsertEachAsync<T>(ReeveDbContext db, DbConnection connection, Table table, IReadOnlyList<T> rows, CancellationToken cancellationToken)
        where T : class
    {
        if (table.Binding is { } binding && connection is SqliteConnection sqlite)
        {
            cancellationToken.ThrowIfCancellationRequested();
            binding.RunEach(sqlite.Handle!, table.InsertSql, table.Columns, rows);
            return;
        }

        await using var command = connection.CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = table.InsertSql;
        for (var i = 0; i < table.Columns.Length; i++)
        {
            var column = table.Columns[i];
            command.Parameters.Add(column.Mapping.CreateParameter(command, "@p" + i, null, column.Property.IsNullable));
        }

        await command.PrepareAsync(cancellationToken);
        foreach (var row in rows)
        {
            for (var i = 0; i < table.Columns.Length; i++)
            {
                command.Parameters[i].Value = table.Columns[i].ProviderValue(row) ?? DBNull.Value;
            }

            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static async Task CopyAsync<T>(NpgsqlConnection connection, Table table, IReadOnlyList<T> rows, CancellationToken cancellationToken)
        where T : class
    {
        await using var writer = await connection.BeginBinaryImportAsync(table.CopySql, cancellationToken);
        foreach (var row in rows)
        {
            await writer.StartRowAsync(cancellationToken);
            foreach (var column in table.Columns)
            {
                if (column.ProviderValue(row) is { } value)
                {
                    await writer.WriteAsync(value, column.StoreType, cancellationToken);
                }
                else
                {
                    await writer.WriteNullAsync(cancellationToken);
                }
            }
        }

        await writer.CompleteAsync(cancellationToken);
    }

    /// <summary>A table's or a column's name as SQL quotes it.</summary>
    internal static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>An entity's table as the model maps it, worked out once per model and type.</summary>
    internal sealed class Table
    {
        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IModel, System.Collections.Concurrent.ConcurrentDictionary<Type, Table>> Cache = [];

        private readonly Lazy<SqliteBinding?> _binding;

        private Table(IEntityType entity)
        {
            var name = entity.GetTableName()!;
            var store = StoreObjectIdentifier.Table(name, entity.GetSchema());
            Columns = entity.GetProperties().Select(p => new Column(p, p.GetColumnName(store)!)).ToArray();
            var names = string.Join(", ", Columns.Select(c => Quote(c.Name)));
            string Insert(Func<int, string> parameter) =>
                $"INSERT INTO {Quote(name)} ({names}) VALUES ({string.Join(", ", Columns.Select((_, i) => parameter(i)))})";
            InsertSql = Insert(i => "@p" + i);
            PositionalInsertSql = Insert(i => "$" + (i + 1));
            CopySql = $"COPY {Quote(name)} ({names}) FROM STDIN (FORMAT BINARY)";
            _binding = new(() => SqliteBinding.For(Columns));
        }

        /// <summary>How to bind a row by position on SQLite (asked only there); null when a column's type is not one it knows.</summary>
        public SqliteBinding? Binding => _binding.Value;

        public Column[] Columns { get; }

        public string InsertSql { get; }

        public string CopySql { get; }

        /// <summary>The insert of one row with PostgreSQL's positional parameters (<c>$1</c>, <c>$2</c>, ...).</summary>
        public string PositionalInsertSql { get; }

        public static Table Of(IModel model, Type type) =>
            Cache.GetOrCreateValue(model).GetOrAdd(type, t => new Table(model.FindEntityType(t) ?? throw new InvalidOperationException($"{t.Name} is not an entity of the model.")));

    }

    internal sealed class Column
    {
        private readonly IClrPropertyGetter _getter;

        public Column(IProperty property, string name)
        {
            Property = property;
            Name = name;
            Mapping = property.GetRelationalTypeMapping();
            _getter = property.GetGetter();
            // COPY names each value's PostgreSQL type: "character varying(16)" is written as "character varying".
            var storeType = property.GetColumnType();
            StoreType = storeType.IndexOf('(', StringComparison.Ordinal) is var open and > 0 ? storeType[..open].Trim() : storeType;
        }

        public IProperty Property { get; }

        public string Name { get; }

        public RelationalTypeMapping Mapping { get; }

        public string StoreType { get; }

        /// <summary>The value as the entity holds it, before the model's conversion.</summary>
        public object? ClrValue(object row) => _getter.GetClrValueUsingContainingEntity(row);

        /// <summary>The value as the database stores it: after the model's conversion (UTC times, state names, JSON lists).</summary>
        public object? ProviderValue(object row)
        {
            var value = ClrValue(row);
            return value is null || Mapping.Converter is not { } converter ? value : converter.ConvertToProvider(value);
        }
    }
}
