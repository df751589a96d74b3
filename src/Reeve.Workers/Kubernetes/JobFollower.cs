using System.Globalization;
using System.Net;
using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Reeve.Workers.Infrastructure;

namespace Reeve.Workers.Kubernetes;

/// <summary>
/// Follows one Job and its pods to an outcome. Two list-then-watch loops (the Job by name, its pods by the Job's
/// <c>controller-uid</c>) keep the latest objects; each change is weighed by <see cref="Decide"/>. A watch that ends
/// (the server's timeout, a dropped connection, the API server restarting) is opened again from the last
/// resourceVersion, and after 410 Gone the objects are listed again: losing the watch never ends the run. The run
/// ends only on evidence: the Job complete or failed, its pod unable to pull its image, unschedulable past the pod
/// start timeout, or the Job deleted from outside. A run the worker gives up on has its Job deleted, so nothing waits
/// in the cluster for a run that is over.
/// </summary>
internal sealed class JobFollower(IKubernetes client, KubernetesJob job, V1Job created, KubernetesInfrastructureOptions options, RunLog log)
#pragma warning disable CS9124 // The Job as created is kept whole (its name and uid); the field holds its latest version.
{
    private readonly Channel<bool> _changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Dictionary<string, V1Pod> _pods = new(StringComparer.Ordinal);
    private readonly HashSet<string> _said = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PodOutput> _outputs = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private V1Job? _job = created;
#pragma warning restore CS9124
    private bool _jobGone;
    private bool _deleting;
    private bool _podStarted;
    private string? _lastPendingReason;

    private string Name => created.Metadata.Name;

    private string Namespace => job.Namespace;

    public async Task<InfrastructureResult> FollowAsync(CancellationToken cancellationToken)
    {
        var since = options.Clock.GetUtcNow();
        using var stop = new CancellationTokenSource();
        var watches = Task.WhenAll(
            Task.Run(() => WatchJobAsync(stop.Token), CancellationToken.None),
            Task.Run(() => WatchPodsAsync(stop.Token), CancellationToken.None));
        try
        {
            while (true)
            {
                if (watches.IsFaulted)
                {
                    // A watch that may not go on (the API refused it): the Job is removed, nothing follows it.
                    await DeleteJobAsync(TimeSpan.Zero);
                    await watches;
                }

                var outcome = Decide(options.Clock.GetUtcNow() - since);
                if (outcome is not null)
                {
                    if (!outcome.Result.Succeeded && !outcome.Result.StoppedFollowing)
                    {
                        await SayLastLinesAsync();
                    }

                    if (outcome.DeleteJob)
                    {
                        await DeleteJobAsync(TimeSpan.Zero);
                    }

                    await FinishOutputAsync();
                    if (outcome.Result.Explanation is { } explanation)
                    {
                        await log.WriteAsync(RunLog.Error, explanation);
                    }

                    return outcome.Result;
                }

                await WaitForChangeAsync(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await log.WriteAsync(RunLog.Info, $"Deleting Job {Namespace}/{Name}: the run is being cancelled.");
            await DeleteJobAsync(options.KillGracePeriod);
            await WaitGoneAsync(options.KillGracePeriod + TimeSpan.FromSeconds(60));
            await FinishOutputAsync();
            return InfrastructureResult.FromUnixExitCode(143);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(watches.ContinueWith(_ => { }, TaskScheduler.Default));
        }
    }

    private sealed record Outcome(InfrastructureResult Result, bool DeleteJob = false);

    /// <summary>What the latest objects say: an outcome, or null to keep following.</summary>
    private Outcome? Decide(TimeSpan elapsed)
    {
        V1Job? current;
        List<V1Pod> pods;
        bool gone;
        lock (_lock)
        {
            current = _job;
            gone = _jobGone;
            pods = [.. _pods.Values.OrderBy(p => p.Metadata.CreationTimestamp ?? DateTime.MinValue)];
        }

        var latest = pods.LastOrDefault();
        if (gone && !_deleting)
        {
            return new Outcome(Failed(-1, $"The Job {Namespace}/{Name} was deleted from outside Reeve before its flow run ended."));
        }

        foreach (var pod in pods)
        {
            StartOutput(pod);
            if (pod.Status?.Phase is "Running" or "Succeeded" or "Failed")
            {
                _podStarted = true;
            }
        }

        var conditions = current?.Status?.Conditions ?? [];
        if (conditions.Any(c => c.Type == "Complete" && c.Status == "True"))
        {
            return new Outcome(InfrastructureResult.FromUnixExitCode(0));
        }

        if (conditions.FirstOrDefault(c => c.Type == "Failed" && c.Status == "True") is { } failed)
        {
            return new Outcome(JobFailed(failed, pods.LastOrDefault(p => p.Status?.Phase == "Failed") ?? latest));
        }

        if (latest is not null && PullFailure(latest) is { } pull)
        {
            return new Outcome(Failed(-1, pull), DeleteJob: true);
        }

        if (!_podStarted)
        {
            var pending = latest is null ? null : PendingReason(latest);
            if (pending is not null && pending != _lastPendingReason)
            {
                _lastPendingReason = pending;
                Say(RunLog.Warning, $"pending:{pending}", $"Pod {latest!.Metadata.Name} is not running yet: {pending} (the run is ended after {Seconds(job.PodStartTimeout)} s without a running pod).");
            }

            if (elapsed > job.PodStartTimeout)
            {
                var why = latest is null
                    ? "Kubernetes made no pod for the Job (see 'kubectl describe job')"
                    : _lastPendingReason ?? "the pod did not start";
                return new Outcome(Failed(-1, $"The pod of Job {Namespace}/{Name} did not start within {Seconds(job.PodStartTimeout)} s (pod_watch_timeout_seconds): {why}."), DeleteJob: true);
            }
        }

        if (job.FollowFor is { } limit && elapsed > limit)
        {
            return new Outcome(new InfrastructureResult(0) { StoppedFollowing = true });
        }

        return null;
    }

    /// <summary>A failed pod's last lines into the run's logs, read before anything (the Job's TTL) removes the pod.</summary>
    private async Task SayLastLinesAsync()
    {
        V1Pod? pod;
        lock (_lock)
        {
            pod = _pods.Values.Where(p => p.Status?.Phase is "Running" or "Failed" or "Succeeded")
                .OrderBy(p => p.Metadata.CreationTimestamp ?? DateTime.MinValue).LastOrDefault();
        }

        if (pod is not null && await PodOutput.TailAsync(client, Namespace, pod, 20) is { } lines)
        {
            await log.WriteAsync(RunLog.Warning, $"The last lines of pod {pod.Metadata.Name}:\n{lines}");
        }
    }

    private static string Seconds(TimeSpan span) => Math.Round(span.TotalSeconds).ToString(CultureInfo.InvariantCulture);

    private static InfrastructureResult Failed(int exitCode, string explanation) => new(exitCode, Explanation: explanation);

    /// <summary>Why the Job failed, in words: the pod evicted, out of memory, its exit code, or the Job's own reason.</summary>
    private InfrastructureResult JobFailed(V1JobCondition failed, V1Pod? pod)
    {
        var jobReason = failed.Reason is { Length: > 0 } r ? $"{r}: {failed.Message}".TrimEnd(' ', ':') : "the Job failed";
        if (pod?.Status is { Reason: "Evicted" } evicted)
        {
            return Failed(-1, $"The pod {pod.Metadata.Name} of Job {Namespace}/{Name} was evicted: {evicted.Message ?? "no reason given"}.");
        }

        var terminated = pod?.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Terminated;
        if (terminated is null)
        {
            return Failed(-1, $"The Job {Namespace}/{Name} failed ({jobReason}).");
        }

        var code = terminated.ExitCode;
        if (terminated.Reason == "OOMKilled")
        {
            var limit = pod!.Spec?.Containers?.FirstOrDefault()?.Resources?.Limits?.TryGetValue("memory", out var memory) == true ? $" (memory limit {memory})" : "";
            return InfrastructureResult.FromUnixExitCode(code, $"the container ran out of memory{limit} and was killed (OOMKilled)");
        }

        return InfrastructureResult.FromUnixExitCode(code) with
        {
            Explanation = $"The container of pod {pod!.Metadata.Name} exited with code {code}{(terminated.Message is { Length: > 0 } m ? $" ({m.Trim()})" : "")}; the Job failed ({jobReason}).",
        };
    }

    /// <summary>The image could not be pulled (Kubernetes gave up or backs off), or cannot be (an invalid name, pulling forbidden).</summary>
    private static string? PullFailure(V1Pod pod)
    {
        var status = pod.Status?.ContainerStatuses?.FirstOrDefault();
        var waiting = status?.State?.Waiting;
        if (waiting?.Reason is not ("ImagePullBackOff" or "InvalidImageName" or "ErrImageNeverPull"))
        {
            return null;
        }

        var image = status?.Image ?? pod.Spec?.Containers?.FirstOrDefault()?.Image;
        return $"The image '{image}' of pod {pod.Metadata.Name} could not be pulled ({waiting.Reason}){(waiting.Message is { Length: > 0 } m ? $": {m.Trim()}" : "")}.";
    }

    /// <summary>Why a pod that has not started waits: not scheduled (the scheduler's words), or its container waiting.</summary>
    private static string? PendingReason(V1Pod pod)
    {
        if (pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled" && c.Status == "False") is { } unscheduled)
        {
            return $"it cannot be scheduled ({unscheduled.Reason}): {unscheduled.Message}".TrimEnd(' ', ':');
        }

        if (pod.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Waiting is { Reason: { Length: > 0 } reason } waiting && reason != "ContainerCreating")
        {
            return $"its container waits ({reason}){(waiting.Message is { Length: > 0 } m ? $": {m.Trim()}" : "")}";
        }

        return null;
    }

    private void Say(int level, string key, string message)
    {
        if (_said.Add(key))
        {
            _ = log.WriteAsync(level, message);
        }
    }

    private async Task WaitForChangeAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait);
        try
        {
            await _changed.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // A tick: the timeouts are weighed again.
        }
    }

    private void Changed() => _changed.Writer.TryWrite(true);

    private async Task DeleteJobAsync(TimeSpan grace)
    {
        _deleting = true;
        try
        {
            await KubernetesErrors.IgnoreNotFoundAsync(() => client.BatchV1.DeleteNamespacedJobAsync(Name, Namespace,
                body: new V1DeleteOptions { PropagationPolicy = "Foreground", GracePeriodSeconds = (long)grace.TotalSeconds }));
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException)
        {
            await log.WriteAsync(RunLog.Error, $"Could not delete Job {Namespace}/{Name}: {(e is HttpOperationException h ? KubernetesErrors.Describe(h) : e.Message)}");
        }
    }

    private async Task WaitGoneAsync(TimeSpan limit)
    {
        var deadline = options.Clock.GetUtcNow() + limit;
        while (options.Clock.GetUtcNow() < deadline)
        {
            lock (_lock)
            {
                if (_jobGone && _pods.Count == 0)
                {
                    return;
                }
            }

            await WaitForChangeAsync(TimeSpan.FromSeconds(1), CancellationToken.None);
        }

        await log.WriteAsync(RunLog.Warning, $"Job {Namespace}/{Name} was not gone {Seconds(limit)} s after its deletion; Kubernetes goes on removing it.");
    }

    private Task WatchJobAsync(CancellationToken stop) => WatchAsync<V1Job, V1JobList>(
        "Job",
        ct => client.BatchV1.ListNamespacedJobAsync(Namespace, fieldSelector: $"metadata.name={Name}", cancellationToken: ct),
        (resourceVersion, onError, ct) => client.BatchV1.WatchListNamespacedJobAsync(Namespace, fieldSelector: $"metadata.name={Name}",
            resourceVersion: resourceVersion, timeoutSeconds: WatchSeconds, allowWatchBookmarks: true, onError: onError, cancellationToken: ct),
        list =>
        {
            var found = list.Items.FirstOrDefault(j => j.Metadata.Uid == created.Metadata.Uid);
            _job = found ?? _job;
            _jobGone = found is null;
        },
        (type, item) =>
        {
            if (item.Metadata.Uid != created.Metadata.Uid)
            {
                return;
            }

            _job = item;
            _jobGone = type == WatchEventType.Deleted;
        },
        stop);

    private string PodSelector => $"controller-uid={created.Metadata.Uid}";

    /// <summary>How long one watch request lasts before the server ends it and it is opened again.</summary>
    private const int WatchSeconds = 240;

    private Task WatchPodsAsync(CancellationToken stop) => WatchAsync<V1Pod, V1PodList>(
        "pods",
        ct => client.CoreV1.ListNamespacedPodAsync(Namespace, labelSelector: PodSelector, cancellationToken: ct),
        (resourceVersion, onError, ct) => client.CoreV1.WatchListNamespacedPodAsync(Namespace, labelSelector: PodSelector,
            resourceVersion: resourceVersion, timeoutSeconds: WatchSeconds, allowWatchBookmarks: true, onError: onError, cancellationToken: ct),
        list =>
        {
            _pods.Clear();
            foreach (var pod in list.Items)
            {
                _pods[pod.Metadata.Name] = pod;
            }
        },
        (type, item) =>
        {
            if (type == WatchEventType.Deleted)
            {
                _pods.Remove(item.Metadata.Name);
            }
            else
            {
                _pods[item.Metadata.Name] = item;
            }
        },
        stop);

    /// <summary>
    /// List, then watch from the list's resourceVersion; a watch that ends is opened again from the last version seen,
    /// and 410 Gone (that version is too old) lists again. Transient errors are retried with backoff for as long as
    /// the run lasts; a refusal (401, 403, 404 of the namespace) ends the follow with the API's words.
    /// </summary>
    private async Task WatchAsync<T, TList>(
        string what,
        Func<CancellationToken, Task<TList>> list,
        Func<string, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> watch,
        Action<TList> replace,
        Action<WatchEventType, T> apply,
        CancellationToken stop)
        where T : IKubernetesObject<V1ObjectMeta>
        where TList : IKubernetesObject<V1ListMeta>
    {
        string? version = null;
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (version is null)
                {
                    var listed = await list(stop);
                    lock (_lock)
                    {
                        replace(listed);
                    }

                    version = listed.Metadata.ResourceVersion;
                    Changed();
                }

                var gone = false;
                Exception? error = null;
                await foreach (var (type, item) in watch(version, e =>
                {
                    if (e is KubernetesException { Status.Code: 410 })
                    {
                        gone = true;
                    }
                    else
                    {
                        error = e;
                    }
                }, stop))
                {
                    version = item.Metadata?.ResourceVersion ?? version;
                    if (type is WatchEventType.Bookmark or WatchEventType.Error)
                    {
                        continue;
                    }

                    lock (_lock)
                    {
                        apply(type, item);
                    }

                    Changed();
                }

                if (gone)
                {
                    version = null;
                }

                if (error is not null)
                {
                    throw error;
                }

                if (failures > 0)
                {
                    await log.WriteAsync(RunLog.Info, $"Watching the {what} of Job {Namespace}/{Name} again.");
                    failures = 0;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
            {
                var message = $"Kubernetes refused to let the worker watch the {what} of Job {Namespace}/{Name}: {KubernetesErrors.Describe(e)}";
                await log.WriteAsync(RunLog.Error, message);
                throw new InvalidOperationException(message, e);
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException or OperationCanceledException or KubernetesException or System.Text.Json.JsonException)
            {
                failures++;
                if (failures == 1)
                {
                    await log.WriteAsync(RunLog.Warning, $"Lost the watch of the {what} of Job {Namespace}/{Name} ({e.Message.Trim()}); the run goes on, and the watch is opened again.");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(200 * (1 << Math.Min(failures, 6)), 5_000)), stop).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private void StartOutput(V1Pod pod)
    {
        if (!job.StreamOutput || pod.Status?.Phase is not ("Running" or "Succeeded" or "Failed") || _outputs.ContainsKey(pod.Metadata.Name))
        {
            return;
        }

        _outputs[pod.Metadata.Name] = PodOutput.Start(client, Namespace, pod, options, () =>
        {
            lock (_lock)
            {
                return !_pods.TryGetValue(pod.Metadata.Name, out var now) || now.Status?.Phase is "Succeeded" or "Failed" || now.Metadata.DeletionTimestamp is not null;
            }
        });
    }

    private async Task FinishOutputAsync()
    {
        foreach (var output in _outputs.Values)
        {
            await output.FinishAsync(TimeSpan.FromSeconds(5));
            output.Dispose();
        }

        _outputs.Clear();
    }
}
