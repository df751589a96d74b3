using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Docker.DotNet;
using Docker.DotNet.Models;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Reeve.Workers.Docker;

namespace Reeve.Testing.Kubernetes;

/// <summary>
/// A STAND-IN FOR THE KUBELET, for tests only: there is no kubelet on this machine, so this agent plays one node of
/// the real API server's cluster. It registers a Node (Ready, no taints, 2 CPUs and 4 GiB), watches the pods bound
/// to it, runs each pod's first container as a real container on the private Docker engine (host network, the
/// pod's env with Secret references resolved, its memory limit), and reports what happens through
/// <c>pods/status</c> as a kubelet would: Running; terminated with the exit code (OOMKilled when the kernel killed
/// it); waiting with ErrImagePull then ImagePullBackOff when the image cannot be had; Failed/Evicted when a test
/// evicts it. A pod being deleted has its container stopped (SIGTERM, then SIGKILL after the pod's grace period)
/// and is then removed. It serves <c>/containerLogs/{namespace}/{pod}/{container}</c> over HTTPS on the port it
/// advertises in the Node's status, so that the API server's <c>pods/log</c> works.
/// </summary>
public sealed class NodeAgent : IAsyncDisposable
{
    private const string PodLabel = "io.reeve.test.node-agent.pod-uid";
    private readonly IKubernetes _kube;
    private readonly DockerClient _docker;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, PodWork> _pods = new(StringComparer.Ordinal);
    private WebApplication? _logs;
    private Task _watch = Task.CompletedTask;

    private NodeAgent(IKubernetes kube, DockerClient docker, string name)
    {
        _kube = kube;
        _docker = docker;
        Name = name;
    }

    /// <summary>The Node's name.</summary>
    public string Name { get; }

    /// <summary>What the agent did, a line per step (for a failing test's message).</summary>
    public ConcurrentQueue<string> Journal { get; } = new();

    private sealed class PodWork
    {
        public required string Namespace { get; init; }

        public required string Name { get; init; }

        public required string Uid { get; init; }

        public string? ContainerId { get; set; }

        public Task Run { get; set; } = Task.CompletedTask;

        public CancellationTokenSource Stop { get; } = new();

        public bool Evicted { get; set; }

        public bool Deleting { get; set; }

        public bool Started { get; set; }
    }

    /// <summary>Registers node <paramref name="name"/> on the cluster of <paramref name="kube"/> and starts playing it.</summary>
    public static async Task<NodeAgent> StartAsync(IKubernetes kube, DockerClient docker, string name)
    {
        var agent = new NodeAgent(kube, docker, name);
        var port = await agent.StartLogServerAsync();
        await agent.RegisterAsync(port);
        agent._watch = Task.Run(() => agent.WatchPodsAsync(agent._stop.Token), CancellationToken.None);
        return agent;
    }

    /// <summary>Evicts a running pod as a kubelet short of memory would: its container killed, the pod Failed with reason Evicted.</summary>
    public async Task EvictAsync(string ns, string pod)
    {
        var work = _pods.Values.FirstOrDefault(w => w.Namespace == ns && w.Name == pod)
            ?? throw new InvalidOperationException($"Pod {ns}/{pod} is not on node {Name}.");
        work.Evicted = true;
        await work.Stop.CancelAsync();
        await work.Run;
    }

    private async Task<int> StartLogServerAsync()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={Name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var generated = request.CreateSelfSigned(TimeProvider.System.GetUtcNow().AddDays(-1), TimeProvider.System.GetUtcNow().AddDays(7));
        var certificate = X509CertificateLoader.LoadPkcs12(generated.Export(X509ContentType.Pfx), null);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        var app = builder.Build();
        app.MapGet("/containerLogs/{ns}/{pod}/{container}", ServeLogsAsync);
        await app.StartAsync();
        _logs = app;
        return new Uri(app.Urls.First()).Port;
    }

    private async Task ServeLogsAsync(HttpContext http, string ns, string pod)
    {
        var work = _pods.Values.FirstOrDefault(w => w.Namespace == ns && w.Name == pod);
        if (work?.ContainerId is not { } id)
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            await http.Response.WriteAsync($"no container for pod {ns}/{pod} on node {Name}");
            return;
        }

        var query = http.Request.Query;
        var parameters = new ContainerLogsParameters
        {
            ShowStdout = true,
            ShowStderr = true,
            Follow = query["follow"] == "true",
            Timestamps = query["timestamps"] == "true",
            Tail = query["tailLines"] is { Count: > 0 } tail ? tail.ToString() : "all",
        };
        if (query["sinceSeconds"] is { Count: > 0 } since && long.TryParse(since, CultureInfo.InvariantCulture, out var seconds))
        {
            parameters.Since = (TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() - seconds).ToString(CultureInfo.InvariantCulture);
        }

        http.Response.ContentType = "text/plain";
        using var stream = await _docker.Containers.GetContainerLogsAsync(id, parameters, http.RequestAborted);
        var buffer = new byte[8192];
        while (true)
        {
            var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, http.RequestAborted);
            if (read.EOF)
            {
                return;
            }

            await http.Response.Body.WriteAsync(buffer.AsMemory(0, read.Count), http.RequestAborted);
            await http.Response.Body.FlushAsync(http.RequestAborted);
        }
    }

    private async Task RegisterAsync(int port)
    {
        var node = new V1Node
        {
            Metadata = new V1ObjectMeta { Name = Name, Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = Name, ["reeve.io/node-agent"] = "stand-in" } },
        };
        try
        {
            await _kube.CoreV1.CreateNodeAsync(node);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // A node of this name is left from an earlier run: it is taken over.
        }

        // The TaintNodesByCondition admission plugin gave the new node the not-ready taint: a Ready node has none.
        await _kube.CoreV1.PatchNodeAsync(new V1Patch("""{"spec":{"taints":null}}""", V1Patch.PatchType.MergePatch), Name);
        var now = TimeProvider.System.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var status = new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["capacity"] = new JsonObject { ["cpu"] = "2", ["memory"] = "4Gi", ["pods"] = "110" },
                ["allocatable"] = new JsonObject { ["cpu"] = "2", ["memory"] = "4Gi", ["pods"] = "110" },
                ["addresses"] = new JsonArray(new JsonObject { ["type"] = "InternalIP", ["address"] = "127.0.0.1" }, new JsonObject { ["type"] = "Hostname", ["address"] = Name }),
                ["daemonEndpoints"] = new JsonObject { ["kubeletEndpoint"] = new JsonObject { ["Port"] = port } },
                ["conditions"] = new JsonArray(new JsonObject
                {
                    ["type"] = "Ready", ["status"] = "True", ["reason"] = "KubeletReady", ["message"] = "node agent stand-in is ready",
                    ["lastHeartbeatTime"] = now, ["lastTransitionTime"] = now,
                }),
                ["nodeInfo"] = new JsonObject
                {
                    ["kubeletVersion"] = "v1.20.2-reeve-node-agent", ["containerRuntimeVersion"] = "docker://private", ["operatingSystem"] = "linux", ["architecture"] = "amd64",
                    ["machineID"] = "", ["systemUUID"] = "", ["bootID"] = "", ["kernelVersion"] = "", ["osImage"] = "", ["kubeProxyVersion"] = "",
                },
            },
        };
        await _kube.CoreV1.PatchNodeStatusAsync(new V1Patch(status.ToJsonString(), V1Patch.PatchType.MergePatch), Name);
        Journal.Enqueue($"node {Name} registered, logs on port {port}");
    }

    private async Task WatchPodsAsync(CancellationToken stop)
    {
        string? version = null;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (version is null)
                {
                    var list = await _kube.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: $"spec.nodeName={Name}", cancellationToken: stop);
                    foreach (var pod in list.Items)
                    {
                        See(pod, deleted: false);
                    }

                    version = list.Metadata.ResourceVersion;
                }

                var gone = false;
                await foreach (var (type, pod) in _kube.CoreV1.WatchListPodForAllNamespacesAsync(fieldSelector: $"spec.nodeName={Name}",
                    resourceVersion: version, timeoutSeconds: 60, onError: e => gone |= e is KubernetesException { Status.Code: 410 }, cancellationToken: stop))
                {
                    version = pod.Metadata?.ResourceVersion ?? version;
                    if (type is WatchEventType.Added or WatchEventType.Modified or WatchEventType.Deleted)
                    {
                        See(pod, type == WatchEventType.Deleted);
                    }
                }

                if (gone)
                {
                    version = null;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The stand-in keeps playing its node whatever one watch did.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Journal.Enqueue($"pod watch: {e.Message}");
                version = null;
                await Task.Delay(500, stop).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private void See(V1Pod pod, bool deleted)
    {
        var uid = pod.Metadata.Uid;
        if (deleted)
        {
            if (_pods.TryRemove(uid, out var gone))
            {
                gone.Stop.Cancel();
            }

            return;
        }

        var work = _pods.GetOrAdd(uid, _ => new PodWork { Namespace = pod.Metadata.NamespaceProperty, Name = pod.Metadata.Name, Uid = uid });
        lock (work)
        {
            if (pod.Metadata.DeletionTimestamp is not null && !work.Deleting)
            {
                work.Deleting = true;
                var grace = pod.Metadata.DeletionGracePeriodSeconds ?? 30;
                _ = Task.Run(() => RemoveAsync(work, grace), CancellationToken.None);
            }
            else if (!work.Started && !work.Deleting && pod.Status?.Phase is null or "Pending")
            {
                work.Started = true;
                work.Run = Task.Run(() => RunPodAsync(pod, work), CancellationToken.None);
            }
        }
    }

    /// <summary>What a kubelet does for a deleted pod: stop its container within the grace period, then remove the pod for good.</summary>
    private async Task RemoveAsync(PodWork work, long grace)
    {
        Journal.Enqueue($"{work.Namespace}/{work.Name}: deleting (grace {grace} s)");
        if (work.ContainerId is { } id)
        {
            await Quietly(() => _docker.Containers.StopContainerAsync(id, new ContainerStopParameters { WaitBeforeKillSeconds = (uint)Math.Max(grace, 0) }));
        }

        await work.Stop.CancelAsync();
        await work.Run.ContinueWith(_ => { }, TaskScheduler.Default);
        if (work.ContainerId is { } removed)
        {
            await Quietly(() => _docker.Containers.RemoveContainerAsync(removed, new ContainerRemoveParameters { Force = true }));
        }

        await Quietly(() => _kube.CoreV1.DeleteNamespacedPodAsync(work.Name, work.Namespace,
            body: new V1DeleteOptions { GracePeriodSeconds = 0, Preconditions = new V1Preconditions { Uid = work.Uid } }));
        _pods.TryRemove(work.Uid, out _);
        Journal.Enqueue($"{work.Namespace}/{work.Name}: removed");
    }

    private async Task RunPodAsync(V1Pod pod, PodWork work)
    {
        var ns = work.Namespace;
        var container = pod.Spec.Containers[0];
        try
        {
            await PatchStatusAsync(work, new JsonObject
            {
                ["phase"] = "Pending",
                ["hostIP"] = "127.0.0.1",
                ["containerStatuses"] = new JsonArray(ContainerStatus(container, new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "ContainerCreating" } })),
            });

            if (!await EnsureImageAsync(work, container))
            {
                return;
            }

            var env = new List<string>();
            foreach (var variable in container.Env ?? [])
            {
                var value = variable.Value;
                if (variable.ValueFrom?.SecretKeyRef is { } reference)
                {
                    var secret = await _kube.CoreV1.ReadNamespacedSecretAsync(reference.Name, ns);
                    value = secret.Data is { } data && data.TryGetValue(reference.Key, out var bytes) ? System.Text.Encoding.UTF8.GetString(bytes) : null;
                }

                if (value is not null)
                {
                    env.Add($"{variable.Name}={value}");
                }
            }

            long memory = 0;
            if (container.Resources?.Limits?.TryGetValue("memory", out var limit) == true)
            {
                memory = limit.ToInt64();
            }

            var created = await _docker.Containers.CreateContainerAsync(new CreateContainerParameters
            {
                Image = container.Image,
                Entrypoint = container.Command is { Count: > 0 } command ? [.. command] : null!,
                Cmd = container.Args is { Count: > 0 } args ? [.. args] : null!,
                Env = env,
                Labels = new Dictionary<string, string> { [PodLabel] = work.Uid },
                HostConfig = new HostConfig { NetworkMode = "host", Memory = memory, MemorySwap = memory > 0 ? memory : 0 },
            });
            work.ContainerId = created.ID;
            await _docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
            var started = TimeProvider.System.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            Journal.Enqueue($"{ns}/{work.Name}: running container {created.ID[..12]}");
            await PatchStatusAsync(work, new JsonObject
            {
                ["phase"] = "Running",
                ["podIP"] = "127.0.0.1",
                ["startTime"] = started,
                ["conditions"] = Conditions(ready: true),
                ["containerStatuses"] = new JsonArray(ContainerStatus(container, new JsonObject { ["running"] = new JsonObject { ["startedAt"] = started } }, ready: true, id: created.ID)),
            });

            try
            {
                await _docker.Containers.WaitContainerAsync(created.ID, work.Stop.Token);
            }
            catch (OperationCanceledException) when (work.Evicted)
            {
                await _docker.Containers.KillContainerAsync(created.ID, new ContainerKillParameters { Signal = "KILL" });
                await _docker.Containers.WaitContainerAsync(created.ID);
                Journal.Enqueue($"{ns}/{work.Name}: evicted");
                await PatchStatusAsync(work, new JsonObject
                {
                    ["phase"] = "Failed",
                    ["reason"] = "Evicted",
                    ["message"] = "The node was low on resource: memory. Container reeve-job was using 3Gi, which exceeds its request of 0.",
                    ["conditions"] = Conditions(ready: false),
                    ["containerStatuses"] = new JsonArray(ContainerStatus(container, Terminated(137, "Error", started), id: created.ID)),
                });
                return;
            }
            catch (OperationCanceledException)
            {
                return; // Deleted: RemoveAsync stops the container and removes the pod.
            }

            var state = (await _docker.Containers.InspectContainerAsync(created.ID)).State ?? throw new InvalidOperationException($"The engine did not say how container {created.ID} ended.");
            var code = (int)state.ExitCode;
            var reason = state.OOMKilled ? "OOMKilled" : code == 0 ? "Completed" : "Error";
            Journal.Enqueue($"{ns}/{work.Name}: exited {code} ({reason})");
            await PatchStatusAsync(work, new JsonObject
            {
                ["phase"] = code == 0 ? "Succeeded" : "Failed",
                ["conditions"] = Conditions(ready: false),
                ["containerStatuses"] = new JsonArray(ContainerStatus(container, Terminated(code, reason, started), id: created.ID)),
            });
        }
        catch (OperationCanceledException) when (work.Stop.IsCancellationRequested)
        {
            // Deleted while starting.
        }
#pragma warning disable CA1031 // A pod the stand-in could not run is reported on the pod, as a kubelet would.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Journal.Enqueue($"{ns}/{work.Name}: {e.Message}");
            await Quietly(() => PatchStatusAsync(work, new JsonObject
            {
                ["containerStatuses"] = new JsonArray(ContainerStatus(container, new JsonObject
                {
                    ["waiting"] = new JsonObject { ["reason"] = "CreateContainerError", ["message"] = e.Message },
                })),
            }));
        }
    }

    /// <summary>The image on the engine, pulled from its registry when missing; else ErrImagePull, then ImagePullBackOff, as a kubelet reports.</summary>
    private async Task<bool> EnsureImageAsync(PodWork work, V1Container container)
    {
        if (await DockerEngine.HasImageAsync(_docker, container.Image, work.Stop.Token))
        {
            return true;
        }

        try
        {
            await DockerEngine.PullAsync(_docker, ImageName.Parse(container.Image), null, null, work.Stop.Token);
            return true;
        }
        catch (Exception e) when (e is DockerApiException or InvalidOperationException or ArgumentException or HttpRequestException)
        {
            var message = $"Failed to pull image \"{container.Image}\": {e.Message.Trim()}";
            Journal.Enqueue($"{work.Namespace}/{work.Name}: {message}");
            await PatchStatusAsync(work, new JsonObject
            {
                ["containerStatuses"] = new JsonArray(ContainerStatus(container, new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "ErrImagePull", ["message"] = message } })),
            });
            await Task.Delay(TimeSpan.FromSeconds(1), work.Stop.Token);
            await PatchStatusAsync(work, new JsonObject
            {
                ["containerStatuses"] = new JsonArray(ContainerStatus(container, new JsonObject
                {
                    ["waiting"] = new JsonObject { ["reason"] = "ImagePullBackOff", ["message"] = $"Back-off pulling image \"{container.Image}\"" },
                })),
            });
            return false;
        }
    }

    private static JsonObject Terminated(int code, string reason, string started) => new()
    {
        ["terminated"] = new JsonObject
        {
            ["exitCode"] = code,
            ["reason"] = reason,
            ["startedAt"] = started,
            ["finishedAt"] = TimeProvider.System.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        },
    };

    private static JsonObject ContainerStatus(V1Container container, JsonObject state, bool ready = false, string? id = null)
    {
        var status = new JsonObject
        {
            ["name"] = container.Name,
            ["image"] = container.Image,
            ["imageID"] = "",
            ["ready"] = ready,
            ["restartCount"] = 0,
            ["state"] = state,
        };
        if (id is not null)
        {
            status["containerID"] = $"docker://{id}";
        }

        return status;
    }

    private static JsonArray Conditions(bool ready)
    {
        var now = TimeProvider.System.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        return new JsonArray(
            new JsonObject { ["type"] = "PodScheduled", ["status"] = "True", ["lastTransitionTime"] = now },
            new JsonObject { ["type"] = "Initialized", ["status"] = "True", ["lastTransitionTime"] = now },
            new JsonObject { ["type"] = "Ready", ["status"] = ready ? "True" : "False", ["lastTransitionTime"] = now },
            new JsonObject { ["type"] = "ContainersReady", ["status"] = ready ? "True" : "False", ["lastTransitionTime"] = now });
    }

    private async Task PatchStatusAsync(PodWork work, JsonObject status)
    {
        var patch = new JsonObject { ["status"] = status };
        await _kube.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), work.Name, work.Namespace);
    }

    private async Task Quietly(Func<Task> call)
    {
        try
        {
            await call();
        }
#pragma warning disable CA1031 // Best effort: the object may be gone already.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Journal.Enqueue($"ignored: {e.Message}");
        }
    }

    /// <summary>Stops playing the node, removes it from the cluster, and removes the containers it started.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _watch;
        foreach (var work in _pods.Values)
        {
            await work.Stop.CancelAsync();
            await work.Run.ContinueWith(_ => { }, TaskScheduler.Default);
            if (work.ContainerId is { } id)
            {
                await Quietly(() => _docker.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true }));
            }
        }

        await Quietly(() => _kube.CoreV1.DeleteNodeAsync(Name));
        if (_logs is not null)
        {
            await _logs.DisposeAsync();
        }

        _stop.Dispose();
    }
}
