using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Reeve.Server.Storage;

/// <summary>
/// Per-connection SQLite settings: durable enough with WAL, and faster than the defaults. They are kept by the
/// database connection itself, so they are set once per physical connection: Microsoft.Data.Sqlite pools those, and
/// EF opens and closes its connection around every query, which used to run the three pragmas several times a request.
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    public static SqlitePragmas Instance { get; } = new();

    private const string Pragmas = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;";

    // The native connections already set up; an entry goes when its connection is closed for good and collected.
    private readonly ConditionalWeakTable<object, object> _done = [];

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (FirstOpen(connection))
        {
            using var command = connection.CreateCommand();
            command.CommandText = Pragmas;
            command.ExecuteNonQuery();
        }
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (FirstOpen(connection))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = Pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private bool FirstOpen(DbConnection connection) =>
        connection is not SqliteConnection { Handle: { } handle } || _done.TryAdd(handle, handle);
}
