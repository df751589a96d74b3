using System.Threading.Channels;
using Reeve.Client;
using Reeve.Core.Logs;
using Reeve.Core.TaskRuns;

namespace Reeve.Engine;

/// <summary>
/// Sends log lines and task run reports to the server in the background, in batches, so that a flow never
/// waits on the network for them. Up to <see cref="MaxInFlight"/> batches are on the wire at once, so the server
/// reads the next while it stores the previous; a batch that names a task run of a batch still in flight waits for
/// it, so a task run's states and log lines arrive in order. <see cref="FlushAsync"/> waits until everything queued
/// before it is sent.
/// </summary>
internal sealed class RunReporter : IAsyncDisposable
{
    private const int MaxLogsPerBatch = 1_000;
    private const int MaxTasksPerBatch = 1_000;
    private const int MaxInFlight = 2;
    private readonly ReeveClient _client;
    private readonly Channel<object> _queue = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;

    public RunReporter(ReeveClient client)
    {
        _client = client;
        _loop = Task.Run(LoopAsync);
    }

    public void Enqueue(LogCreate log) => _queue.Writer.TryWrite(log);

    public void Enqueue(TaskRunReport report) => _queue.Writer.TryWrite(report);

    /// <summary>Completes when everything queued so far has been sent (or given up on).</summary>
    public Task FlushAsync()
    {
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _queue.Writer.TryWrite(flushed) ? flushed.Task : Task.CompletedTask;
    }

    private async Task LoopAsync()
    {
        var inFlight = new Queue<Sending>();
        object? carried = null;
        while (carried is not null || await _queue.Reader.WaitToReadAsync())
        {
            var batch = new Batch();
            while (carried is not null || _queue.Reader.TryRead(out carried))
            {
                if (!batch.TryAdd(carried))
                {
                    // A new task run or log line past the batch's limit opens the next batch.
                    break;
                }

                carried = null;
            }

            while (inFlight.Count > 0 && (inFlight.Count >= MaxInFlight || inFlight.Any(sending => sending.TaskRunIds.Overlaps(batch.TaskRunIds))))
            {
                await inFlight.Dequeue().Done;
            }

            var previous = inFlight.Count > 0 ? inFlight.Last().Done : Task.CompletedTask;
            inFlight.Enqueue(new Sending(batch.TaskRunIds, SendBatchAsync(batch, previous)));
        }

        while (inFlight.Count > 0)
        {
            await inFlight.Dequeue().Done;
        }
    }

    /// <summary>Sends a batch; its flushes complete once it and every batch before it are sent.</summary>
    private async Task SendBatchAsync(Batch batch, Task previous)
    {
        // Task runs first: a log line of a task may name a task run the server must know of.
        await SendAsync(() => _client.ReportTaskRunsAsync(new TaskRunReportBatch { TaskRuns = batch.Tasks }), batch.Tasks.Count, "task runs");
        await SendAsync(() => _client.CreateLogsAsync(batch.Logs), batch.Logs.Count, "log lines");
        await previous;
        foreach (var flush in batch.Flushes)
        {
            flush.TrySetResult();
        }
    }

    private static async Task SendAsync(Func<Task> send, int count, string what)
    {
        if (count == 0)
        {
            return;
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await send();
                return;
            }
            catch (Exception e) when (e is HttpRequestException or ReeveServerUnavailableException or TaskCanceledException or ReeveApiException)
            {
                if (attempt == 5 || e is ReeveApiException { StatusCode: < System.Net.HttpStatusCode.InternalServerError })
                {
                    // The flow goes on without them; the reason stays visible on the console.
                    await Console.Error.WriteLineAsync($"Reeve: could not send {count} {what} to the server: {e.Message}");
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
    }

    private sealed record Sending(HashSet<Guid> TaskRunIds, Task Done);

    /// <summary>What one round of sends carries: task runs (a task's reports merged into one) and log lines.</summary>
    private sealed class Batch
    {
        private readonly Dictionary<Guid, int> _taskIndex = [];

        public List<TaskRunReport> Tasks { get; } = [];

        public List<LogCreate> Logs { get; } = [];

        public List<TaskCompletionSource> Flushes { get; } = [];

        /// <summary>The task runs its reports and log lines name.</summary>
        public HashSet<Guid> TaskRunIds { get; } = [];

        /// <summary>Adds an item, or says no when it would take the batch past a limit.</summary>
        public bool TryAdd(object item)
        {
            switch (item)
            {
                case TaskRunReport report when _taskIndex.TryGetValue(report.Id, out var at):
                    // A task that started and ended between two sends: one report with both states.
                    Tasks[at] = Tasks[at] with { States = [.. Tasks[at].States, .. report.States] };
                    return true;
                case TaskRunReport report:
                    if (Tasks.Count >= MaxTasksPerBatch)
                    {
                        return false;
                    }

                    _taskIndex[report.Id] = Tasks.Count;
                    Tasks.Add(report);
                    TaskRunIds.Add(report.Id);
                    return true;
                case LogCreate log:
                    if (Logs.Count >= MaxLogsPerBatch)
                    {
                        return false;
                    }

                    Logs.Add(log);
                    if (log.TaskRunId is { } taskRunId)
                    {
                        TaskRunIds.Add(taskRunId);
                    }

                    return true;
                case TaskCompletionSource flush:
                    Flushes.Add(flush);
                    return true;
                default:
                    return true;
            }
        }
    }
}
