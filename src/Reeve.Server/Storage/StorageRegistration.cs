using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Reeve.Server.Storage;

/// <summary>Wires the provider chosen by <see cref="StorageOptions"/> into the container.</summary>
internal static class StorageRegistration
{
    private const string HistoryTable = "__reeve_migrations";

    public static IServiceCollection AddReeveStorage(this IServiceCollection services, StorageOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<WriteGate>();
        services.AddSingleton<GroupCommit>();
        services.AddSingleton<ClaimLine>();
        switch (options.Provider)
        {
            case StorageProvider.Sqlite:
                services.AddDbContextPool<SqliteReeveDbContext>(o => UseCompiledModel(ConfigureSqlite(o, options.ConnectionString), "Sqlite"));
                services.AddScoped<ReeveDbContext>(sp => sp.GetRequiredService<SqliteReeveDbContext>());
                break;
            case StorageProvider.Postgres:
                services.AddDbContextPool<PostgresReeveDbContext>(o => UseCompiledModel(ConfigurePostgres(o, options.ConnectionString), "Postgres"));
                services.AddScoped<ReeveDbContext>(sp => sp.GetRequiredService<PostgresReeveDbContext>());
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.Provider, "Unknown storage provider.");
        }

        services.AddScoped<Store>();
        services.AddScoped<WorkPoolStore>();
        services.AddScoped<WorkQueueStore>();
        services.AddScoped<WorkerStore>();
        services.AddScoped<FlowStore>();
        services.AddScoped<DeploymentStore>();
        services.AddScoped<FlowRunStore>();
        services.AddScoped<TaskRunStore>();
        services.AddScoped<LogStore>();
        services.AddScoped<WorkerRunsStore>();
        services.AddScoped<SchedulerStore>();
        services.AddScoped<CredentialsStore>();
        services.AddScoped<BlockStore>();
        services.AddScoped<TagConcurrencyLimitStore>();
        services.AddSingleton<SecretRows>();
        services.AddSingleton<SystemBlockTypes>();
        services.AddScoped<ApiKeyStore>();
        services.AddScoped<AuditStore>();
        services.AddScoped<VariableStore>();
        services.AddScoped<ConcurrencyLimitStore>();
        services.AddScoped<ArtifactStore>();
        services.AddSingleton<CredentialsProtector>();
        return services;
    }

    // The compiled models (Storage/CompiledModels, made by eng/compile-models.sh) are added by the callers that
    // serve requests; the design-time factories build the model from code, so migrations see every change.
    internal static DbContextOptionsBuilder ConfigureSqlite(DbContextOptionsBuilder builder, string connectionString) =>
        builder
            .UseSqlite(connectionString, sqlite => sqlite.MigrationsHistoryTable(HistoryTable))
            .UseSnakeCaseNamingConvention()
            .AddInterceptors(SqlitePragmas.Instance)
            .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking);

    internal static DbContextOptionsBuilder ConfigurePostgres(DbContextOptionsBuilder builder, string connectionString) =>
        builder
            .UseNpgsql(WithStatementPreparation(connectionString), npgsql => npgsql.MigrationsHistoryTable(HistoryTable))
            .UseSnakeCaseNamingConvention()
            .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking);

    /// <summary>
    /// Uses the provider's compiled model (Storage/CompiledModels). It is found by name so that
    /// eng/compile-models.sh can delete and rebuild it; without one, EF builds the model at start (slower).
    /// </summary>
    internal static DbContextOptionsBuilder UseCompiledModel(DbContextOptionsBuilder builder, string provider)
    {
        var type = typeof(StorageRegistration).Assembly.GetType($"Reeve.Server.Storage.CompiledModels.{provider}.{provider}ReeveDbContextModel");
        if (type?.GetProperty("Instance")?.GetValue(null) is Microsoft.EntityFrameworkCore.Metadata.IModel model)
        {
            builder.UseModel(model);
        }

        return builder;
    }

    /// <summary>
    /// Lets Npgsql prepare the statements the server repeats (every endpoint runs the same few queries), which
    /// spares PostgreSQL parsing and planning them on each request. A setting in the connection string wins.
    /// </summary>
    internal static string WithStatementPreparation(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase)
            && !connectionString.Contains("AutoPrepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxAutoPrepare = 100;
            builder.AutoPrepareMinUsages = 2;
        }

        return builder.ConnectionString;
    }

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

        // Migrate() builds the full design-time model even when there is nothing to do (about a second);
        // comparing the applied migrations with the known ones first keeps restarts fast.
        var applied = await AppliedMigrationsAsync(db, cancellationToken);
        var pending = db.Database.GetMigrations().Except(applied).ToList();
        if (pending.Count > 0)
        {
            var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("Reeve.Server.Storage");
            logger.LogInformation("Applying {Count} migration(s) to {Database}: {Migrations}", pending.Count, options.Describe(), string.Join(", ", pending));
            await db.Database.MigrateAsync(cancellationToken);
        }
    }

    /// <summary>The ids in the history table, read with plain SQL: EF's own reader builds a model of its own first.</summary>
    private static async Task<List<string>> AppliedMigrationsAsync(ReeveDbContext db, CancellationToken cancellationToken)
    {
        var applied = new List<string>();
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT migration_id FROM {HistoryTable}";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                applied.Add(reader.GetString(0));
            }
        }
        catch (System.Data.Common.DbException)
        {
            // No history table yet: a new database.
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }

        return applied;
    }
}
