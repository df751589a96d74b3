using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Reeve.Server.Storage;

/// <summary>
/// Writes some columns of one existing row, found by its key, without the change tracker: one <c>UPDATE ... SET</c>
/// of the named properties, bound by position (on SQLite by <see cref="SqliteBinding"/>, on PostgreSQL in a
/// <see cref="PostgresRows"/> batch). For the hottest write there is, a run's state change, where
/// <c>SaveChanges</c> (detecting what changed, then building the command) cost more than the database's own work.
/// Names, column types and value conversions come from the EF model, so the values are stored exactly as
/// <c>SaveChanges</c> would store them.
/// </summary>
internal sealed class RowUpdate
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IModel, System.Collections.Concurrent.ConcurrentDictionary<(Type, IReadOnlyList<string>), RowUpdate>> Cache = [];

    private readonly Lazy<SqliteBinding> _binding;

    private RowUpdate(IEntityType entity, IReadOnlyList<string> properties)
    {
        var table = entity.GetTableName()!;
        var store = StoreObjectIdentifier.Table(table, entity.GetSchema());
        var key = entity.FindPrimaryKey()!.Properties.Single();
        var set = properties.Select(name => entity.FindProperty(name)
            ?? throw new InvalidOperationException($"{entity.ClrType.Name} has no property {name}.")).ToList();
        if (set.Contains(key))
        {
            throw new InvalidOperationException("A row's key is how it is found, not one of the columns it updates.");
        }

        Columns = [.. set.Append(key).Select(p => new BulkInsert.Column(p, p.GetColumnName(store)!))];
        string Update(Func<int, string> parameter) =>
            $"UPDATE {BulkInsert.Quote(table)} SET {string.Join(", ", Columns.SkipLast(1).Select((c, i) => $"{BulkInsert.Quote(c.Name)} = {parameter(i)}"))} " +
            $"WHERE {BulkInsert.Quote(Columns[^1].Name)} = {parameter(Columns.Length - 1)}";
        Sql = Update(i => "@p" + i);
        PositionalSql = Update(i => "$" + (i + 1));
        _binding = new(() => SqliteBinding.For(Columns)
            ?? throw new InvalidOperationException($"A column of {string.Join(", ", properties)} is of a kind SQLite rows are not bound by position for."));
    }

    /// <summary>The columns set, in order, then the key.</summary>
    public BulkInsert.Column[] Columns { get; }

    /// <summary>The update with SQLite's numbered parameters.</summary>
    public string Sql { get; }

    /// <summary>The update with PostgreSQL's positional parameters (<see cref="PostgresRows"/>).</summary>
    public string PositionalSql { get; }

    /// <summary>
    /// The update of <paramref name="properties"/> of <typeparamref name="T"/>'s rows, made once per model and list
    /// (a list is known by its reference: pass the same static array each time).
    /// </summary>
    public static RowUpdate Of<T>(IModel model, IReadOnlyList<string> properties) =>
        Cache.GetOrCreateValue(model).GetOrAdd((typeof(T), properties), _ =>
            new RowUpdate(model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not an entity of the model."), properties));

    /// <summary>
    /// Writes the columns of <paramref name="row"/> in the current transaction of <paramref name="db"/>'s SQLite
    /// connection; the row must be there (a missing one is an <see cref="InvalidOperationException"/>: callers update
    /// only a row they have just read under the write gate).
    /// </summary>
    public void Run<T>(ReeveDbContext db, T row)
        where T : class
    {
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        if (_binding.Value.RunEach(connection.Handle!, Sql, Columns, [row]) != 1)
        {
            throw new InvalidOperationException($"The {typeof(T).Name} to update is not there.");
        }
    }
}
