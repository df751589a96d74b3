using Microsoft.EntityFrameworkCore;

namespace Reeve.Server.Storage;

/// <summary>The PostgreSQL flavour of the model; its migrations live in <c>Migrations/Postgres</c>.</summary>
internal sealed class PostgresReeveDbContext(DbContextOptions<PostgresReeveDbContext> options) : ReeveDbContext(options);
