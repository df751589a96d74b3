using Npgsql;
using Reeve.Server.Storage;

namespace Reeve.Testing;

/// <summary>A fresh, empty database for one fixture: a SQLite file in a temporary folder, or a new PostgreSQL database.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? _folder;
    private readonly string? _postgresName;

    private TestDatabase(StorageOptions options, string? folder, string? postgresName)
    {
        Options = options;
        _folder = folder;
        _postgresName = postgresName;
    }

    public StorageOptions Options { get; }

    public static async Task<TestDatabase> CreateAsync(TestStorage storage)
    {
        if (storage == TestStorage.Sqlite)
        {
            var folder = Path.Combine(Path.GetTempPath(), "reeve-tests", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            return new TestDatabase(StorageOptions.SqliteIn(folder), folder, null);
        }

        TestEnvironment.RequirePostgres();
        var admin = new NpgsqlConnectionStringBuilder(TestEnvironment.PostgresConnectionString) { Pooling = false };
        var name = "reeve_test_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(TestEnvironment.PostgresConnectionString) { Database = name, MaxPoolSize = 50 };
        return new TestDatabase(new StorageOptions(StorageProvider.Postgres, builder.ConnectionString), null, name);
    }

    public async ValueTask DisposeAsync()
    {
        if (_folder is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
                // A file still open by a process the test started; the temp folder is cleaned by the OS.
            }
        }

        if (_postgresName is not null)
        {
            NpgsqlConnection.ClearAllPools();
            var admin = new NpgsqlConnectionStringBuilder(TestEnvironment.PostgresConnectionString) { Pooling = false };
            await using var connection = new NpgsqlConnection(admin.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_postgresName} WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}
