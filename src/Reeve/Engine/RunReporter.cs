using System.Threading.Channels;
using Reeve.Client;
using Reeve.Core.Logs;
using Reeve.Core.TaskRuns;

namespace Reeve.Engine;

/// <summary>
/// Sends log lines and task run reports to the server in the background, in batches, so that a flow never
/// waits on the network for them. <see cref="FlushAsync"/> waits until everything queued before it is sent.
/// </summary>
internal sealed class RunReporter : IAsyncDisposable
{
    private const int MaxLogsPerBatch = 1_000;
    private const int MaxTasksPerBatch = 1_000;
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
        var logs = new List<LogCreate>();
        var tasks = new List<TaskRunReport>();
        var taskIndex = new Dictionary<Guid, int>();
        var flushes = new List<TaskCompletionSource>();
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (logs.Count < MaxLogsPerBatch && tasks.Count < MaxTasksPerBatch && _queue.Reader.TryRead(out var item))
            {
                switch (item)
                {
                    case LogCreate log:
                        logs.Add(log);
                        break;
                    case TaskRunReport report when taskIndex.TryGetValue(report.Id, out var at):
                        // A task that started and ended between two sends: one report with both states.
                        tasks[at] = tasks[at] with { States = [.. tasks[at].States, .. report.States] };
                        break;
                    case TaskRunReport report:
                        taskIndex[report.Id] = tasks.Count;
                        tasks.Add(report);
                        break;
                    case TaskCompletionSource flush:
                        flushes.Add(flush);
                        break;
                }
            }

            // Task runs first: a log line of a task may name a task run the server must know of.
            await SendAsync(() => _client.ReportTaskRunsAsync(new TaskRunReportBatch { TaskRuns = [.. tasks] }), tasks.Count, "task runs");
            await SendAsync(() => _client.CreateLogsAsync([.. logs]), logs.Count, "log lines");
            tasks.Clear();
            taskIndex.Clear();
            logs.Clear();
            foreach (var flush in flushes)
            {
                flush.TrySetResult();
            }

            flushes.Clear();
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
}
