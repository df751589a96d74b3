using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Reeve.Server.Storage;

/// <summary>Wires the provider chosen by <see cref="StorageOptions"/> into the container.</summary>
internal static class StorageRegistration
{
    public static IServiceCollection AddReeveStorage(this IServiceCollection services, StorageOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<WriteGate>();
        switch (options.Provider)
        {
            case StorageProvider.Sqlite:
                services.AddDbContextPool<SqliteReeveDbContext>(o => ConfigureSqlite(o, options.ConnectionString));
                services.AddScoped<ReeveDbContext>(sp => sp.GetRequiredService<SqliteReeveDbContext>());
                break;
            case StorageProvider.Postgres:
                services.AddDbContextPool<PostgresReeveDbContext>(o => ConfigurePostgres(o, options.ConnectionString));
                services.AddScoped<ReeveDbContext>(sp => sp.GetRequiredService<PostgresReeveDbContext>());
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.Provider, "Unknown storage provider.");
        }

        services.AddScoped<Store>();
        services.AddScoped<WorkPoolStore>();
        services.AddScoped<WorkQueueStore>();
        services.AddScoped<WorkerStore>();
        return services;
    }

    internal static void ConfigureSqlite(DbContextOptionsBuilder builder, string connectionString) =>
        builder
            .UseSqlite(connectionString, sqlite => sqlite.MigrationsHistoryTable("__reeve_migrations"))
            .UseSnakeCaseNamingConvention()
            .AddInterceptors(SqlitePragmas.Instance)
            .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking);

    internal static void ConfigurePostgres(DbContextOptionsBuilder builder, string connectionString) =>
        builder
            .UseNpgsql(connectionString, npgsql => npgsql.MigrationsHistoryTable("__reeve_migrations"))
            .UseSnakeCaseNamingConvention()
            .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking);

    /// <summary>Brings the database to the current model; safe to run from several replicas at once.</summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ReeveDbContext>();
        var options = scope.ServiceProvider.GetRequiredService<StorageOptions>();
        if (options.Provider == StorageProvider.Sqlite)
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(options.ConnectionString).DataSource));
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }

            // WAL lets readers go on while one writer commits; the setting is kept in the file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }

        await db.Database.MigrateAsync(cancellationToken);
    }
}
