using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Reeve.Core.Flows;
using Reeve.Core.FlowRuns;
using Reeve.Server.Storage;
using Reeve.Server.Storage.Entities;

namespace Reeve.Server.Tests.Storage;

/// <summary>
/// SQLite's group commit: writes queued while another holds the write gate share one transaction, each in a savepoint
/// of its own; a write that fails leaves nothing behind and fails only its own caller; every caller is answered only
/// after the commit that holds its write.
/// </summary>
public sealed class GroupCommitTests
{
    [Fact]
    public async Task QueuedWrites_CommitTogether_AndAFailingWriteLeavesNothingAndFailsOnlyItsCaller()
    {
        await using var server = await RunningServer.StartAsync(TestStorage.Sqlite);
        var ct = TestContext.Current.CancellationToken;
        var services = server.Server.Services;
        var group = services.GetRequiredService<GroupCommit>();
        var gate = services.GetRequiredService<WriteGate>();
        await server.Client.CreateFlowAsync(new FlowCreate { Name = "taken" }, ct);
        var before = group.Commits;

        Task[] writes;
        using (await gate.EnterAsync(ct))
        {
            // While the gate is held nothing can commit: every write below waits in the queue for the same batch.
            writes = Enumerable.Range(0, 20).Select(i => (Task)group.WriteAsync<int>(async (db, token) =>
            {
                db.Flows.Add(Flow(i == 9 ? "taken" : $"grouped-{i}"));
                await db.SaveChangesAsync(token);
                if (i == 7)
                {
                    throw new InvalidOperationException("write 7 fails after its insert");
                }

                return i;
            }, ct)).ToArray();
            await Task.Delay(100, ct);
            Assert.All(writes, w => Assert.False(w.IsCompleted));
        }

        await Task.WhenAll(writes.Select(w => w.ContinueWith(_ => { }, ct)));
        Assert.Equal("write 7 fails after its insert", (await Assert.ThrowsAsync<InvalidOperationException>(() => writes[7])).Message);
        Assert.True(Store.IsUniqueViolation(await Assert.ThrowsAsync<DbUpdateException>(() => writes[9])));
        Assert.Equal(18, writes.Count(w => w.IsCompletedSuccessfully));
        Assert.Equal(before + 1, group.Commits);

        await using var scope = services.CreateAsyncScope();
        var names = await scope.ServiceProvider.GetRequiredService<ReeveDbContext>().Flows.Select(f => f.Name).ToListAsync(ct);
        Assert.Equal(Enumerable.Range(0, 20).Where(i => i is not 7 and not 9).Select(i => $"grouped-{i}").Append("taken").Order(), names.Order());
    }

    [Fact]
    public async Task AWriteWhoseCallerGaveUpBeforeItsBatch_IsNotWritten()
    {
        await using var server = await RunningServer.StartAsync(TestStorage.Sqlite);
        var ct = TestContext.Current.CancellationToken;
        var services = server.Server.Services;
        var group = services.GetRequiredService<GroupCommit>();
        using var givenUp = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Task<int> abandoned;
        Task<int> kept;
        using (await services.GetRequiredService<WriteGate>().EnterAsync(ct))
        {
            abandoned = group.WriteAsync(Insert("abandoned"), givenUp.Token);
            kept = group.WriteAsync(Insert("kept"), ct);
            await givenUp.CancelAsync();
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        Assert.Equal(1, await kept);
        await using var scope = services.CreateAsyncScope();
        Assert.Equal(["kept"], await scope.ServiceProvider.GetRequiredService<ReeveDbContext>().Flows.Select(f => f.Name).ToListAsync(ct));
    }

    [Fact]
    public async Task RacingCreatesWithOneIdempotencyKey_MakeOneRun_AndEveryCallerGetsIt()
    {
        await using var server = await RunningServer.StartAsync(TestStorage.Sqlite);
        var ct = TestContext.Current.CancellationToken;
        var flow = await server.Client.CreateFlowAsync(new FlowCreate { Name = "once" }, ct);

        // 32 racing requests: most land in the same batch, where all but the first break the unique index in their
        // own savepoint; each of those is answered with the run that the batch committed.
        var runs = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(() =>
            server.Client.CreateFlowRunAsync(new FlowRunCreate { FlowId = flow.Id, IdempotencyKey = "the-one" }, ct), ct)));

        Assert.Single(runs.Select(r => r.Id).Distinct());
        Assert.Equal(1, await server.Client.CountFlowRunsAsync(new FlowRunFilterRequest(), ct));
    }

    private static readonly DateTime At = new(2026, 12, 6, 12, 0, 0, DateTimeKind.Utc);

    private static FlowRecord Flow(string name) => new() { Id = Guid.CreateVersion7(), Name = name, Created = At, Updated = At };

    private static Func<ReeveDbContext, CancellationToken, Task<int>> Insert(string name) => async (db, ct) =>
    {
        db.Flows.Add(Flow(name));
        return await db.SaveChangesAsync(ct);
    };
}
