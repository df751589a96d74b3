using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Reeve.Server.Storage;

namespace Reeve.Server.Tests.Storage;

public class CompiledModelTests
{
    [Fact]
    public void SqliteCompiledModel_MatchesTheModelBuiltFromCode()
    {
        using var context = new SqliteDesignTimeFactory().CreateDbContext([]);
        AssertSame(context, CompiledModel("Sqlite"), "sqlite");
    }

    [Fact]
    public void PostgresCompiledModel_MatchesTheModelBuiltFromCode()
    {
        using var context = new PostgresDesignTimeFactory().CreateDbContext([]);
        AssertSame(context, CompiledModel("Postgres"), "postgres");
    }

    private static IModel CompiledModel(string provider)
    {
        var type = typeof(ReeveDbContext).Assembly.GetType($"Reeve.Server.Storage.CompiledModels.{provider}.{provider}ReeveDbContextModel");
        Assert.True(type is not null, $"There is no {provider} compiled model: run eng/compile-models.sh.");
        return (IModel)type.GetProperty("Instance")!.GetValue(null)!;
    }

    private static void AssertSame(ReeveDbContext context, IModel compiled, string provider) =>
        Assert.True(Describe(context.Model).SequenceEqual(Describe(compiled)), $"The {provider} compiled model is stale: run eng/compile-models.sh.");

    /// <summary>What the server relies on at run time: tables, columns, types, keys and relationships.</summary>
    private static IEnumerable<string> Describe(IModel model) =>
        model.GetEntityTypes().OrderBy(e => e.Name, StringComparer.Ordinal).SelectMany(entity =>
            new[] { $"{entity.Name} -> {entity.GetTableName()} key {string.Join(',', entity.FindPrimaryKey()!.Properties.Select(p => p.Name))}" }
            .Concat(entity.GetProperties().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p =>
                $"  {p.Name} -> {p.GetColumnName()} {p.ClrType.Name} null={p.IsNullable} max={p.GetMaxLength()} converter={p.GetValueConverter()?.GetType().Name}"))
            .Concat(entity.GetForeignKeys().Select(fk =>
                $"  fk {string.Join(',', fk.Properties.Select(p => p.Name))} -> {fk.PrincipalEntityType.Name} {fk.DeleteBehavior}")));
}
