using Npgsql;
using Reeve.Server.Storage;

namespace Reeve.Bench;

/// <summary>
/// A scratch folder and, for <c>--storage postgres</c>, a fresh database on the benchmark's PostgreSQL server, both
/// removed when disposed: for scenarios that open storage themselves (an in-process server, the Hangfire side).
/// </summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string? _database;

    private BenchDatabase(string home, string? database)
    {
        Home = home;
        _database = database;
    }

    public string Home { get; }

    /// <summary>The PostgreSQL connection string of the database, or null on SQLite.</summary>
    public string? PostgresConnectionString => _database is null
        ? null
        : new NpgsqlConnectionStringBuilder(ServerProcess.PostgresAdmin) { Database = _database }.ConnectionString;

    /// <summary>Reeve's storage settings for it: the database, or a SQLite file in <see cref="Home"/>.</summary>
    public StorageOptions ReeveStorage => PostgresConnectionString is { } connection
        ? new StorageOptions(StorageProvider.Postgres, connection)
        : StorageOptions.SqliteIn(Home);

    public static async Task<BenchDatabase> CreateAsync(string storage, string prefix)
    {
        var home = Path.Combine(Path.GetTempPath(), "reeve-bench", prefix + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(home);
        string? database = null;
        if (storage == "postgres")
        {
            database = prefix.Replace('-', '_') + "bench_" + Guid.NewGuid().ToString("N")[..12];
            await ServerProcess.ExecuteAdminAsync($"CREATE DATABASE {database}");
        }

        return new BenchDatabase(home, database);
    }

    public async ValueTask DisposeAsync()
    {
        if (_database is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await ServerProcess.ExecuteAdminAsync($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)");
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Home, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }
}
