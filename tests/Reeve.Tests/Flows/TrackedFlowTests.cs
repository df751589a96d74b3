using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Reeve.Core.FlowRuns;
using Reeve.Core.Logs;
using Reeve.Core.States;
using Reeve.Core.TaskRuns;
using Reeve.Flows;
using Reeve.Tasks;

namespace Reeve.Tests.Flows;

public sealed class TrackedFlowTests : IClassFixture<SdkServerFixture>
{
    private readonly SdkServerFixture _fixture;

    public TrackedFlowTests(SdkServerFixture fixture)
    {
        _fixture = fixture;
        fixture.Use();
    }

    private RunningServer Server => _fixture.Server;

    private static readonly TaskDefinition Double = FlowTask.Define((int x) => x * 2, new FlowTaskOptions { Name = "double" });

    private async Task<FlowRun> LatestRunOfAsync(string flowName) =>
        (await Server.Client.FilterFlowRunsAsync(new FlowRunFilterRequest
        {
            Flows = new() { Name = new() { Any = [flowName] } },
            Sort = FlowRunSort.ExpectedStartTimeDesc,
            Limit = 1,
        })).Single();

    private async Task<IReadOnlyList<string>> LogsOfAsync(Guid runId) =>
        (await Server.Client.FilterLogsAsync(new LogFilterRequest { Logs = new() { FlowRunId = new() { Any = [runId] } } })).Select(l => l.Message).ToList();

    [Fact]
    public async Task FlowWithTasks_Completes_WithItsStatesTaskRunsAndLogsOnTheServer()
    {
        var name = Names.Unique("with-tasks");
        var flow = Flow.Define(async (int n) =>
        {
            FlowRunContext.Current!.Logger.LogInformation("doubling {N} numbers", n);
            var doubled = await Task.WhenAll(Enumerable.Range(1, n).Select(i => Double.RunAsync<int>(i)));
            return doubled.Sum();
        }, new FlowOptions { Name = name });

        var result = await flow.RunAsync<int>(4);

        Assert.Equal(20, result);
        var run = await LatestRunOfAsync(name);
        Assert.Equal((StateType.Completed, 1), (run.StateType!.Value, run.RunCount));
        Assert.Equal(4, run.Parameters["n"]!.GetValue<int>());
        Assert.Equal(["PENDING", "RUNNING", "COMPLETED"], (await Server.Client.ReadFlowRunStatesAsync(run.Id)).Select(s => s.Type.WireName()));
        var tasks = await Server.Client.FilterTaskRunsAsync(new TaskRunFilterRequest { TaskRuns = new() { FlowRunId = new() { Any = [run.Id] } } });
        Assert.Equal(4, tasks.Count);
        Assert.All(tasks, t => Assert.Equal((StateType.Completed, "double"), (t.StateType!.Value, t.TaskKey)));
        Assert.Equal(["0", "1", "2", "3"], tasks.Select(t => t.DynamicKey).Order());
        var logs = await LogsOfAsync(run.Id);
        Assert.Contains("doubling 4 numbers", logs);
        Assert.Contains(logs, l => l.StartsWith("Beginning flow run", StringComparison.Ordinal));
        Assert.Contains("Finished in state Completed", logs);
    }

    private static int _failures;

    [Fact]
    public async Task FailingFlow_WithTwoRetries_RunsThreeTimes_AndFailsWithTheMessage()
    {
        _failures = 0;
        var name = Names.Unique("always-fails");
        var flow = Flow.Define(() =>
        {
            Interlocked.Increment(ref _failures);
            throw new InvalidOperationException("the API is down");
        }, new FlowOptions { Name = name, Retries = 2 });

        var error = await Assert.ThrowsAsync<FlowRunFailedException>(() => flow.RunAsync());

        Assert.Equal("the API is down", Assert.IsType<InvalidOperationException>(error.InnerException).Message);
        Assert.Equal(3, _failures);
        var run = await LatestRunOfAsync(name);
        Assert.Equal(run.Id, error.FlowRunId);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains($"InvalidOperationException: the API is down (run {run.Id}; its logs hold the stack trace", error.Message, StringComparison.Ordinal);
        Assert.Contains(await LogsOfAsync(run.Id), l => l.StartsWith("Encountered exception during execution:", StringComparison.Ordinal) && l.Contains("   at ", StringComparison.Ordinal));
        Assert.Equal((StateType.Failed, 3), (run.StateType!.Value, run.RunCount));
        Assert.Contains("InvalidOperationException: the API is down", run.State!.Message, StringComparison.Ordinal);
        Assert.Equal(2, (await Server.Client.ReadFlowRunStatesAsync(run.Id)).Count(s => s.Name == "AwaitingRetry"));
    }

    private static int _taskAttempts;

    [Fact]
    public async Task TaskRetry_SucceedsOnTheSecondAttempt_WithItsStatesRecorded()
    {
        _taskAttempts = 0;
        var flaky = FlowTask.Define(() => Interlocked.Increment(ref _taskAttempts) == 1 ? throw new IOException("flake") : "ok",
            new FlowTaskOptions { Name = "flaky", Retries = 1, RetryDelays = [TimeSpan.FromMilliseconds(50)] });
        var name = Names.Unique("retry-task");
        var flow = Flow.Define(() => flaky.RunAsync<string>(), new FlowOptions { Name = name });

        Assert.Equal("ok", await flow.RunAsync<string>());

        var run = await LatestRunOfAsync(name);
        var task = Assert.Single(await Server.Client.FilterTaskRunsAsync(new TaskRunFilterRequest { TaskRuns = new() { FlowRunId = new() { Any = [run.Id] } } }));
        Assert.Equal((StateType.Completed, 2), (task.StateType!.Value, task.RunCount));
        var states = await Server.Http.GetJsonAsync($"task_run_states/?task_run_id={task.Id}");
        Assert.Equal(["Running", "Failed", "AwaitingRetry", "Retrying", "Completed"], states.Body!.AsArray().Select(s => s!["name"]!.GetValue<string>()));
    }

    private sealed class RepoService(ILogger<RepoService> logger)
    {
        public void Fetch(string repo) => logger.LogWarning("fetching {Repo}", repo);
    }

    [Fact]
    public async Task AddReeve_SendsWhatAnApplicationsLoggerWritesInsideAFlowRun_ToThatRunWithItsCategory()
    {
        await using var services = new ServiceCollection().AddLogging(b => b.AddReeve()).AddSingleton<RepoService>().BuildServiceProvider();
        var repos = services.GetRequiredService<RepoService>();
        var name = Names.Unique("injected-logger");
        var flow = Flow.Define((string repo) => repos.Fetch(repo), new FlowOptions { Name = name });

        repos.Fetch("outside/any-run");
        await flow.RunAsync("dotnet/runtime");
        await ReeveSdk.FlushAsync();

        var run = await LatestRunOfAsync(name);
        var lines = await Server.Client.FilterLogsAsync(new LogFilterRequest { Logs = new() { FlowRunId = new() { Any = [run.Id] } } });
        var line = Assert.Single(lines, l => l.Message.StartsWith("fetching", StringComparison.Ordinal));
        Assert.Equal(("fetching dotnet/runtime", 30, typeof(RepoService).FullName!.Replace('+', '.')), (line.Message, line.Level, line.Name));
        var all = await Server.Client.FilterLogsAsync(new LogFilterRequest());
        Assert.DoesNotContain(all, l => l.Message.Contains("outside/any-run", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LogPrints_CapturesEachFlowsConsoleLinesIntoItsOwnRun_WhenTwoRunAtOnce()
    {
        var name = Names.Unique("printer");
        using var bothPrinting = new Barrier(2);
        var flow = Flow.Define(async (string who) =>
        {
            for (var i = 0; i < 20; i++)
            {
                Console.WriteLine($"{who} line {i}");
                await Task.Yield();
                if (i == 10)
                {
                    // Both flows are mid-way through their prints together.
                    await Task.Run(() => bothPrinting.SignalAndWait(TimeSpan.FromSeconds(10)));
                }
            }

            await Console.Error.WriteLineAsync($"{who} complains");
        }, new FlowOptions { Name = name, LogPrints = true });

        await Task.WhenAll(flow.RunAsync("alpha"), flow.RunAsync("beta"));

        var runs = await Server.Client.FilterFlowRunsAsync(new FlowRunFilterRequest { Flows = new() { Name = new() { Any = [name] } } });
        Assert.Equal(2, runs.Count);
        foreach (var run in runs)
        {
            var who = run.Parameters["who"]!.GetValue<string>();
            var lines = await Server.Client.FilterLogsAsync(new LogFilterRequest { Logs = new() { FlowRunId = new() { Any = [run.Id] } } });
            var printed = lines.Where(l => l.Message.Contains(" line ", StringComparison.Ordinal)).ToList();
            Assert.True(
                printed.Select(l => l.Message).SequenceEqual(Enumerable.Range(0, 20).Select(i => $"{who} line {i}")),
                "Lines out of order or missing:\n" + string.Join('\n', printed.Select(l => $"{l.Message} @{l.Timestamp:HH:mm:ss.ffffff} {l.Id}")));
            Assert.Contains(lines, l => l.Message == $"{who} complains" && l.Level == 40);
        }
    }

    [Fact]
    public async Task Timeout_EndsTheRunFailedAsTimedOut()
    {
        var name = Names.Unique("too-slow");
        var flow = Flow.Define(async (CancellationToken ct) => await Task.Delay(TimeSpan.FromMinutes(1), ct),
            new FlowOptions { Name = name, Timeout = TimeSpan.FromMilliseconds(300) });

        var error = await Assert.ThrowsAsync<FlowRunFailedException>(() => flow.RunAsync());
        Assert.IsType<TimeoutException>(error.InnerException);

        var run = await LatestRunOfAsync(name);
        Assert.Equal((StateType.Failed, "TimedOut"), (run.StateType!.Value, run.StateName));
        Assert.Contains("exceeded timeout", run.State!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsCreatedByTheSdk_NameTheFlowAndItsTags()
    {
        var name = Names.Unique("tagged");
        var flow = Flow.Define(() => 1, new FlowOptions { Name = name, Tags = ["etl", "nightly"], Version = "1.2" });

        await flow.RunAsync();

        var run = await LatestRunOfAsync(name);
        Assert.Equal(["etl", "nightly"], run.Tags);
        Assert.Equal("1.2", run.FlowVersion);
        Assert.Equal(name, (await Server.Client.ReadFlowAsync(run.FlowId)).Name);
    }
}
