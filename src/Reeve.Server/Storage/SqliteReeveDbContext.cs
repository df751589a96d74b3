using Microsoft.EntityFrameworkCore;

namespace Reeve.Server.Storage;

/// <summary>The SQLite flavour of the model; its migrations live in <c>Migrations/Sqlite</c>.</summary>
internal sealed class SqliteReeveDbContext(DbContextOptions<SqliteReeveDbContext> options) : ReeveDbContext(options);
