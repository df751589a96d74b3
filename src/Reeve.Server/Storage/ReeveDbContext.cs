using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Reeve.Core.Naming;
using Reeve.Core.States;
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
    public DbSet<FlowRecord> Flows => Set<FlowRecord>();
    public DbSet<DeploymentRecord> Deployments => Set<DeploymentRecord>();
    public DbSet<DeploymentScheduleRecord> DeploymentSchedules => Set<DeploymentScheduleRecord>();
    public DbSet<FlowRunRecord> FlowRuns => Set<FlowRunRecord>();
    public DbSet<FlowRunStateRecord> FlowRunStates => Set<FlowRunStateRecord>();
    public DbSet<TaskRunRecord> TaskRuns => Set<TaskRunRecord>();
    public DbSet<TaskRunStateRecord> TaskRunStates => Set<TaskRunStateRecord>();
    public DbSet<LogRecord> Logs => Set<LogRecord>();
    public DbSet<CredentialsRecord> Credentials => Set<CredentialsRecord>();
    public DbSet<BlockTypeRecord> BlockTypes => Set<BlockTypeRecord>();
    public DbSet<TagConcurrencyLimitRecord> TagConcurrencyLimits => Set<TagConcurrencyLimitRecord>();
    public DbSet<BlockSchemaRecord> BlockSchemas => Set<BlockSchemaRecord>();
    public DbSet<DataProtectionKeyRecord> DataProtectionKeys => Set<DataProtectionKeyRecord>();
    public DbSet<ApiKeyRecord> ApiKeys => Set<ApiKeyRecord>();
    public DbSet<AuditRecord> Audit => Set<AuditRecord>();
    public DbSet<VariableRecord> Variables => Set<VariableRecord>();
    public DbSet<ConcurrencyLimitRecord> ConcurrencyLimits => Set<ConcurrencyLimitRecord>();
    public DbSet<ArtifactRecord> Artifacts => Set<ArtifactRecord>();
    public DbSet<FlowRunCredentialsRecord> FlowRunCredentials => Set<FlowRunCredentialsRecord>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every time is UTC; SQLite hands DateTime back without a Kind.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcConverter>();

        // State types are stored by name (Scheduled, Running): readable, and what the queries compare with.
        configurationBuilder.Properties<StateType>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<StateType?>().HaveConversion<string>().HaveMaxLength(16);
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

        ConfigureFlowsAndDeployments(modelBuilder);
        ConfigureRuns(modelBuilder);

        modelBuilder.Entity<CredentialsRecord>(credentials =>
        {
            credentials.ToTable("credentials");
            credentials.HasIndex(c => new { c.Type, c.Name }).IsUnique();
            credentials.Property(c => c.Name).HasMaxLength(ResourceName.MaxLength);
            credentials.Property(c => c.Type).HasMaxLength(ResourceName.MaxLength);
        });

        modelBuilder.Entity<BlockTypeRecord>(type =>
        {
            type.ToTable("block_type");
            type.HasIndex(t => t.Slug).IsUnique();
            type.HasIndex(t => t.Name).IsUnique();
            type.Property(t => t.Slug).HasMaxLength(Core.Blocks.BlockRules.MaxNameLength);
            type.Property(t => t.Name).HasMaxLength(Core.Blocks.BlockRules.MaxNameLength);
        });

        modelBuilder.Entity<BlockSchemaRecord>(schema =>
        {
            schema.ToTable("block_schema");
            schema.HasIndex(s => new { s.Checksum, s.Version }).IsUnique();
            schema.HasIndex(s => s.BlockTypeId);
            schema.Property(s => s.Checksum).HasMaxLength(100);
            schema.Property(s => s.Version).HasMaxLength(Core.Blocks.BlockRules.MaxNameLength);
            schema.HasOne<BlockTypeRecord>().WithMany().HasForeignKey(s => s.BlockTypeId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<DataProtectionKeyRecord>(key =>
        {
            key.ToTable("data_protection_key");
            key.Property(k => k.FriendlyName).HasMaxLength(200);
        });

        modelBuilder.Entity<FlowRunCredentialsRecord>(used =>
        {
            used.ToTable("flow_run_credentials");
            used.HasKey(u => new { u.FlowRunId, u.CredentialsId });

            // A run's record of the credentials it was given goes with the run, and with the credentials.
            used.HasOne<FlowRunRecord>().WithMany().HasForeignKey(u => u.FlowRunId).OnDelete(DeleteBehavior.Cascade);
            used.HasOne<CredentialsRecord>().WithMany().HasForeignKey(u => u.CredentialsId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<ApiKeyRecord>(key =>
        {
            key.ToTable("api_key");
            key.HasIndex(k => k.Name).IsUnique();
            key.HasIndex(k => k.KeyHash).IsUnique();
            key.Property(k => k.Name).HasMaxLength(ResourceName.MaxLength);
            key.Property(k => k.Role).HasMaxLength(20);
            key.Property(k => k.KeyHash).HasMaxLength(64);
            key.Property(k => k.Prefix).HasMaxLength(20);
        });

        modelBuilder.Entity<VariableRecord>(variable =>
        {
            variable.ToTable("variable");
            variable.HasIndex(v => v.Name).IsUnique();
            variable.Property(v => v.Name).HasMaxLength(Core.Variables.VariableRules.MaxNameLength);
        });

        modelBuilder.Entity<TagConcurrencyLimitRecord>(limit =>
        {
            limit.ToTable("concurrency_limit");
            limit.HasIndex(l => l.Tag).IsUnique();
            limit.Property(l => l.Tag).HasMaxLength(ResourceName.MaxLength);
        });

        modelBuilder.Entity<ConcurrencyLimitRecord>(limit =>
        {
            limit.ToTable("concurrency_limit_v2");
            limit.HasIndex(l => l.Name).IsUnique();
            limit.Property(l => l.Name).HasMaxLength(ResourceName.MaxLength);
        });

        modelBuilder.Entity<ArtifactRecord>(artifact =>
        {
            artifact.ToTable("artifact");
            artifact.HasIndex(a => new { a.Key, a.Created });
            artifact.HasIndex(a => a.FlowRunId);
            artifact.Property(a => a.Key).HasMaxLength(Core.Artifacts.ArtifactRules.MaxKeyLength);
            artifact.Property(a => a.Type).HasMaxLength(64);
        });

        modelBuilder.Entity<AuditRecord>(audit =>
        {
            audit.ToTable("audit_event");
            audit.HasIndex(a => a.Occurred);
            audit.Property(a => a.Actor).HasMaxLength(ResourceName.MaxLength + 40);
            audit.Property(a => a.Role).HasMaxLength(20);
            audit.Property(a => a.Action).HasMaxLength(60);
            audit.Property(a => a.Resource).HasMaxLength(AuditStore.MaxResourceLength);
            audit.Property(a => a.Request).HasMaxLength(200);
        });
    }

    private static void ConfigureFlowsAndDeployments(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<FlowRecord>(flow =>
        {
            flow.ToTable("flow");
            flow.HasIndex(f => f.Name).IsUnique();
            flow.Property(f => f.Name).HasMaxLength(ResourceName.MaxLength);
        });

        modelBuilder.Entity<DeploymentRecord>(deployment =>
        {
            deployment.ToTable("deployment");
            deployment.HasIndex(d => new { d.FlowId, d.Name }).IsUnique();
            deployment.HasIndex(d => d.WorkQueueId);
            deployment.Property(d => d.Name).HasMaxLength(ResourceName.MaxLength);
            deployment.Property(d => d.CollisionStrategy).HasMaxLength(16);
            deployment.HasOne(d => d.Flow).WithMany().HasForeignKey(d => d.FlowId).OnDelete(DeleteBehavior.Cascade);
            deployment.HasOne(d => d.WorkQueue).WithMany().HasForeignKey(d => d.WorkQueueId).OnDelete(DeleteBehavior.SetNull);
            deployment.HasMany(d => d.Schedules).WithOne().HasForeignKey(s => s.DeploymentId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<DeploymentScheduleRecord>(schedule =>
        {
            schedule.ToTable("deployment_schedule");
            schedule.HasIndex(s => s.DeploymentId);
            schedule.Property(s => s.Slug).HasMaxLength(ResourceName.MaxLength);
        });
    }

    private static void ConfigureRuns(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<FlowRunRecord>(run =>
        {
            run.ToTable("flow_run");
            run.Property(r => r.Name).HasMaxLength(ResourceName.MaxLength);
            run.Property(r => r.RetryType).HasMaxLength(16);
            run.HasOne<FlowRecord>().WithMany().HasForeignKey(r => r.FlowId).OnDelete(DeleteBehavior.Cascade);
            run.HasOne<DeploymentRecord>().WithMany().HasForeignKey(r => r.DeploymentId).OnDelete(DeleteBehavior.SetNull);
            run.HasOne<WorkQueueRecord>().WithMany().HasForeignKey(r => r.WorkQueueId).OnDelete(DeleteBehavior.SetNull);
            run.HasOne<WorkPoolRecord>().WithMany().HasForeignKey(r => r.WorkPoolId).OnDelete(DeleteBehavior.SetNull);

            // NULL keys never collide, so only runs that carry a key are unique per flow.
            run.HasIndex(r => new { r.FlowId, r.IdempotencyKey }).IsUnique();

            // Handing out work: due runs of a pool; counting slots: active runs of a pool, queue, deployment.
            run.HasIndex(r => new { r.WorkPoolId, r.StateType, r.NextScheduledStartTime });
            run.HasIndex(r => new { r.WorkQueueId, r.StateType, r.NextScheduledStartTime });
            run.HasIndex(r => new { r.DeploymentId, r.StateType, r.NextScheduledStartTime });
            run.HasIndex(r => new { r.StateType, r.NextScheduledStartTime });
            run.HasIndex(r => r.ExpectedStartTime);
            run.HasIndex(r => r.ParentTaskRunId);

            // The foreman: active runs whose heartbeats stopped.
            run.HasIndex(r => new { r.HeartbeatExpires, r.StateType });
        });

        modelBuilder.Entity<FlowRunStateRecord>(state =>
        {
            state.ToTable("flow_run_state");
            state.HasOne<FlowRunRecord>().WithMany().HasForeignKey(s => s.FlowRunId).OnDelete(DeleteBehavior.Cascade);
            state.HasIndex(s => new { s.FlowRunId, s.Timestamp });
        });

        modelBuilder.Entity<TaskRunRecord>(task =>
        {
            task.ToTable("task_run");
            task.Property(t => t.Name).HasMaxLength(ResourceName.MaxLength);
            task.Property(t => t.TaskKey).HasMaxLength(2000);
            task.Property(t => t.DynamicKey).HasMaxLength(2000);
            task.HasOne<FlowRunRecord>().WithMany().HasForeignKey(t => t.FlowRunId).OnDelete(DeleteBehavior.Cascade);
            task.HasIndex(t => new { t.FlowRunId, t.TaskKey, t.DynamicKey }).IsUnique();
        });

        modelBuilder.Entity<TaskRunStateRecord>(state =>
        {
            state.ToTable("task_run_state");
            state.HasOne<TaskRunRecord>().WithMany().HasForeignKey(s => s.TaskRunId).OnDelete(DeleteBehavior.Cascade);
            state.HasIndex(s => new { s.TaskRunId, s.Timestamp });
        });

        modelBuilder.Entity<LogRecord>(log =>
        {
            log.ToTable("log");
            log.Property(l => l.Name).HasMaxLength(ResourceName.MaxLength);
            log.HasIndex(l => new { l.FlowRunId, l.Timestamp });
            log.HasIndex(l => l.TaskRunId);
        });
    }

    internal sealed class UtcConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : DateTime.SpecifyKind(v, DateTimeKind.Utc),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}
