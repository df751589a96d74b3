using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Reeve.Client;
using Reeve.Core.Credentials;
using Reeve.Core.Filters;
using Reeve.Core.FlowRuns;
using Reeve.Core.JobTemplates;
using Reeve.Core.Orchestration;
using Reeve.Core.PoolTypes;
using Reeve.Core.States;
using Reeve.Core.WorkPools;
using Reeve.Core.Workers;
using Reeve.Workers.Infrastructure;

namespace Reeve.Workers;

/// <summary>
/// A worker of one pool: heartbeats, learns of due runs the moment they exist (the server's event stream, with
/// polling as the fallback), claims each (PENDING, under the server's limits), renders its job configuration,
/// starts its infrastructure and follows it to its end. A run whose infrastructure fails without a final state
/// ends CRASHED; a run moved to CANCELLING has its infrastructure stopped.
/// </summary>
public sealed class Worker(ReeveClient client, WorkerOptions options)
{
    private readonly ConcurrentDictionary<Guid, Held> _held = new();
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private bool _pausedWarned;
    private string _type = options.Type ?? "process";
    private RunJournal? _journal;

    private sealed record Held(CancellationTokenSource Cancel, Task Follow);

    private readonly Guid _id = Guid.NewGuid();

    /// <summary>The worker's name: the one it was given, or its type's (known once it has read its pool) and an id.</summary>
    public string Name => options.Name ?? $"{Capitalize(_type)}Worker {_id}";

    /// <summary>The runs this worker holds now.</summary>
    public int Running => _held.Count;

    private TextWriter Output => options.Output;

    /// <summary>Runs until <paramref name="stopping"/> fires (or, with <see cref="WorkerOptions.RunOnce"/>, until the due runs ended).</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        var pool = await EnsurePoolAsync(stopping);
        var infrastructure = options.Infrastructure(_type)
            ?? throw new WorkerException($"This worker cannot run flow runs of type '{_type}'.");
        await Output.WriteLineAsync($"Worker '{Name}' started!");
        await TryHeartbeatAsync(stopping);
        await WarnWhenPausedAsync(stopping);

        if (options.JournalPath is { } journalPath)
        {
            _journal = RunJournal.Open(journalPath, problem => Output.WriteLine(problem), out var problem);
            if (_journal is null)
            {
                await Output.WriteLineAsync($"Keeping no journal of held flow runs: {problem}");
            }
        }

        using var stopBackground = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var heartbeats = Task.Run(() => HeartbeatLoopAsync(stopBackground.Token), CancellationToken.None);
        var events = options.RunOnce ? Task.CompletedTask : Task.Run(() => ListenAsync(stopBackground.Token), CancellationToken.None);
        try
        {
            if (_journal is { Previous.Count: > 0 })
            {
                await TakeBackAsync(pool, infrastructure, _journal.Previous, stopping);
            }

            await PollLoopAsync(pool, infrastructure, stopping);
        }
        finally
        {
            await stopBackground.CancelAsync();
            await Task.WhenAll(heartbeats, events);
            _journal?.Dispose();
            if (infrastructure is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }

            // Always said, so that an operator who stopped it knows it heard, and what it leaves behind.
            await Output.WriteLineAsync(_held.Count switch
            {
                0 => $"Worker '{Name}' stopped; no flow run was left running.",
                1 => $"Worker '{Name}' stopped; 1 flow run still running will report its own end.",
                var n => $"Worker '{Name}' stopped; {n} flow runs still running will report their own end.",
            });
        }
    }

    private async Task PollLoopAsync(WorkPool pool, IInfrastructure infrastructure, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await SubmitDueAsync(pool, infrastructure, stopping);
                await CheckCancellingAsync(stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or ReeveServerUnavailableException or ReeveApiException)
            {
                await Output.WriteLineAsync($"Could not read the due flow runs of work pool '{pool.Name}': {e.Message}");
            }

            if (options.RunOnce)
            {
                await Task.WhenAll(_held.Values.Select(h => h.Follow));
                return;
            }

            await WaitForWakeAsync(options.PollInterval, stopping);
        }
    }

    private async Task SubmitDueAsync(WorkPool pool, IInfrastructure infrastructure, CancellationToken stopping)
    {
        var free = options.Limit is { } limit ? limit - _held.Count : 200;
        if (free <= 0)
        {
            return;
        }

        // One request claims the due runs (PENDING) for this worker: racing workers are handed different runs, and the
        // claim holds each run for this worker (as a heartbeat naming it would) until the heartbeats take over.
        var claimed = await client.ClaimRunsOfPoolAsync(pool.Name, new WorkerClaimRequest
        {
            WorkQueueNames = options.WorkQueues.Count > 0 ? [.. options.WorkQueues] : null,
            ScheduledBefore = options.Clock.GetUtcNow() + options.Prefetch,
            Limit = Math.Min(free, 200),
            HeartbeatIntervalSeconds = (int)Math.Ceiling(options.HeartbeatInterval.TotalSeconds),
        }, stopping);
        // Journaled before any is submitted: a server that stops now takes them back when it starts again.
        _journal?.Add(claimed.Select(r => r.FlowRun.Id));
        foreach (var run in claimed)
        {
            Follow(pool.Name, run.FlowRun, infrastructure);
        }
    }

    /// <summary>
    /// Takes back the runs a previous worker with this journal held and that are still active: follows again those
    /// whose job the infrastructure still has, submits those claimed and never submitted, ends CRASHED those whose job
    /// is gone. Runs already ended leave the journal.
    /// </summary>
    private async Task TakeBackAsync(WorkPool pool, IInfrastructure infrastructure, IReadOnlyCollection<Guid> previous, CancellationToken stopping)
    {
        if (infrastructure is not IResumableInfrastructure resumable)
        {
            // A job this infrastructure cannot find again could be running still: submitting its run again could run it
            // twice. Such runs report their own end, or the server's foreman ends them once nobody heartbeats them.
            _journal?.Remove(previous);
            return;
        }

        var active = new List<FlowRun>();
        try
        {
            foreach (var ids in previous.Chunk(200))
            {
                active.AddRange(await client.FilterFlowRunsAsync(new FlowRunFilterRequest
                {
                    FlowRuns = new FlowRunFilter
                    {
                        Id = new IdFilter { Any = [.. ids] },
                        State = new FlowRunStateFilter { Type = new StateTypeFilter { Any = [StateType.Pending, StateType.Running, StateType.Cancelling] } },
                    },
                    Limit = 200,
                }, stopping));
            }
        }
        catch (Exception e) when (e is HttpRequestException or ReeveServerUnavailableException or ReeveApiException)
        {
            await Output.WriteLineAsync($"Could not read the flow runs this worker held before it stopped (they stay in its journal): {e.Message}");
            return;
        }

        active.RemoveAll(r => r.WorkPoolName is { } name && name != pool.Name);
        _journal?.Remove(previous.Except(active.Select(r => r.Id)));
        if (active.Count > 0)
        {
            await Output.WriteLineAsync($"Worker '{Name}' taking back {active.Count} flow run(s) it held before it stopped.");
        }

        foreach (var run in active)
        {
            Follow(pool.Name, run, resumable, takeBack: true);
        }
    }

    /// <summary>Holds a claimed run and runs it on the infrastructure, leaving the hold when it ends.</summary>
    private void Follow(string poolName, FlowRun run, IInfrastructure infrastructure, bool takeBack = false)
    {
        var cancel = new CancellationTokenSource();
        var registered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _held[run.Id] = new Held(cancel, FollowAsync(registered.Task));
        registered.SetResult();

        async Task FollowAsync(Task ready)
        {
            await ready;
            try
            {
                await (takeBack
                    ? TakeBackOnInfrastructureAsync(poolName, run, (IResumableInfrastructure)infrastructure, cancel.Token)
                    : RunOnInfrastructureAsync(poolName, run, infrastructure, cancel.Token));
            }
            finally
            {
                _held.TryRemove(run.Id, out _);
                _journal?.Remove([run.Id]);
                cancel.Dispose();
                _wake.Writer.TryWrite(true);
            }
        }
    }

    private async Task RunOnInfrastructureAsync(string poolName, FlowRun run, IInfrastructure infrastructure, CancellationToken cancel)
    {
        await Output.WriteLineAsync($"Worker '{Name}' submitting flow run '{run.Name}' ({run.Id})");
        string? pid = null;
        try
        {
            var configuration = await RenderAsync(poolName, run, cancel);
            if (options.StartDelay > TimeSpan.Zero)
            {
                await Task.Delay(options.StartDelay, cancel);
            }

            var result = await infrastructure.RunAsync(run, configuration, async id =>
            {
                pid = id;
                await Output.WriteLineAsync($"Started {_type} infrastructure {id} for flow run '{run.Name}'");
                await client.UpdateFlowRunAsync(run.Id, new FlowRunUpdate { InfrastructurePid = id }, CancellationToken.None);
            }, cancel);

            await FinishAsync(run, pid, result);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            await EndAsync(run.Id, StateType.Cancelled, "Cancelled before its infrastructure started.");
        }
#pragma warning disable CA1031 // Whatever went wrong starting the run is reported on the run; the worker goes on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            await Output.WriteLineAsync($"Flow run '{run.Name}' could not be started: {e.Message}");
            await EndAsync(run.Id, StateType.Crashed, $"Flow run could not be submitted to infrastructure: {e.Message}");
        }
    }

    private async Task TakeBackOnInfrastructureAsync(string poolName, FlowRun run, IResumableInfrastructure infrastructure, CancellationToken cancel)
    {
        var pid = run.InfrastructurePid;
        InfrastructureResult? result;
        try
        {
            var configuration = await RenderAsync(poolName, run, cancel);
            result = await infrastructure.ResumeAsync(run, configuration, async id =>
            {
                await Output.WriteLineAsync($"Following {_type} infrastructure {id} of flow run '{run.Name}' again");
                if (id != pid)
                {
                    await client.UpdateFlowRunAsync(run.Id, new FlowRunUpdate { InfrastructurePid = id }, CancellationToken.None);
                }

                pid = id;
            }, cancel);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return;
        }
#pragma warning disable CA1031 // A run that cannot be taken back is left as it is: it reports its own end, or the foreman ends it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            await Output.WriteLineAsync($"Could not take back flow run '{run.Name}': {e.Message}");
            return;
        }

        if (result is not null)
        {
            await FinishAsync(run, pid, result);
        }
        else if (run.StateType == StateType.Pending && pid is null)
        {
            // Claimed by this worker before it stopped, and never submitted: nobody else may hold it, so it is submitted now.
            await Output.WriteLineAsync($"Flow run '{run.Name}' was claimed but not submitted before the worker stopped; submitting it now.");
            await RunOnInfrastructureAsync(poolName, run, infrastructure, cancel);
        }
        else
        {
            await Output.WriteLineAsync($"The infrastructure of flow run '{run.Name}' is gone.");
            await EndAsync(run.Id, run.StateType == StateType.Cancelling ? StateType.Cancelled : StateType.Crashed,
                $"Flow run infrastructure {pid ?? "(never recorded)"} was gone when the worker that submitted it took the run back after a restart.");
        }
    }

    private async Task FinishAsync(FlowRun run, string? pid, InfrastructureResult result)
    {
        if (result.StoppedFollowing)
        {
            await Output.WriteLineAsync($"Stopped following infrastructure {pid} of flow run '{run.Name}'; the run goes on and reports its own end.");
            return;
        }

        var current = await client.ReadFlowRunAsync(run.Id, CancellationToken.None);
        if (current.StateType == StateType.Cancelling)
        {
            await Output.WriteLineAsync($"Infrastructure {pid} of flow run '{run.Name}' stopped; the run is cancelled.");
            await EndAsync(run.Id, StateType.Cancelled, "Cancelled: its infrastructure was stopped.");
        }
        else if (result.Succeeded)
        {
            await Output.WriteLineAsync($"Infrastructure {pid} of flow run '{run.Name}' exited cleanly.");
        }
        else if (current.StateType is { } state && state.IsTerminal())
        {
            await Output.WriteLineAsync($"Infrastructure {pid} of flow run '{run.Name}' exited with status code {result.ExitCode}; the run had ended {state.WireName()}.");
        }
        else
        {
            await Output.WriteLineAsync($"Infrastructure {pid} of flow run '{run.Name}' exited with status code {result.ExitCode}; the run crashed.");
            await EndAsync(run.Id, StateType.Crashed, result.Describe());
        }
    }

    private async Task EndAsync(Guid runId, StateType type, string message)
    {
        try
        {
            await client.SetFlowRunStateAsync(runId, new StateCreate { Type = type, Message = message }, cancellationToken: CancellationToken.None);
        }
        catch (Exception e) when (e is HttpRequestException or ReeveServerUnavailableException or ReeveApiException)
        {
            // The server's foreman ends the run once nobody heartbeats it.
            await Output.WriteLineAsync($"Could not mark flow run {runId} {type.WireName()}: {e.Message}");
        }
    }

    /// <summary>The pool's base job template rendered with the deployment's and the run's job variables.</summary>
    private async Task<JsonObject> RenderAsync(string poolName, FlowRun run, CancellationToken cancel)
    {
        var pool = client.ReadWorkPoolAsync(poolName, cancel);
        var deployment = run.DeploymentId is { } id ? await client.ReadDeploymentAsync(id, cancel) : null;
        var configuration = JobConfiguration.Render((await pool).BaseJobTemplate, deployment?.JobVariables, run.JobVariables);
        if (!configuration.ContainsKey("name") || configuration["name"] is null)
        {
            configuration["name"] = run.Name;
        }

        // What the run's infrastructure is labelled with (a container's labels), so that it can be traced back.
        var labels = configuration["labels"] as JsonObject ?? [];
        labels["io.reeve.flow-run-id"] = run.Id.ToString();
        labels["io.reeve.flow-run-name"] = run.Name;
        labels["io.reeve.work-pool-name"] = poolName;
        labels["io.reeve.worker-name"] = Name;
        if (run.DeploymentId is { } deploymentId)
        {
            labels["io.reeve.deployment-id"] = deploymentId.ToString();
        }

        configuration["labels"] = labels;

        // Credentials are read only now, for this submission: the configuration carries references until here.
        if (CredentialsReferences.Find(configuration).Count > 0)
        {
            configuration = await client.ResolveCredentialsAsync(run.Id, configuration, cancel);
        }

        return configuration;
    }

    private async Task<WorkPool> EnsurePoolAsync(CancellationToken cancel)
    {
        WorkPool pool;
        try
        {
            pool = await client.ReadWorkPoolAsync(options.PoolName, cancel);
        }
        catch (ReeveApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            var type = PoolTypeCatalog.Find(_type) ?? throw new WorkerException(
                $"Unknown worker type '{_type}'; known types: {PoolTypeCatalog.KnownTypes}.");
            await Output.WriteLineAsync($"Work pool '{options.PoolName}' does not exist; creating it as a '{_type}' pool.");
            try
            {
                pool = await client.CreateWorkPoolAsync(new WorkPoolCreate
                {
                    Name = options.PoolName,
                    Type = _type,
                    BaseJobTemplate = (JsonObject)type.DefaultBaseJobTemplate.DeepClone(),
                }, cancel);
            }
            catch (ReeveApiException conflict) when (conflict.StatusCode == System.Net.HttpStatusCode.Conflict)
            {
                pool = await client.ReadWorkPoolAsync(options.PoolName, cancel);
            }
        }

        if (options.Type is { } wanted && wanted != pool.Type)
        {
            throw new WorkerException($"Work pool '{pool.Name}' is of type '{pool.Type}'; a '{wanted}' worker cannot run its flow runs.");
        }

        if (!options.OnServer && PoolTypeCatalog.Find(pool.Type) is { RunsOnServer: true } serverType)
        {
            throw new WorkerException(serverType.IsPush
                ? $"Work pool '{pool.Name}' is a push pool ({pool.Type}): the Reeve server submits its flow runs itself; no worker is needed."
                : $"Work pool '{pool.Name}' is a managed pool: the Reeve server runs its flow runs itself; no worker is needed.");
        }

        _type = pool.Type;
        return pool;
    }

    private async Task HeartbeatLoopAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.HeartbeatInterval, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await TryHeartbeatAsync(stopping);
            await WarnWhenPausedAsync(stopping);
        }
    }

    private async Task TryHeartbeatAsync(CancellationToken stopping)
    {
        try
        {
            await client.HeartbeatAsync(options.PoolName, new WorkerHeartbeat
            {
                Name = Name,
                HeartbeatIntervalSeconds = (int)Math.Ceiling(options.HeartbeatInterval.TotalSeconds),
                FlowRunIds = [.. _held.Keys],
            }, stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception e) when (e is HttpRequestException or ReeveServerUnavailableException or ReeveApiException)
        {
            await Output.WriteLineAsync($"Heartbeat failed: {e.Message}");
        }
    }

    private async Task WarnWhenPausedAsync(CancellationToken stopping)
    {
        try
        {
            var pool = await client.ReadWorkPoolAsync(options.PoolName, stopping);
            var queues = await client.FilterWorkQueuesAsync(options.PoolName, cancellationToken: stopping);
            var paused = queues.Where(q => q.IsPaused && (options.WorkQueues.Count == 0 || options.WorkQueues.Contains(q.Name))).Select(q => q.Name).ToList();
            var warning = pool.IsPaused
                ? $"Work pool '{pool.Name}' is paused: its flow runs wait until it is resumed ('reeve work-pool resume {pool.Name}')."
                : paused.Count > 0 && paused.Count == (options.WorkQueues.Count > 0 ? options.WorkQueues.Count : queues.Count)
                    ? $"Every work queue this worker polls is paused ({string.Join(", ", paused)}): their flow runs wait until one is resumed."
                    : paused.Count > 0
                        ? paused.Count == 1
                            ? $"Work queue '{paused[0]}' of pool '{pool.Name}' is paused; its flow runs wait."
                            : $"Work queues {string.Join(", ", paused.Select(p => $"'{p}'"))} of pool '{pool.Name}' are paused; their flow runs wait."
                        : null;
            if (warning is not null && !_pausedWarned)
            {
                await Output.WriteLineAsync($"Warning: {warning}");
            }

            _pausedWarned = warning is not null;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception e) when (e is HttpRequestException or ReeveServerUnavailableException or ReeveApiException)
        {
            // The heartbeat reports the server's absence.
        }
    }

    /// <summary>The pool's events: a due run wakes the loop at once; a held run moved to CANCELLING is stopped.</summary>
    private Task ListenAsync(CancellationToken stopping) =>
        client.FollowFlowRunEventsAsync(async change =>
        {
            if (change is null || change.StateType == StateType.Scheduled)
            {
                _wake.Writer.TryWrite(true);
            }
            else if (change.StateType == StateType.Cancelling && _held.TryGetValue(change.FlowRunId, out var held))
            {
                await CancelAsync(held);
            }

            return true;
        }, workPoolNames: [options.PoolName], cancellationToken: stopping);

    /// <summary>The poll's half of cancellation: held runs found CANCELLING (an event may have been missed).</summary>
    private async Task CheckCancellingAsync(CancellationToken stopping)
    {
        // One request per 200 held runs, not one per run: this runs on every wake-up.
        foreach (var ids in _held.Keys.Chunk(200))
        {
            var cancelling = await client.FilterFlowRunsAsync(new FlowRunFilterRequest
            {
                FlowRuns = new FlowRunFilter
                {
                    Id = new IdFilter { Any = [.. ids] },
                    State = new FlowRunStateFilter { Type = new StateTypeFilter { Any = [StateType.Cancelling] } },
                },
                Limit = 200,
            }, stopping);
            foreach (var run in cancelling)
            {
                if (_held.TryGetValue(run.Id, out var held))
                {
                    await CancelAsync(held);
                }
            }
        }
    }

    private static async Task CancelAsync(Held held)
    {
        try
        {
            await held.Cancel.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // It ended meanwhile.
        }
    }

    private async Task WaitForWakeAsync(TimeSpan wait, CancellationToken stopping)
    {
        using var timeout = new CancellationTokenSource(wait);
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

    private static string Capitalize(string type) =>
        type.Length == 0 ? type : char.ToUpper(type[0], CultureInfo.InvariantCulture) + type[1..];
}

/// <summary>A worker cannot start: the message says why, in one line.</summary>
public sealed class WorkerException(string message) : Exception(message);
