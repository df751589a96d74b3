using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Reeve.Server.Storage;

/// <summary>Lets <c>dotnet ef migrations add</c> build the SQLite model without a running server.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteReeveDbContext>
{
    public SqliteReeveDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<SqliteReeveDbContext>();
        StorageRegistration.ConfigureSqlite(builder, "Data Source=design-time.db");
        return new SqliteReeveDbContext(builder.Options);
    }
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the PostgreSQL model without a database.</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresReeveDbContext>
{
    public PostgresReeveDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<PostgresReeveDbContext>();
        StorageRegistration.ConfigurePostgres(builder, "Host=localhost;Database=reeve_design_time");
        return new PostgresReeveDbContext(builder.Options);
    }
}
