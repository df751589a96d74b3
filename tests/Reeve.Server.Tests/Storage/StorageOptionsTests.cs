using Reeve.Server.Storage;

namespace Reeve.Server.Tests.Storage;

public class StorageOptionsTests
{
    private const string Home = "/home/someone/.reeve";

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Parse_Nothing_IsSqliteInTheHomeFolder(string? value)
    {
        var options = StorageOptions.Parse(value, Home);

        Assert.Equal(StorageProvider.Sqlite, options.Provider);
        Assert.Contains(Path.Combine(Home, "reeve.db"), options.ConnectionString, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_KeywordConnectionString_IsPostgres()
    {
        var options = StorageOptions.Parse("Host=db.internal;Port=5433;Database=reeve;Username=u;Password=p", Home);

        Assert.Equal(StorageProvider.Postgres, options.Provider);
        Assert.Equal("PostgreSQL at db.internal:5433/reeve", options.Describe());
    }

    [Theory]
    [InlineData("postgresql://user:s%40cret@db.internal:5433/reeve?sslmode=disable")]
    [InlineData("postgres://user:s%40cret@db.internal:5433/reeve?sslmode=disable")]
    public void Parse_Url_IsPostgresWithEveryPart(string url)
    {
        var options = StorageOptions.Parse(url, Home);
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(options.ConnectionString);

        Assert.Equal(StorageProvider.Postgres, options.Provider);
        Assert.Equal(("db.internal", 5433, "reeve", "user", "s@cret"), (builder.Host, builder.Port, builder.Database, builder.Username, builder.Password));
        Assert.Equal(Npgsql.SslMode.Disable, builder.SslMode);
    }

    [Theory]
    [InlineData("sqlite:////var/lib/reeve/reeve.db", "/var/lib/reeve/reeve.db")]
    [InlineData("sqlite:///data/reeve.db", "data/reeve.db")]
    [InlineData("Data Source=/tmp/x.db", "/tmp/x.db")]
    public void Parse_Sqlite_KeepsThePath(string value, string path)
    {
        var options = StorageOptions.Parse(value, Home);

        Assert.Equal(StorageProvider.Sqlite, options.Provider);
        Assert.Equal($"SQLite at {path}", options.Describe());
    }

    [Theory]
    [InlineData("mysql://x")]
    [InlineData("just some words")]
    public void Parse_Unknown_SaysWhatIsAccepted(string value)
    {
        var error = Assert.Throws<ArgumentException>(() => StorageOptions.Parse(value, Home));
        Assert.Contains("PostgreSQL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_NeverShowsThePassword() =>
        Assert.DoesNotContain("hunter2", StorageOptions.Parse("Host=h;Database=d;Username=u;Password=hunter2", Home).Describe(), StringComparison.Ordinal);
}
