using Xunit;

namespace Reeve.Testing;

/// <summary>
/// What the machine offers the tests. Suites that need PostgreSQL run when <c>REEVE_TEST_POSTGRES</c> holds a
/// connection string and are skipped, saying why, when it does not — unless <c>REEVE_TEST_REQUIRE_ALL=1</c>
/// (set by <c>.ci/run</c>), which turns every such skip into a failure.
/// </summary>
public static class TestEnvironment
{
    public static string? PostgresConnectionString =>
        Environment.GetEnvironmentVariable("REEVE_TEST_POSTGRES") is { Length: > 0 } value ? value : null;

    public static bool RequireAll => Environment.GetEnvironmentVariable("REEVE_TEST_REQUIRE_ALL") == "1";

    public static void RequirePostgres()
    {
        if (PostgresConnectionString is not null)
        {
            return;
        }

        const string why = "PostgreSQL suite skipped: set REEVE_TEST_POSTGRES to a PostgreSQL connection string (e.g. Host=127.0.0.1;Port=55432;Username=postgres) to run it.";
        if (RequireAll)
        {
            Assert.Fail("REEVE_TEST_REQUIRE_ALL=1 but " + why);
        }

        Assert.Skip(why);
    }
}
