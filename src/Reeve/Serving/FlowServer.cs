using System.Collections.Concurrent;
using System.Threading.Channels;
using Reeve.Client;
using Reeve.Core.Deployments;
using Reeve.Core.FlowRuns;
using Reeve.Core.States;
using Reeve.Engine;

namespace Reeve.Serving;

/// <summary>The loop of a serving process: upserts the deployments, then starts their due runs as they come.</summary>
internal sealed class FlowServer(IReadOnlyList<ServedFlow> flows, ServeOptions options) : IAsyncDisposable
{
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentDictionary<Guid, (Task Run, CancellationTokenSource Cancel)> _running = new();
    private readonly Dictionary<Guid, ServedFlow> _deployments = [];
    private TextWriter Output => options.Output ?? Console.Out;

    public async Task RunAsync(CancellationToken stopping)
    {
        var runtime = ReeveRuntime.Current;
        var client = runtime.Client ?? throw new InvalidOperationException(
            "Serving needs a Reeve server: set REEVE_API_URL (or run 'reeve config set REEVE_API_URL=...').");
        foreach (var served in flows)
        {
            var deployment = await UpsertAsync(client, runtime, served, stopping);
            _deployments[deployment.Id] = served;
        }

        await PrintBannerAsync();
        using var stopEvents = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var events = Task.Run(() => ListenAsync(client, stopEvents.Token), CancellationToken.None);
        try
        {
            await LoopAsync(client, runtime, stopping);
        }
        finally
        {
            await stopEvents.CancelAsync();
            await events;
            await ShutdownAsync(client);
        }
    }

    private async Task LoopAsync(ReeveClient client, ReeveRuntime runtime, CancellationToken stopping)
    {
        const int page = 200;
        while (!stopping.IsCancellationRequested)
        {
            var wait = options.PollInterval;
            try
            {
                var now = runtime.Clock.GetUtcNow();
                var free = Math.Min(options.Limit - _running.Count, page);
                if (free > 0)
                {
                    // One request claims the due runs (PENDING) for this process: of several processes serving the
                    // same deployments, each is handed different runs.
                    var claimed = await client.ClaimRunsOfDeploymentsAsync(new DeploymentScheduledRunsRequest
                    {
                        DeploymentIds = [.. _deployments.Keys],
                        ScheduledBefore = now,
                        Limit = free,
                    }, stopping);
                    foreach (var run in claimed)
                    {
                        Start(run, stopping);
                    }

                    if (claimed.Count == page)
                    {
                        wait = TimeSpan.Zero; // a full page: more may be due
                    }
                    else if (claimed.Count < free && await NextDueAsync(client, now, stopping) is { } next)
                    {
                        // Nothing more is due now: sleep until the next run is, unless the server wakes us first.
                        var untilDue = next - runtime.Clock.GetUtcNow();
                        wait = untilDue < wait ? untilDue : wait;
                    }
                }

                // Full: a finishing run wakes the loop.
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or ReeveServerUnavailableException or ReeveApiException)
            {
                await Output.WriteLineAsync($"Could not claim scheduled runs: {e.Message}");
            }

            await WaitForWakeAsync(wait < TimeSpan.Zero ? TimeSpan.Zero : wait, runtime.Clock, stopping);
        }
    }

    /// <summary>When the first of the served deployments' runs that is not due yet becomes due, within a poll interval.</summary>
    private async Task<DateTimeOffset?> NextDueAsync(ReeveClient client, DateTimeOffset now, CancellationToken stopping)
    {
        var upcoming = await client.ReadScheduledRunsOfDeploymentsAsync(new DeploymentScheduledRunsRequest
        {
            DeploymentIds = [.. _deployments.Keys],
            ScheduledBefore = now + options.PollInterval,
            Limit = 200,
        }, stopping);
        return upcoming.Select(r => r.NextScheduledStartTime ?? now).Where(due => due > now).Select(due => (DateTimeOffset?)due).Min();
    }

    /// <summary>Runs a run this process has claimed, registered in <c>_running</c> until it ends.</summary>
    private void Start(FlowRun run, CancellationToken stopping)
    {
        var served = _deployments[run.DeploymentId!.Value];
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        // Registered before it starts: a run that ends at once must find itself here to leave.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var task = RunAsync(started.Task);
        _running[run.Id] = (task, cancel);
        started.SetResult();

        async Task RunAsync(Task registered)
        {
            await registered;
            try
            {
                await Output.WriteLineAsync($"Running flow run '{run.Name}' of deployment '{served.Flow.Name}/{served.Name}'");
                var outcome = await served.Flow.RunExistingAsync(run, cancel.Token);
                await Output.WriteLineAsync($"Flow run '{run.Name}' ended {outcome.State?.WireName() ?? "unknown"}");
            }
#pragma warning disable CA1031 // A run's failure must not stop the serving process; it is on the run and on the console.
            catch (Exception e)
#pragma warning restore CA1031
            {
                await Console.Error.WriteLineAsync($"Flow run '{run.Name}' could not be run: {e.Message}");
            }
            finally
            {
                _running.TryRemove(run.Id, out _);
                cancel.Dispose();
                _wake.Writer.TryWrite(true);
            }
        }
    }

    /// <summary>Listens to the server's events for the served deployments: a due run wakes the loop at once.</summary>
    private async Task ListenAsync(ReeveClient client, CancellationToken stopping)
    {
        // The same stream tells the runs served here of their cancellation (see SharedRunEvents).
        using var shared = SharedRunEvents.Follow([.. _deployments.Keys]);
        await client.FollowFlowRunEventsAsync(change =>
        {
            if (change is null || change.StateType == StateType.Scheduled)
            {
                _wake.Writer.TryWrite(true);
            }
            else
            {
                SharedRunEvents.Dispatch(change);
            }

            return ValueTask.FromResult(true);
        }, deploymentIds: _deployments.Keys, cancellationToken: stopping);
    }

    private async Task WaitForWakeAsync(TimeSpan wait, TimeProvider clock, CancellationToken stopping)
    {
        using var timeout = new CancellationTokenSource(wait, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, stopping);
        try
        {
            await _wake.Reader.ReadAsync(linked.Token);
        }
        catch (OperationCanceledException)
        {
            // The wait is over.
        }
    }

    private static async Task<Deployment> UpsertAsync(ReeveClient client, ReeveRuntime runtime, ServedFlow served, CancellationToken cancellationToken)
    {
        var flowId = await runtime.FlowIdAsync(served.Flow.Name, cancellationToken);
        return await client.CreateDeploymentAsync(new DeploymentCreate
        {
            Name = served.Name,
            FlowId = flowId,
            Paused = false,
            Schedules = Deployments.Schedules.Of(served.Cron, served.Interval, served.RRule, served.Timezone, served.AnchorDate, served.Schedules),
            ParameterOpenapiSchema = served.Flow.ParameterSchema,
            EnforceParameterSchema = true,
            Parameters = served.Parameters ?? [],
            Tags = [.. served.Tags ?? served.Flow.Options.Tags ?? []],
            Description = served.Description ?? served.Flow.Options.Description,
            Version = served.Version ?? served.Flow.Options.Version,
            Entrypoint = $"{served.Flow.Method.DeclaringType?.FullName}.{served.Flow.Method.Name}",
        }, cancellationToken);
    }

    private async Task PrintBannerAsync()
    {
        foreach (var served in flows)
        {
            await Output.WriteLineAsync($"Your flow '{served.Flow.Name}' is being served and polling for scheduled runs!");
            await Output.WriteLineAsync();
            await Output.WriteLineAsync("To trigger a run for this flow, use the following command:");
            await Output.WriteLineAsync();
            await Output.WriteLineAsync($"        $ reeve deployment run '{served.Flow.Name}/{served.Name}'");
            await Output.WriteLineAsync();
        }
    }

    /// <summary>Cancels the runs still going (each ends CANCELLED), waits for them, and pauses the deployments.</summary>
    private async Task ShutdownAsync(ReeveClient client)
    {
        if (!_running.IsEmpty)
        {
            await Output.WriteLineAsync(_running.Count == 1 ? "Stopping: cancelling 1 running flow run..." : $"Stopping: cancelling {_running.Count} running flow runs...");
        }

        foreach (var (_, running) in _running)
        {
            try
            {
                await running.Cancel.CancelAsync();
            }
            catch (ObjectDisposedException)
            {
                // It ended meanwhile.
            }
        }

        await Task.WhenAll(_running.Values.Select(r => r.Run));
        if (options.PauseOnShutdown)
        {
            foreach (var id in _deployments.Keys)
            {
                try
                {
                    await client.PauseDeploymentAsync(id);
                }
                catch (Exception e) when (e is HttpRequestException or ReeveServerUnavailableException or ReeveApiException)
                {
                    await Output.WriteLineAsync($"Could not pause deployment {id}: {e.Message}");
                }
            }
        }

        await Output.WriteLineAsync(options.PauseOnShutdown
            ? "Stopped serving; the deployments are paused until served again."
            : "Stopped serving.");

        await (ReeveRuntime.Current.Reporter?.FlushAsync() ?? Task.CompletedTask);
    }

    public ValueTask DisposeAsync()
    {
        _wake.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }
}
