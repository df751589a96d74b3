using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Reeve.Core.Naming;
using Reeve.Server.Storage.Entities;

namespace Reeve.Server.Storage;

/// <summary>
/// The model, shared by both providers. Each provider has a subclass that owns its migration set
/// (<see cref="SqliteReeveDbContext"/>, <see cref="PostgresReeveDbContext"/>).
/// </summary>
internal abstract class ReeveDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<WorkPoolRecord> WorkPools => Set<WorkPoolRecord>();
    public DbSet<WorkQueueRecord> WorkQueues => Set<WorkQueueRecord>();
    public DbSet<WorkerRecord> Workers => Set<WorkerRecord>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every time is UTC; SQLite hands DateTime back without a Kind.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<WorkPoolRecord>(pool =>
        {
            pool.ToTable("work_pool");
            pool.HasIndex(p => p.Name).IsUnique();
            pool.Property(p => p.Name).HasMaxLength(ResourceName.MaxLength);
            pool.Property(p => p.Type).HasMaxLength(ResourceName.MaxLength);
            pool.HasMany(p => p.Queues).WithOne(q => q.WorkPool).HasForeignKey(q => q.WorkPoolId).OnDelete(DeleteBehavior.Cascade);
            pool.HasMany(p => p.Workers).WithOne().HasForeignKey(w => w.WorkPoolId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<WorkQueueRecord>(queue =>
        {
            queue.ToTable("work_queue");
            queue.HasIndex(q => new { q.WorkPoolId, q.Name }).IsUnique();
            queue.HasIndex(q => new { q.WorkPoolId, q.Priority });
            queue.Property(q => q.Name).HasMaxLength(ResourceName.MaxLength);
        });

        modelBuilder.Entity<WorkerRecord>(worker =>
        {
            worker.ToTable("worker");
            worker.HasIndex(w => new { w.WorkPoolId, w.Name }).IsUnique();
            worker.HasIndex(w => new { w.WorkPoolId, w.OnlineUntil });
            worker.Property(w => w.Name).HasMaxLength(ResourceName.MaxLength);
        });
    }

    internal sealed class UtcConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : DateTime.SpecifyKind(v, DateTimeKind.Utc),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}
