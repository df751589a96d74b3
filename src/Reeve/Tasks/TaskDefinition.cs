using System.Reflection;
using System.Text.Json.Nodes;
using Reeve.Core.Ids;
using Reeve.Core.States;
using Reeve.Core.TaskRuns;
using Reeve.Engine;
using Reeve.Flows;

namespace Reeve.Tasks;

/// <summary>
/// A task. Called inside a tracked flow run, each call is a task run, reported to the server in the background
/// with its states (Running, then Completed, or Failed — and AwaitingRetry and Retrying in between when it is
/// retried); the flow never waits on the network for it. Outside a tracked run it simply runs, with its
/// retries and timeout. Calls are ordinary <see cref="Task"/>s: start several and await them together to run
/// them in parallel.
/// </summary>
public sealed class TaskDefinition
{
    private readonly Invocation _invocation;

    internal TaskDefinition(MethodInfo method, object? target, FlowTaskOptions options)
    {
        _invocation = new Invocation(method, target);
        Options = options;
        Name = options.Name!;
        Method = method;
    }

    /// <summary>The task's name.</summary>
    public string Name { get; }

    /// <summary>The options it runs with.</summary>
    public FlowTaskOptions Options { get; }

    /// <summary>The method that is the task.</summary>
    public MethodInfo Method { get; }

    /// <summary>Runs the task with positional arguments and returns what it returns.</summary>
    public Task<object?> RunAsync(params object?[] args) => RunCoreAsync(_invocation.FromPositional(args));

    /// <summary>Runs the task and returns its result as <typeparamref name="T"/>.</summary>
    public async Task<T> RunAsync<T>(params object?[] args) => (T)(await RunCoreAsync(_invocation.FromPositional(args)))!;

    private async Task<object?> RunCoreAsync(object?[] values)
    {
        var flow = FlowRunContext.Current;
        var cancellationToken = flow?.CancellationToken ?? CancellationToken.None;
        var reporter = ReeveRuntime.Current.Reporter;
        var tracked = flow is { IsTracked: true } && reporter is not null;
        var clock = ReeveRuntime.Current.Clock;
        var id = SequentialGuid.Next(clock.GetUtcNow());
        var runName = $"{Name}-{id.ToString("N")[^6..]}";
        var first = true;
        using var entered = TaskRunContext.Enter(new TaskRunContext(tracked ? id : null, runName));

        void Report(List<ReportedState> states)
        {
            if (!tracked)
            {
                return;
            }

            reporter!.Enqueue(new TaskRunReport
            {
                Id = id,
                FlowRunId = flow!.FlowRunId!.Value,
                Name = runName,
                TaskKey = Name,
                DynamicKey = first ? flow.NextDynamicKey(Name) : "-",
                Tags = first ? [.. Options.Tags ?? []] : null,
                EmpiricalPolicy = first ? new TaskRunPolicy { Retries = Options.Retries } : null,
                TaskInputs = first ? new JsonObject() : null,
                States = states,
            });
            first = false;
        }

        var attempt = 0;
        Report([new ReportedState { Type = StateType.Running, Timestamp = clock.GetUtcNow() }]);
        while (true)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (Options.Timeout is { } limit)
            {
                timeout.CancelAfter(limit);
            }

            try
            {
                var result = await _invocation.InvokeAsync(values, timeout.Token);
                Report([new ReportedState { Type = StateType.Completed, Timestamp = clock.GetUtcNow() }]);
                return result;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Report([new ReportedState { Type = StateType.Cancelled, Timestamp = clock.GetUtcNow(), Message = "The flow run was cancelled." }]);
                throw;
            }
            catch (Exception e)
            {
                var timedOut = e is OperationCanceledException && timeout.IsCancellationRequested;
                var message = timedOut
                    ? $"Task run exceeded timeout of {Options.Timeout!.Value.TotalSeconds:0.###} seconds"
                    : $"Task run encountered an exception: {e.GetType().Name}: {e.Message}";
                if (attempt >= (Options.Retries ?? 0))
                {
                    Report([new ReportedState { Type = StateType.Failed, Name = timedOut ? "TimedOut" : null, Timestamp = clock.GetUtcNow(), Message = message }]);
                    if (timedOut)
                    {
                        throw new TimeoutException(message, e);
                    }

                    throw;
                }

                var delay = Delay(attempt);
                var now = clock.GetUtcNow();
                Report(
                [
                    new ReportedState { Type = StateType.Failed, Timestamp = now, Message = message },
                    new ReportedState { Type = StateType.Scheduled, Name = "AwaitingRetry", Timestamp = now, StateDetails = new StateDetails { ScheduledTime = now + delay } },
                ]);
                attempt++;
                await Task.Delay(delay, clock, cancellationToken);
                Report([new ReportedState { Type = StateType.Running, Name = "Retrying", Timestamp = clock.GetUtcNow() }]);
            }
        }
    }

    private TimeSpan Delay(int attempt)
    {
        var delays = Options.RetryDelays ?? [];
        return delays.Count == 0 ? TimeSpan.Zero : delays[Math.Min(attempt, delays.Count - 1)];
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
