using System.Net;
using Reeve.Core.FlowRuns;
using Reeve.Core.Orchestration;
using Reeve.Core.States;
using Reeve.Core.TaskRuns;

namespace Reeve.Server.Tests.Api;

/// <summary>
/// Prefect's v1 tag concurrency limits: <c>/concurrency_limits</c> as Prefect's client calls it
/// (<c>client/orchestration.py</c> <c>create_concurrency_limit</c>, <c>read_concurrency_limit_by_tag</c>,
/// <c>reset_concurrency_limit_by_tag</c>, <c>delete_concurrency_limit_by_tag</c>) and the task policy's
/// <c>SecureTaskConcurrencySlots</c> / <c>ReleaseTaskConcurrencySlots</c> (<c>server/orchestration/core_policy.py</c>).
/// </summary>
public abstract class TagConcurrencyLimitsTests(ServerFixture fixture)
{
    private RunningServer Server => fixture.Server;

    private Task<FlowRun> RunningFlowRunAsync() => Server.Client.RunningFlowRunAsync();

    private async Task<Guid> TaskAsync(FlowRun run, string tag, int index) => (await Server.Client.CreateTaskRunAsync(new TaskRunCreate
    {
        FlowRunId = run.Id,
        TaskKey = "limited",
        DynamicKey = index.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Tags = [tag, "other"],
    })).Id;

    private static string Tag() => "db-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task ATaggedTask_WaitsForASlot_TakesItWhenRunning_AndGivesItBackWhenDone()
    {
        var tag = Tag();
        var made = await Server.Http.PostJsonAsync("concurrency_limits/", $$"""{"tag": "{{tag}}", "concurrency_limit": 1}""");
        Assert.Equal(HttpStatusCode.Created, made.Status);
        var run = await RunningFlowRunAsync();
        var first = await TaskAsync(run, tag, 0);
        var second = await TaskAsync(run, tag, 1);

        var started = await Server.Client.SetTaskRunStateAsync(first, new StateCreate { Type = StateType.Running });
        var waiting = await Server.Client.SetTaskRunStateAsync(second, new StateCreate { Type = StateType.Running });

        Assert.Equal(OrchestrationStatus.Accept, started.Status);
        Assert.Equal(OrchestrationStatus.Wait, waiting.Status);
        Assert.Equal(30, waiting.Details!.DelaySeconds);
        Assert.Equal($"Concurrency limit for the {tag} tag has been reached", waiting.Details!.Reason);
        var held = await Server.Http.GetJsonAsync($"concurrency_limits/tag/{tag}");
        Assert.Equal([first.ToString()], held.Body!["active_slots"]!.AsArray().Select(s => s!.GetValue<string>()));

        await Server.Client.SetTaskRunStateAsync(first, new StateCreate { Type = StateType.Completed });
        Assert.Empty((await Server.Http.GetJsonAsync($"concurrency_limits/tag/{tag}")).Body!["active_slots"]!.AsArray());
        Assert.Equal(OrchestrationStatus.Accept, (await Server.Client.SetTaskRunStateAsync(second, new StateCreate { Type = StateType.Running })).Status);

        // A forced state frees the slot too (Prefect's MinimalTaskPolicy always releases).
        await Server.Client.SetTaskRunStateAsync(second, new StateCreate { Type = StateType.Crashed }, force: true);
        Assert.Empty((await Server.Http.GetJsonAsync($"concurrency_limits/tag/{tag}")).Body!["active_slots"]!.AsArray());
    }

    [Fact]
    public async Task ALimitOfZero_AbortsTheStart_RatherThanWaitingForEver()
    {
        var tag = Tag();
        await Server.Http.PostJsonAsync("concurrency_limits/", $$"""{"tag": "{{tag}}", "concurrency_limit": 0}""");
        var run = await RunningFlowRunAsync();

        var aborted = await Server.Client.SetTaskRunStateAsync(await TaskAsync(run, tag, 0), new StateCreate { Type = StateType.Running });

        Assert.Equal(OrchestrationStatus.Abort, aborted.Status);
        Assert.Equal($"The concurrency limit on tag \"{tag}\" is 0 and will deadlock if the task tries to run again.", aborted.Details!.Reason);
    }

    [Fact]
    public async Task TheLimitIsSetAgainByTag_ReadResetAndDeletedByTagAndId()
    {
        var tag = Tag();
        var made = await Server.Http.PostJsonAsync("concurrency_limits/", $$"""{"tag": "{{tag}}", "concurrency_limit": 1}""");
        var changed = await Server.Http.PostJsonAsync("concurrency_limits/", $$"""{"tag": "{{tag}}", "concurrency_limit": 3}""");
        Assert.Equal(HttpStatusCode.OK, changed.Status);
        Assert.Equal(made.Body!["id"]!.GetValue<string>(), changed.Body!["id"]!.GetValue<string>());
        Assert.Equal(3, (await Server.Http.GetJsonAsync($"concurrency_limits/{made.Body!["id"]}")).Body!["concurrency_limit"]!.GetValue<int>());

        var holder = Guid.NewGuid();
        Assert.Equal(HttpStatusCode.OK, (await Server.Http.PostJsonAsync($"concurrency_limits/tag/{tag}/reset", $$"""{"slot_override": ["{{holder}}"]}""")).Status);
        Assert.Equal(holder.ToString(), (await Server.Http.GetJsonAsync($"concurrency_limits/tag/{tag}")).Body!["active_slots"]![0]!.GetValue<string>());
        Assert.Contains(tag, (await Server.Http.PostJsonAsync("concurrency_limits/filter", """{"offset": null, "limit": null}""")).Text, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await Server.Http.DeleteJsonAsync($"concurrency_limits/tag/{tag}")).Status);
        var gone = await Server.Http.GetJsonAsync($"concurrency_limits/tag/{tag}");
        Assert.Equal((HttpStatusCode.NotFound, "Concurrency limit not found"), (gone.Status, gone.Detail));
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.DeleteJsonAsync($"concurrency_limits/{made.Body!["id"]}")).Status);

        var negative = await Server.Http.PostJsonAsync("concurrency_limits/", $$"""{"tag": "{{tag}}", "concurrency_limit": -1}""");
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "concurrency_limit"), (negative.Status, negative.Field));
    }

    /// <summary>Twelve task runs propose RUNNING at once under a limit of 3: exactly three start, on both storages.</summary>
    [Fact]
    public async Task RacingStarts_NeverOvershootTheLimit()
    {
        var tag = Tag();
        await Server.Http.PostJsonAsync("concurrency_limits/", $$"""{"tag": "{{tag}}", "concurrency_limit": 3}""");
        var run = await RunningFlowRunAsync();
        var tasks = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => TaskAsync(run, tag, i)));

        var answers = await Task.WhenAll(tasks.Select(id => Task.Run(() => Server.Client.SetTaskRunStateAsync(id, new StateCreate { Type = StateType.Running }))));

        Assert.Equal(3, answers.Count(a => a.Status == OrchestrationStatus.Accept));
        Assert.Equal(9, answers.Count(a => a.Status == OrchestrationStatus.Wait));
        Assert.Equal(3, (await Server.Http.GetJsonAsync($"concurrency_limits/tag/{tag}")).Body!["active_slots"]!.AsArray().Count);
    }
}

public sealed class TagConcurrencyLimitsTests_Sqlite(SqliteServerFixture fixture) : TagConcurrencyLimitsTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class TagConcurrencyLimitsTests_Postgres(PostgresServerFixture fixture) : TagConcurrencyLimitsTests(fixture), IClassFixture<PostgresServerFixture>;
