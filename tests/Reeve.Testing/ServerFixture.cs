using Xunit;

namespace Reeve.Testing;

/// <summary>One server per test class, on the storage the subclass names.</summary>
public abstract class ServerFixture(TestStorage storage) : IAsyncLifetime
{
    private RunningServer? _server;

    public TestStorage Storage { get; } = storage;

    /// <summary>The running server; skips (or fails under REEVE_TEST_REQUIRE_ALL) when its storage is not available.</summary>
    public RunningServer Server
    {
        get
        {
            if (Storage == TestStorage.Postgres)
            {
                TestEnvironment.RequirePostgres();
            }

            return _server ?? throw new InvalidOperationException("The server did not start.");
        }
    }

    public async ValueTask InitializeAsync()
    {
        if (Storage == TestStorage.Postgres && TestEnvironment.PostgresConnectionString is null)
        {
            return;
        }

        _server = await RunningServer.StartAsync(Storage);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}

public sealed class SqliteServerFixture() : ServerFixture(TestStorage.Sqlite);

public sealed class PostgresServerFixture() : ServerFixture(TestStorage.Postgres);
