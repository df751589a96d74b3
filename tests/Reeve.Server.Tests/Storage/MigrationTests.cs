using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Reeve.Server.Storage;

namespace Reeve.Server.Tests.Storage;

public class MigrationTests
{
    private static ReeveDbContext Sqlite() => new SqliteDesignTimeFactory().CreateDbContext([]);

    private static ReeveDbContext Postgres() => new PostgresDesignTimeFactory().CreateDbContext([]);

    public static TheoryData<string> Providers => new("sqlite", "postgres");

    private static ReeveDbContext Context(string provider) => provider == "sqlite" ? Sqlite() : Postgres();

    [Theory]
    [MemberData(nameof(Providers))]
    public void Migrations_AreUpToDateWithTheModel(string provider)
    {
        using var context = Context(provider);

        var snapshot = SnapshotModel(context);
        var current = context.GetService<IDesignTimeModel>().Model;

        Assert.False(context.GetService<IMigrationsModelDiffer>().HasDifferences(snapshot.GetRelationalModel(), current.GetRelationalModel()),
            $"The {provider} migrations do not match the model: run eng/add-migration.sh NAME.");
    }

    [Fact]
    public void TheTwoMigrationSets_DescribeTheSameTablesColumnsIndexesAndKeys()
    {
        using var sqlite = Sqlite();
        using var postgres = Postgres();

        Assert.Equal(Describe(SnapshotModel(sqlite)), Describe(SnapshotModel(postgres)));
    }

    [Fact]
    public void TheTwoMigrationSets_HaveTheSameMigrations()
    {
        using var sqlite = Sqlite();
        using var postgres = Postgres();

        static IEnumerable<string> Names(DbContext c) => c.GetService<IMigrationsAssembly>().Migrations.Keys.Select(id => id[15..]);
        Assert.Equal(Names(sqlite), Names(postgres));
    }

    [Theory]
    [InlineData(TestStorage.Sqlite)]
    [InlineData(TestStorage.Postgres)]
    public async Task ServerStart_AppliesEveryMigration(TestStorage storage)
    {
        await using var server = await RunningServer.StartAsync(storage);
        await using var scope = server.Server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ReeveDbContext>();

        Assert.Empty(await db.Database.GetPendingMigrationsAsync(TestContext.Current.CancellationToken));
        Assert.NotEmpty(await db.Database.GetAppliedMigrationsAsync(TestContext.Current.CancellationToken));
    }

    private static IModel SnapshotModel(DbContext context)
    {
        var model = context.GetService<IMigrationsAssembly>().ModelSnapshot?.Model
            ?? throw new InvalidOperationException("No model snapshot.");
        if (model is IMutableModel mutable)
        {
            model = mutable.FinalizeModel();
        }

        return context.GetService<IModelRuntimeInitializer>().Initialize(model, designTime: true, validationLogger: null);
    }

    private static List<string> Describe(IModel model)
    {
        var lines = new List<string>();
        foreach (var table in model.GetRelationalModel().Tables.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            lines.Add($"table {table.Name}");
            foreach (var column in table.Columns.OrderBy(c => c.Name, StringComparer.Ordinal))
            {
                var clr = column.PropertyMappings.First().Property.ClrType;

                // A list of strings is a primitive collection: JSON text in SQLite, text[] in PostgreSQL.
                clr = clr == typeof(List<string>) ? typeof(string) : clr;
                lines.Add($"  column {column.Name} {Nullable.GetUnderlyingType(clr)?.Name ?? clr.Name} null={column.IsNullable} max={column.PropertyMappings.First().Property.GetMaxLength()}");
            }

            lines.Add($"  key {string.Join(',', table.PrimaryKey!.Columns.Select(c => c.Name))}");
            foreach (var index in table.Indexes.OrderBy(i => i.Name, StringComparer.Ordinal))
            {
                lines.Add($"  index {index.Name} ({string.Join(',', index.Columns.Select(c => c.Name))}) unique={index.IsUnique}");
            }

            foreach (var fk in table.ForeignKeyConstraints.OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                lines.Add($"  fk {fk.Name} -> {fk.PrincipalTable.Name} on delete {fk.OnDeleteAction}");
            }
        }

        return lines;
    }
}
