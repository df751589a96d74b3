using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Reeve.Client;
using Reeve.Core.Flows;
using Reeve.Core.FlowRuns;
using Reeve.Core.States;
using Reeve.Core.TaskRuns;
using Reeve.Engine;

namespace Reeve.Tests.Flows;

/// <summary>
/// The reporter keeps two batches on the wire, so the server reads one while it stores the other, but never two
/// batches that name the same task run: those go one after the other, in order. A handler between the reporter and
/// a real server holds the first batch until the test lets it go.
/// </summary>
public sealed class RunReporterTests : IClassFixture<SdkServerFixture>
{
    private readonly SdkServerFixture _fixture;

    public RunReporterTests(SdkServerFixture fixture) => _fixture = fixture;

    [Fact]
    public async Task ABatchOfOtherTaskRuns_GoesOnTheWire_WhileTheFirstIsHeld()
    {
        var (runId, handler, reporter, client) = await StartAsync();
        await using (reporter)
        {
            using var _ = client;
            // A failed assertion still lets the held batch go, so the reporter can be disposed.
            using var onFailure = new ReleaseOnExit(handler);
            var (first, second) = (Guid.CreateVersion7(), Guid.CreateVersion7());
            reporter.Enqueue(Report(runId, first, StateType.Running));
            await handler.FirstArrived.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

            reporter.Enqueue(Report(runId, second, StateType.Running));
            reporter.Enqueue(Report(runId, second, StateType.Completed));
            var flushed = reporter.FlushAsync();
            // The second batch arrives while the first is still held: two on the wire.
            var arrived = await handler.Arrivals.Reader.ReadAsync(TestContext.Current.CancellationToken);
            Assert.Equal([second], arrived.Ids);
            Assert.False(arrived.AfterTheFirst, "The second batch waited for the first to be answered.");
            Assert.False(flushed.IsCompleted, "A flush completed before the batch ahead of it was sent.");

            handler.Release.TrySetResult();
            await flushed.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            Assert.Equal(StateType.Running, (await _fixture.Server.Client.ReadTaskRunAsync(first, TestContext.Current.CancellationToken)).StateType);
            Assert.Equal(StateType.Completed, (await _fixture.Server.Client.ReadTaskRunAsync(second, TestContext.Current.CancellationToken)).StateType);
        }
    }

    [Fact]
    public async Task ABatchNamingATaskRunInFlight_WaitsForIt_SoItsStatesArriveInOrder()
    {
        var (runId, handler, reporter, client) = await StartAsync();
        await using (reporter)
        {
            using var _ = client;
            // A failed assertion still lets the held batch go, so the reporter can be disposed.
            using var onFailure = new ReleaseOnExit(handler);
            var task = Guid.CreateVersion7();
            reporter.Enqueue(Report(runId, task, StateType.Running));
            await handler.FirstArrived.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

            reporter.Enqueue(Report(runId, task, StateType.Completed));
            var flushed = reporter.FlushAsync();
            // Nothing else may reach the server while the batch with the task's RUNNING is held.
            var early = handler.Arrivals.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask();
            var settled = await Task.WhenAny(early, Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken));
            Assert.NotSame(early, settled);

            handler.Release.TrySetResult();
            var arrived = await early.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            Assert.Equal([task], arrived.Ids);
            Assert.True(arrived.AfterTheFirst, "The task's COMPLETED went out before the batch with its RUNNING was answered.");
            await flushed.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            Assert.Equal(StateType.Completed, (await _fixture.Server.Client.ReadTaskRunAsync(task, TestContext.Current.CancellationToken)).StateType);
        }
    }

    private async Task<(Guid RunId, HoldingHandler Handler, RunReporter Reporter, ReeveClient Client)> StartAsync()
    {
        var server = _fixture.Server;
        var flow = await server.Client.CreateFlowAsync(new FlowCreate { Name = Names.Unique("reporter") }, TestContext.Current.CancellationToken);
        var run = await server.Client.CreateFlowRunAsync(new FlowRunCreate { FlowId = flow.Id }, TestContext.Current.CancellationToken);
        var handler = new HoldingHandler { InnerHandler = new SocketsHttpHandler() };
        var client = new ReeveClient(new ReeveClientOptions { ApiUrl = server.ApiUrl }, new HttpClient(handler));
        return (run.Id, handler, new RunReporter(client), client);
    }

    private sealed class ReleaseOnExit(HoldingHandler handler) : IDisposable
    {
        public void Dispose() => handler.Release.TrySetResult();
    }

    private static TaskRunReport Report(Guid flowRunId, Guid id, StateType type) => new()
    {
        Id = id,
        FlowRunId = flowRunId,
        Name = "step-" + id.ToString()[..8],
        TaskKey = "step",
        DynamicKey = id.ToString(),
        States = [new ReportedState { Type = type, Timestamp = DateTimeOffset.UnixEpoch.AddYears(56).AddTicks(type == StateType.Running ? 0 : 1) }],
    };

    /// <summary>
    /// Holds the first task-run batch until <see cref="Release"/>; every later one is passed on and written to
    /// <see cref="Arrivals"/>: its task run ids, and whether the server had answered the first when it arrived.
    /// </summary>
    private sealed class HoldingHandler : DelegatingHandler
    {
        private int _batches;
        private volatile bool _firstAnswered;

        public TaskCompletionSource FirstArrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public System.Threading.Channels.Channel<(Guid[] Ids, bool AfterTheFirst)> Arrivals { get; } =
            System.Threading.Channels.Channel.CreateUnbounded<(Guid[] Ids, bool AfterTheFirst)>();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath.EndsWith("/task_runs/batch", StringComparison.Ordinal))
            {
                var body = JsonNode.Parse(await request.Content!.ReadAsStringAsync(cancellationToken))!;
                var ids = body["task_runs"]!.AsArray().Select(t => Guid.Parse(t!["id"]!.GetValue<string>())).ToArray();
                if (Interlocked.Increment(ref _batches) == 1)
                {
                    FirstArrived.SetResult();
                    await Release.Task.WaitAsync(cancellationToken);
                    var answer = await base.SendAsync(request, cancellationToken);
                    _firstAnswered = true;
                    return answer;
                }

                Arrivals.Writer.TryWrite((ids, _firstAnswered));
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
