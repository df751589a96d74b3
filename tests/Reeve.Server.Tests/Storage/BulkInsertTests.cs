using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Reeve.Core.Flows;
using Reeve.Core.FlowRuns;
using Reeve.Core.States;
using Reeve.Server.Storage;
using Reeve.Server.Storage.Entities;

namespace Reeve.Server.Tests.Storage;

/// <summary>Rows written in bulk are stored exactly as <c>SaveChanges</c> stores them, column by column.</summary>
public sealed class BulkInsertTests
{
    private static readonly Guid StateId = Guid.CreateVersion7();

    private static readonly DateTime At = new(2026, 11, 27, 10, 11, 12, 345, 678, DateTimeKind.Utc);

    [Theory]
    [InlineData(TestStorage.Sqlite)]
    [InlineData(TestStorage.Postgres)]
    public async Task BulkRows_AreStoredLikeSaveChangesRows_AndReadBackTheSame(TestStorage storage)
    {
        await using var server = await RunningServer.StartAsync(storage);
        var flow = await server.Client.CreateFlowAsync(new FlowCreate { Name = "bulk" });
        var run = await server.Client.CreateFlowRunAsync(new FlowRunCreate { FlowId = flow.Id });
        await using var scope = server.Server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ReeveDbContext>();
        var ct = TestContext.Current.CancellationToken;

        TaskRunRecord Task(Guid id) => new()
        {
            Id = id, Created = At, Updated = At.AddSeconds(1), Name = "add-1a2b3c", FlowRunId = run.Id, TaskKey = "add", DynamicKey = id.ToString(),
            CacheKey = null, CacheExpiration = At.AddDays(1), TaskVersion = "1.0", EmpiricalPolicy = """{"retries":2}""", Tags = ["a", "b c"],
            Labels = "{}", TaskInputs = """{"x":[]}""", StateId = StateId, StateType = StateType.Completed, StateName = "Completed",
            StateTimestamp = At, State = """{"type":"COMPLETED"}""", RunCount = 1, FlowRunRunCount = 1, ExpectedStartTime = At, StartTime = At,
            EndTime = At.AddTicks(12_340), TotalRunTime = 0.001234,
        };
        TaskRunStateRecord State(Guid id, Guid taskRunId) => new()
        {
            Id = id, TaskRunId = taskRunId, Type = StateType.Scheduled, Name = "AwaitingRetry", Timestamp = At, Message = "ünïcode ✓ 'quoted'",
            StateDetails = """{"scheduled_time":"2026-11-27T10:11:12Z"}""", Data = null,
        };
        LogRecord Log(Guid id, Guid taskRunId) => new()
        {
            Id = id, Created = At, Name = "reeve.task_runs", Level = 40, Message = "line\nwith \"quotes\"", Timestamp = At, FlowRunId = run.Id, TaskRunId = taskRunId,
        };

        var (tracked, bulk) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        var (trackedState, bulkState) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        var (trackedLog, bulkLog) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            db.TaskRuns.Add(Task(tracked));
            db.TaskRunStates.Add(State(trackedState, tracked));
            db.Logs.Add(Log(trackedLog, tracked));
            await db.SaveChangesAsync(ct);
            await BulkInsert.InsertAsync(db, [Task(bulk)], ct);
            await BulkInsert.InsertAsync(db, [State(bulkState, bulk)], ct);
            await BulkInsert.InsertAsync(db, [Log(bulkLog, bulk)], ct);
            await transaction.CommitAsync(ct);
        }

        db.ChangeTracker.Clear();
        if (storage == TestStorage.Sqlite)
        {
            // The rows below went through the positional binding, not the command it falls back to.
            Assert.All([typeof(TaskRunRecord), typeof(TaskRunStateRecord), typeof(LogRecord), typeof(FlowRunRecord), typeof(FlowRunStateRecord)],
                type => Assert.True(BulkInsert.BindsByPosition(db.Model, type), $"{type.Name} is not bound by position."));
        }

        await AssertSameColumnsAsync(db, "task_run", tracked, bulk, ignore: ["id", "dynamic_key"]);
        await AssertSameColumnsAsync(db, "task_run_state", trackedState, bulkState, ignore: ["id", "task_run_id"]);
        await AssertSameColumnsAsync(db, "log", trackedLog, bulkLog, ignore: ["id", "task_run_id"]);

        var readBack = await db.TaskRuns.SingleAsync(t => t.Id == bulk, ct);
        Assert.Equivalent(Task(bulk), readBack);
        Assert.Equal(DateTimeKind.Utc, readBack.Created.Kind);
        Assert.Equivalent(State(bulkState, bulk), await db.TaskRunStates.SingleAsync(s => s.Id == bulkState, ct));
        Assert.Equivalent(Log(bulkLog, bulk), await db.Logs.SingleAsync(l => l.Id == bulkLog, ct));
    }

    [Theory]
    [InlineData(TestStorage.Sqlite)]
    [InlineData(TestStorage.Postgres)]
    public async Task RunRowsInsertedOneByOne_AreStoredLikeSaveChangesRows(TestStorage storage)
    {
        // The hot single-row inserts (a new run and its first state) go through BulkInsert on SQLite, PostgresRows on PostgreSQL.
        await using var server = await RunningServer.StartAsync(storage);
        var flow = await server.Client.CreateFlowAsync(new FlowCreate { Name = "bulk-runs" });
        var created = await server.Client.CreateFlowRunAsync(new FlowRunCreate
        {
            FlowId = flow.Id,
            Name = "ünïcode-run",
            Tags = ["a", "b c"],
            Parameters = new System.Text.Json.Nodes.JsonObject { ["x"] = 1 },
        });
        await using var scope = server.Server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ReeveDbContext>();
        var ct = TestContext.Current.CancellationToken;
        var (tracked, bulk) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        async Task<(FlowRunRecord Run, FlowRunStateRecord State)> CopyAsync(Guid id)
        {
            var run = await db.FlowRuns.SingleAsync(r => r.Id == created.Id, ct);
            var state = await db.FlowRunStates.SingleAsync(s => s.FlowRunId == created.Id, ct);
            run.Id = id;
            run.EndTime = At;
            run.TotalRunTime = 0.001234;
            state.Id = Guid.CreateVersion7();
            state.FlowRunId = id;
            return (run, state);
        }

        var (trackedRun, trackedState) = await CopyAsync(tracked);
        var (bulkRun, bulkState) = await CopyAsync(bulk);
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            db.FlowRuns.Add(trackedRun);
            db.FlowRunStates.Add(trackedState);
            await db.SaveChangesAsync(ct);
            if (storage == TestStorage.Sqlite)
            {
                await BulkInsert.InsertAsync(db, [bulkRun], ct);
                await BulkInsert.InsertAsync(db, [bulkState], ct);
            }
            else
            {
                await new PostgresRows(db).Insert(bulkRun).Insert(bulkState).RunAsync(ct);
            }

            await transaction.CommitAsync(ct);
        }

        db.ChangeTracker.Clear();
        await AssertSameColumnsAsync(db, "flow_run", tracked, bulk, ignore: ["id"]);
        await AssertSameColumnsAsync(db, "flow_run_state", trackedState.Id, bulkState.Id, ignore: ["id", "flow_run_id"]);
        Assert.Equivalent(bulkRun, await db.FlowRuns.SingleAsync(r => r.Id == bulk, ct));
    }

    [Theory]
    [InlineData(TestStorage.Sqlite)]
    [InlineData(TestStorage.Postgres)]
    public async Task StateColumnsUpdatedByPosition_AreStoredLikeSaveChangesUpdates(TestStorage storage)
    {
        // A state change writes the run's state columns with RowUpdate, not SaveChanges.
        await using var server = await RunningServer.StartAsync(storage);
        var flow = await server.Client.CreateFlowAsync(new FlowCreate { Name = "row-update" });
        var created = await server.Client.CreateFlowRunAsync(new FlowRunCreate { FlowId = flow.Id, Name = "ünïcode-run", Tags = ["a"] });
        await using var scope = server.Server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ReeveDbContext>();
        var ct = TestContext.Current.CancellationToken;
        var copy = await db.FlowRuns.SingleAsync(r => r.Id == created.Id, ct);
        copy.Id = Guid.CreateVersion7();
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            await BulkInsert.InsertAsync(db, [copy], ct);
            await transaction.CommitAsync(ct);
        }

        void Change(FlowRunRecord run)
        {
            run.StateId = StateId;
            run.StateType = StateType.Completed;
            run.StateName = "Cömpleted";
            run.StateTimestamp = At;
            run.State = """{"type":"COMPLETED","message":"'quoted' ✓"}""";
            run.RunCount = 3;
            run.StartTime = At.AddSeconds(-1);
            run.EndTime = At.AddTicks(12_340);
            run.ExpectedStartTime = At.AddSeconds(-2);
            run.NextScheduledStartTime = null;
            run.TotalRunTime = 1.000001234;
            run.EmpiricalPolicy = """{"retries":2}""";
            run.RetryType = "reschedule";
            run.HeartbeatExpires = At.AddMinutes(1);
            run.Updated = At.AddSeconds(1);
        }

        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            var tracked = await db.FlowRuns.AsTracking().SingleAsync(r => r.Id == created.Id, ct);
            Change(tracked);
            await db.SaveChangesAsync(ct);
            var untracked = await db.FlowRuns.SingleAsync(r => r.Id == copy.Id, ct);
            Change(untracked);
            await UpdateAsync(db, untracked, ct);
            await transaction.CommitAsync(ct);
        }

        db.ChangeTracker.Clear();
        await AssertSameColumnsAsync(db, "flow_run", created.Id, copy.Id, ignore: ["id"]);
        Assert.Equal(StateType.Completed, (await db.FlowRuns.SingleAsync(r => r.Id == copy.Id, ct)).StateType);
    }

    [Theory]
    [InlineData(TestStorage.Sqlite)]
    [InlineData(TestStorage.Postgres)]
    public async Task RowUpdate_OfARowThatIsNotThere_Throws_AndWritesNothing(TestStorage storage)
    {
        await using var server = await RunningServer.StartAsync(storage);
        await using var scope = server.Server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ReeveDbContext>();
        var ct = TestContext.Current.CancellationToken;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var missing = new FlowRunRecord { Id = Guid.CreateVersion7(), Name = "missing" };
        await Assert.ThrowsAsync<InvalidOperationException>(() => UpdateAsync(db, missing, ct));
        Assert.Equal(0, await db.FlowRuns.CountAsync(ct));
    }

    [Fact]
    public async Task PostgresRows_ABrokenConstraint_IsADbUpdateException_AsSaveChangesReportsIt()
    {
        // A run's insert relies on it: a second run with the same idempotency key is found by its unique violation.
        await using var server = await RunningServer.StartAsync(TestStorage.Postgres);
        var flow = await server.Client.CreateFlowAsync(new FlowCreate { Name = "constraint" });
        var created = await server.Client.CreateFlowRunAsync(new FlowRunCreate { FlowId = flow.Id, Name = "first" });
        await using var scope = server.Server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ReeveDbContext>();
        var ct = TestContext.Current.CancellationToken;
        var copy = await db.FlowRuns.SingleAsync(r => r.Id == created.Id, ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var e = await Assert.ThrowsAsync<DbUpdateException>(() => new PostgresRows(db).Insert(copy).RunAsync(ct));
        Assert.True(Store.IsUniqueViolation(e));
    }

    /// <summary>A run's state columns written as a state change writes them on the context's storage.</summary>
    private static async Task UpdateAsync(ReeveDbContext db, FlowRunRecord run, CancellationToken ct)
    {
        var update = RowUpdate.Of<FlowRunRecord>(db.Model, FlowRunMapper.StateColumns);
        if (db.Database.ProviderName!.Contains("Sqlite", StringComparison.Ordinal))
        {
            update.Run(db, run);
        }
        else
        {
            await new PostgresRows(db).Update(update, run).RunAsync(ct);
        }
    }

    [Fact]
    public void ADecisionAppliedToARun_ChangesOnlyItsStateColumns()
    {
        // RowUpdate writes FlowRunMapper.StateColumns and nothing else: a column Apply sets beyond them would be lost.
        var started = new DateTimeOffset(At.AddMinutes(-1), TimeSpan.Zero);
        var run = new FlowRunRecord
        {
            Id = Guid.CreateVersion7(), Name = "guarded", FlowId = Guid.CreateVersion7(), Created = At, Updated = At, Tags = ["a"],
            WorkPoolId = Guid.CreateVersion7(), WorkQueueId = Guid.CreateVersion7(), DeploymentId = Guid.CreateVersion7(), InfrastructurePid = "1",
            EmpiricalPolicy = JsonText.Write(new FlowRunPolicy()),
        };
        FlowRunMapper.Apply(run, Reeve.Core.Orchestration.Orchestrator.FlowRuns.Decide(FlowRunMapper.Facts(run),
            StateFactory.FromProposal(new StateCreate { Type = StateType.Running }, started), started, force: true).Run, At);
        var before = Values(run);
        var now = new DateTimeOffset(At, TimeSpan.Zero);
        FlowRunMapper.Apply(run, Reeve.Core.Orchestration.Orchestrator.FlowRuns.Decide(FlowRunMapper.Facts(run),
            StateFactory.FromProposal(new StateCreate { Type = StateType.Completed }, now), now).Run, At.AddSeconds(5));
        var after = Values(run);
        var changed = before.Keys.Where(k => before[k] != after[k]).ToList();
        Assert.Contains(nameof(FlowRunRecord.EndTime), changed);
        Assert.Subset(FlowRunMapper.StateColumns.ToHashSet(), changed.ToHashSet());

        static Dictionary<string, string> Values(FlowRunRecord run) => typeof(FlowRunRecord).GetProperties().ToDictionary(p => p.Name,
            p => p.GetValue(run) is List<string> list ? string.Join("|", list) : Convert.ToString(p.GetValue(run), System.Globalization.CultureInfo.InvariantCulture) ?? "null");
    }

    /// <summary>Compares two rows as the database holds them (SQLite: each value's storage class and text).</summary>
    private static async Task AssertSameColumnsAsync(ReeveDbContext db, string table, Guid expected, Guid actual, string[] ignore)
    {
        var a = await RawRowAsync(db, table, expected);
        var b = await RawRowAsync(db, table, actual);
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var column in a.Keys.Except(ignore))
        {
            Assert.True(a[column] == b[column], $"{table}.{column}: SaveChanges stored {a[column]}, the bulk insert {b[column]}.");
        }

        // Ids differ between the two rows, but not their spelling: a lower-case id on SQLite would never match EF's lookups.
        foreach (var column in ignore)
        {
            Assert.True(Spelling(a[column]) == Spelling(b[column]), $"{table}.{column}: SaveChanges stored {a[column]}, the bulk insert {b[column]}.");
        }

        static string Spelling(string value) =>
            $"{value.Length}:{value.Any(char.IsLower)}:{value.Any(char.IsUpper)}:{(value.Contains(':') ? value.Split(':')[0] : "")}";
    }

    private static async Task<Dictionary<string, string>> RawRowAsync(ReeveDbContext db, string table, Guid id)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        try
        {
            var sqlite = db.Database.ProviderName!.Contains("Sqlite", StringComparison.Ordinal);
            // SQLite keeps ids as text; compare both spellings so the lookup never depends on the format.
            await using DbCommand command = connection.CreateCommand();
            command.CommandText = sqlite
                ? $"SELECT * FROM \"{table}\" WHERE upper(id) = upper('{id}')"
                : $"SELECT * FROM \"{table}\" WHERE id = '{id}'";
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync(), $"No {table} row {id}.");
            var row = new Dictionary<string, string>();
            for (var i = 0; i < reader.FieldCount; i++)
            {
                var value = reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i) is string[] array ? string.Join("|", array) : reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)!;
                row[reader.GetName(i)] = sqlite && !reader.IsDBNull(i) ? $"{reader.GetValue(i).GetType().Name}:{value}" : value;
            }

            return row;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
