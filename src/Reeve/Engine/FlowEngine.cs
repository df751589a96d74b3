using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Reeve.Client;
using Reeve.Core.FlowRuns;
using Reeve.Core.Orchestration;
using Reeve.Core.States;
using Reeve.Flows;
using Reeve.Logging;

namespace Reeve.Engine;

/// <summary>
/// Runs flows. Tracked: creates the run (or takes an existing one), asks the server to enter RUNNING — waiting
/// when told to, giving up when refused — runs the flow, and proposes its end: COMPLETED, FAILED with the
/// exception, CANCELLED when the run is cancelled, FAILED as TimedOut past its timeout. A failure with retries
/// left comes back from the server as AwaitingRetry: the engine waits for it and runs the flow again. Log
/// lines and task runs are sent in the background and flushed before the final state. Untracked: runs the flow
/// with its retries and timeout, reporting nothing.
/// </summary>
internal static class FlowEngine
{
    private const string LoggerName = "reeve.flow_runs";

    public static async Task<object?> RunAsync(FlowDefinition flow, object?[] values, CancellationToken cancellationToken)
    {
        var runtime = ReeveRuntime.Current;
        if (runtime.Client is not { } client)
        {
            return await RunUntrackedAsync(flow, values, cancellationToken);
        }

        var flowId = await runtime.FlowIdAsync(flow.Name, cancellationToken);
        var run = await client.CreateFlowRunAsync(new FlowRunCreate
        {
            FlowId = flowId,
            FlowVersion = flow.Options.Version,
            Parameters = flow.Invocation.ToJson(values),
            Tags = [.. flow.Options.Tags ?? []],
            EmpiricalPolicy = Policy(flow),
            State = new StateCreate { Type = StateType.Pending },
        }, cancellationToken);

        var outcome = await ExecuteAsync(flow, client, run, values, cancellationToken);
        if (outcome.Exception is FlowParameterException parameters)
        {
            ExceptionDispatchInfo.Throw(parameters);
        }

        if (outcome.Exception is { } exception)
        {
            // One line for the caller; the stack trace is in the run's logs on the server.
            throw new FlowRunFailedException(flow.Name, run.Name, run.Id, exception);
        }

        return outcome.State switch
        {
            StateType.Completed => outcome.Result,
            StateType.Cancelled or StateType.Cancelling => throw new OperationCanceledException($"Flow run '{run.Name}' was cancelled."),
            var other => throw new InvalidOperationException($"Flow run '{run.Name}' ended in state {other?.WireName() ?? "unknown"}."),
        };
    }

    /// <summary>Runs a run that exists on the server (picked up by a serving process or started by a worker).</summary>
    public static async Task<FlowRunOutcome> RunExistingAsync(FlowDefinition flow, FlowRun run, CancellationToken cancellationToken)
    {
        var client = ReeveRuntime.Current.Client
            ?? throw new InvalidOperationException("Running an existing flow run needs a Reeve server: set REEVE_API_URL.");
        object?[] values;
        try
        {
            values = flow.Invocation.FromJson(run.Parameters);
        }
        catch (FlowParameterException e)
        {
            // Refused before the flow starts: the run fails with the parameter's name and the reason.
            var message = $"Validation of flow parameters failed: {e.Message}";
            RunLogger.Write(LoggerName, LogLevel.Error, message, run.Id, run.Name, writeToConsole: true);
            await FlushAsync();
            var answer = await ProposeAsync(client, run.Id, new StateCreate { Type = StateType.Failed, Message = message }, cancellationToken);
            return new FlowRunOutcome(answer.State?.Type ?? StateType.Failed, null, e);
        }

        return await ExecuteAsync(flow, client, run, values, cancellationToken);
    }

    private static async Task<FlowRunOutcome> ExecuteAsync(FlowDefinition flow, ReeveClient client, FlowRun run, object?[] values, CancellationToken cancellationToken)
    {
        using var cancelled = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await using var watcher = new CancellationWatcher(client, run.Id, run.DeploymentId, cancelled);
        await using var heartbeat = new RunHeartbeat(client, run.Id);
        var logger = new RunLogger(LoggerName, () => run.Id, () => run.Name);
        if (flow.Options.LogPrints == true)
        {
            ConsoleCapture.Install();
        }

        var context = new FlowRunContext(run.Id, run.Name, flow.Name, run.Parameters, flow.Options.LogPrints == true, logger, cancelled.Token);
        using var entered = FlowRunContext.Enter(context);
        var first = true;
        while (true)
        {
            var start = await EnterRunningAsync(client, run, logger, heartbeat, cancelled.Token);
            if (start is not null)
            {
                await FlushAsync();
                return start;
            }

            if (first)
            {
                logger.LogInformation("Beginning flow run '{Run}' for flow '{Flow}'", run.Name, flow.Name);
                first = false;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancelled.Token);
            if (flow.Options.Timeout is { } limit)
            {
                timeout.CancelAfter(limit);
            }

            StateCreate end;
            object? result = null;
            Exception? failure = null;
            try
            {
                result = await flow.Invocation.InvokeAsync(values, timeout.Token);
                end = new StateCreate { Type = StateType.Completed };
            }
            catch (OperationCanceledException) when (cancelled.IsCancellationRequested)
            {
                var why = cancellationToken.IsCancellationRequested ? "The process running it is shutting down." : "The flow run was cancelled.";
                logger.LogInformation("{Why}", why);
                end = new StateCreate { Type = StateType.Cancelled, Message = why };
            }
            catch (OperationCanceledException e) when (timeout.IsCancellationRequested)
            {
                var message = $"Flow run exceeded timeout of {flow.Options.Timeout!.Value.TotalSeconds:0.###} seconds";
                logger.LogError("{Message}", message);
                failure = new TimeoutException(message, e);
                end = new StateCreate { Type = StateType.Failed, Name = "TimedOut", Message = message };
            }
            catch (Exception e)
            {
                logger.LogError(e, "Encountered exception during execution:");
                failure = e;
                end = new StateCreate { Type = StateType.Failed, Message = $"Flow run encountered an exception: {e.GetType().Name}: {e.Message}" };
            }

            // Every line of the run is on the server before the run is seen to end.
            await FlushAsync();
            var answer = await ProposeAsync(client, run.Id, end, CancellationToken.None);
            if (answer.Status == OrchestrationStatus.Reject && answer.State is { Type: StateType.Scheduled } retry)
            {
                logger.LogInformation("Received non-final state '{State}' when proposing final state '{End}' and will attempt to run again...", retry.Name, end.Name ?? end.Type.DefaultName());
                if (!await WaitUntilAsync(retry.StateDetails.ScheduledTime, cancelled.Token))
                {
                    return await FinishCancelledAsync(client, run, cancellationToken);
                }

                continue;
            }

            if (answer.State?.Type == StateType.Cancelling)
            {
                return await FinishCancelledAsync(client, run, cancellationToken);
            }

            var final = answer.State?.Type ?? end.Type;
            logger.LogInformation("Finished in state {State}", answer.State?.Name ?? end.Type.DefaultName());
            await FlushAsync();
            return new FlowRunOutcome(final, final == StateType.Completed ? result : null, final == StateType.Completed ? null : failure);
        }
    }

    /// <summary>Moves the run to RUNNING: null when it may run, or how it ended when it may not.</summary>
    private static async Task<FlowRunOutcome?> EnterRunningAsync(ReeveClient client, FlowRun run, ILogger logger, RunHeartbeat heartbeat, CancellationToken cancellationToken)
    {
        while (true)
        {
            OrchestrationResult answer;
            try
            {
                answer = await ProposeAsync(client, run.Id, new StateCreate { Type = StateType.Running }, cancellationToken, RunHeartbeat.IntervalSeconds);
                heartbeat.Answered(answer.Status == OrchestrationStatus.Accept);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return await FinishCancelledAsync(client, run, CancellationToken.None);
            }
            finally
            {
                // No accepted RUNNING (an error, a cancellation): the heartbeat beats at once. A first answer stands.
                heartbeat.Answered(false);
            }

            switch (answer.Status)
            {
                case OrchestrationStatus.Accept:
                    return null;
                case OrchestrationStatus.Wait:
                    if (!await WaitUntilAsync(ReeveRuntime.Current.Clock.GetUtcNow().AddSeconds(answer.Details.DelaySeconds ?? 1), cancellationToken))
                    {
                        return await FinishCancelledAsync(client, run, CancellationToken.None);
                    }

                    continue;
                case OrchestrationStatus.Abort:
                    logger.LogWarning("The server refused to start the run: {Reason}", answer.Details.Reason);
                    return new FlowRunOutcome(answer.State?.Type, null, null);
            }

            // Rejected: the run is somewhere else now.
            switch (answer.State?.Type)
            {
                case StateType.Cancelling:
                    return await FinishCancelledAsync(client, run, CancellationToken.None);
                case StateType.Scheduled:
                    if (!await WaitUntilAsync(answer.State.StateDetails.ScheduledTime, cancellationToken))
                    {
                        return await FinishCancelledAsync(client, run, CancellationToken.None);
                    }

                    continue;
                default:
                    logger.LogWarning("The server did not let the run start: {Reason}", answer.Details.Reason);
                    return new FlowRunOutcome(answer.State?.Type, null, null);
            }
        }
    }

    private static async Task<FlowRunOutcome> FinishCancelledAsync(ReeveClient client, FlowRun run, CancellationToken cancellationToken)
    {
        await FlushAsync();
        var answer = await ProposeAsync(client, run.Id, new StateCreate { Type = StateType.Cancelled, Message = "The flow run was cancelled." }, cancellationToken);
        return new FlowRunOutcome(answer.State?.Type ?? StateType.Cancelled, null, null);
    }

    /// <summary>
    /// Proposes a state, trying again (with the same transition id, so at most once) when the server is briefly
    /// unreachable. A try whose answer was lost (the server restarted after the change, before it answered) is told by
    /// the next "already made this transition": the run is in the state this proposal made, which is an acceptance.
    /// </summary>
    internal static async Task<OrchestrationResult> ProposeAsync(ReeveClient client, Guid runId, StateCreate state, CancellationToken cancellationToken,
        int? heartbeatIntervalSeconds = null)
    {
        var transition = state.StateDetails?.TransitionId ?? Guid.NewGuid();
        state = state with { StateDetails = (state.StateDetails ?? new StateDetails()) with { TransitionId = transition } };
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var answer = await client.SetFlowRunStateAsync(runId, new SetStateRequest { State = state, HeartbeatIntervalSeconds = heartbeatIntervalSeconds }, cancellationToken);
                return answer is { Status: OrchestrationStatus.Reject, State.StateDetails.TransitionId: { } made } && made == transition
                    ? answer with { Status = OrchestrationStatus.Accept }
                    : answer;
            }
            catch (Exception e) when (attempt < 5 && e is HttpRequestException or ReeveServerUnavailableException
                || (e is ReeveApiException api && (int)api.StatusCode >= 500))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250 * attempt), cancellationToken);
            }
        }
    }

    private static async Task<bool> WaitUntilAsync(DateTimeOffset? when, CancellationToken cancellationToken)
    {
        var delay = (when ?? DateTimeOffset.MinValue) - ReeveRuntime.Current.Clock.GetUtcNow();
        try
        {
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, ReeveRuntime.Current.Clock, cancellationToken);
            }

            return !cancellationToken.IsCancellationRequested;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static Task FlushAsync() => ReeveRuntime.Current.Reporter?.FlushAsync() ?? Task.CompletedTask;

    private static FlowRunPolicy Policy(FlowDefinition flow) => new()
    {
        Retries = flow.Options.Retries,
        RetryDelay = (int)(flow.Options.RetryDelay ?? TimeSpan.Zero).TotalSeconds,
    };

    private static async Task<object?> RunUntrackedAsync(FlowDefinition flow, object?[] values, CancellationToken cancellationToken)
    {
        var logger = new RunLogger(LoggerName, () => null, () => null);
        var context = new FlowRunContext(null, Core.Naming.RunNames.Next(), flow.Name, flow.Invocation.ToJson(values), false, logger, cancellationToken);
        using var entered = FlowRunContext.Enter(context);
        for (var attempt = 0; ; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (flow.Options.Timeout is { } limit)
            {
                timeout.CancelAfter(limit);
            }

            try
            {
                return await flow.Invocation.InvokeAsync(values, timeout.Token);
            }
            catch (OperationCanceledException e) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"Flow run exceeded timeout of {flow.Options.Timeout!.Value.TotalSeconds:0.###} seconds", e);
            }
            catch (Exception) when (attempt < (flow.Options.Retries ?? 0) && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(flow.Options.RetryDelay ?? TimeSpan.Zero, ReeveRuntime.Current.Clock, cancellationToken);
            }
        }
    }
}
