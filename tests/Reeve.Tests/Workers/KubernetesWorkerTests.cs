using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Reeve.Core.Logs;
using Reeve.Core.States;

namespace Reeve.Tests.Workers;

/// <summary>
/// The kubernetes worker against a real API server, with the suite's node agent (a STAND-IN FOR THE KUBELET) running
/// the pods on the private Docker engine: each test starts <c>reeve worker start</c> for a kubernetes pool, and the
/// flow is the RepoInfo example in an image built at deploy time.
/// </summary>
public sealed class KubernetesWorkerTests(KubernetesFixture fixture) : IClassFixture<KubernetesFixture>
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task ADeployedImage_RunsToCompletedInAJob_ItsLinesInTheRunsLogs_AndTheApiKeyOnlyInASecretTheJobOwns()
    {
        TestEnvironment.RequireKubernetes();
        await using var worker = await StartWorkerAsync();
        var run = await fixture.CreateRunAsync();

        var ended = await fixture.Server.Client.WaitForEndAsync(run, RunLimit);

        Assert.True(ended.StateType == StateType.Completed, Explain(ended, worker));
        var logs = await LogsAsync(run);
        Assert.Contains(logs, l => l.Message == "Stars 🌠 : 17234");
        Assert.Contains(logs, l => l.Message.StartsWith("Created Job " + fixture.Namespace + "/", StringComparison.Ordinal));
        Assert.StartsWith(fixture.Namespace + ":", ended.InfrastructurePid, StringComparison.Ordinal);

        var (jobs, _) = await fixture.LeftOfAsync(run);
        var job = Assert.Single(jobs);
        Assert.Equal(ended.InfrastructurePid, $"{job.Metadata.NamespaceProperty}:{job.Metadata.Name}");
        Assert.StartsWith(ended.Name + "-", job.Metadata.Name, StringComparison.Ordinal);
        Assert.Equal(600, job.Spec.TtlSecondsAfterFinished);
        Assert.Equal(0, job.Spec.BackoffLimit);
        var env = job.Spec.Template.Spec.Containers[0].Env;
        var key = Assert.Single(env, e => e.Name == "REEVE_API_KEY");
        Assert.Null(key.Value);
        Assert.DoesNotContain(KubernetesFixture.ApiKey, KubernetesJson.Serialize(job), StringComparison.Ordinal);
        var secret = await fixture.Kube.CoreV1.ReadNamespacedSecretAsync(key.ValueFrom.SecretKeyRef.Name, fixture.Namespace);
        Assert.Equal(job.Metadata.Uid, Assert.Single(secret.Metadata.OwnerReferences).Uid);
        await worker.WaitForLineAsync("exited cleanly");
    }

    /// <summary>The server's own workers, as <c>reeve server start</c> composes them, on the suite's cluster.</summary>
    private Reeve.Workers.ServerPools ServerWorkers(Client.ReeveClient logs, string? journal = null, TextWriter? output = null) =>
        new(new Client.ReeveClientOptions { ApiUrl = fixture.Server.ApiUrl, ApiKey = KubernetesFixture.ApiKey }, new Reeve.Workers.ServerPoolsOptions
        {
            Infrastructure = type => type == "kubernetes"
                ? new Reeve.Workers.Kubernetes.KubernetesInfrastructure(new Reeve.Workers.Kubernetes.KubernetesInfrastructureOptions
                {
                    Kubeconfig = TestEnvironment.Kubeconfig,
                    RunEnvironment = run => new Dictionary<string, string>
                    {
                        ["REEVE_API_URL"] = fixture.Server.ApiUrl,
                        ["REEVE_API_KEY"] = KubernetesFixture.ApiKey,
                        ["REEVE_FLOW_RUN_ID"] = run.Id.ToString(),
                    },
                    RunLog = (run, level, message) => logs.CreateLogsAsync([new LogCreate
                    {
                        Name = "reeve.worker", Level = level, Message = message, Timestamp = TimeProvider.System.GetUtcNow(), FlowRunId = run.Id,
                    }]),
                    Output = TextWriter.Null,
                    Error = TextWriter.Null,
                })
                : null,
            Rescan = TimeSpan.FromMilliseconds(200),
            HeartbeatInterval = TimeSpan.FromSeconds(1),
            JournalFolder = journal,
            Output = output ?? TextWriter.Null,
        });

    [Fact]
    public async Task AKubernetesPushPool_HasItsRunSubmittedByTheServer_AsAJob_WithNoWorkerStarted()
    {
        TestEnvironment.RequireKubernetes();
        var pool = Names.Unique("k8s-push");
        await fixture.CreatePoolAsync(pool, "kubernetes:push");
        using var logs = new Client.ReeveClient(new Client.ReeveClientOptions { ApiUrl = fixture.Server.ApiUrl, ApiKey = KubernetesFixture.ApiKey });
        await using var server = ServerWorkers(logs);

        var run = await fixture.CreateRunAsync(pool: pool);
        var ended = await fixture.Server.Client.WaitForEndAsync(run, RunLimit);

        Assert.True(ended.StateType == StateType.Completed, $"{ended.StateName}: {ended.State?.Message}\n--- node agent ---\n{string.Join('\n', fixture.Node.Journal)}");
        Assert.Contains(await LogsAsync(run), l => l.Message == "Stars 🌠 : 17234");
        Assert.StartsWith(fixture.Namespace + ":", ended.InfrastructurePid, StringComparison.Ordinal);
        Assert.Single((await fixture.LeftOfAsync(run)).Jobs);
        Assert.StartsWith("Reeve push worker", Assert.Single(await fixture.Server.Client.FilterWorkersAsync(pool)).Name, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AKubernetesPushPoolsWorker_RestartedWithItsJournal_TakesBackItsJobInFlight_AndStopsItWhenTheRunIsCancelled()
    {
        TestEnvironment.RequireKubernetes();
        var pool = Names.Unique("k8s-push-restart");
        await fixture.CreatePoolAsync(pool, "kubernetes:push");
        using var logs = new Client.ReeveClient(new Client.ReeveClientOptions { ApiUrl = fixture.Server.ApiUrl, ApiKey = KubernetesFixture.ApiKey });
        var journal = Directory.CreateTempSubdirectory("reeve-push-journal-").FullName;
        Guid run;
        string pid;
        await using (var first = ServerWorkers(logs, journal))
        {
            run = await fixture.CreateRunAsync(repository: "slow/hangs", pool: pool);
            pid = (await fixture.Server.Client.WaitForStateAsync(run, StateType.Running, RunLimit)).InfrastructurePid!;
        }

        var output = new SignallingWriter(" again");
        await using var second = ServerWorkers(logs, journal, output);
        await output.Said.WaitAsync(RunLimit);
        await fixture.Server.Client.SetFlowRunStateAsync(run, new StateCreate { Type = StateType.Cancelling });
        var ended = await fixture.Server.Client.WaitForEndAsync(run, RunLimit);

        Assert.Equal(StateType.Cancelled, ended.StateType);
        Assert.Equal(pid, ended.InfrastructurePid);
        Assert.Contains($"Following kubernetes:push infrastructure {pid} of flow run", output.ToString(), StringComparison.Ordinal);
        var lines = await LogsAsync(run);
        Assert.True(lines.Any(l => l.Message.StartsWith($"Following Job {pid.Replace(':', '/')}", StringComparison.Ordinal)), string.Join('\n', lines.Select(l => l.Message)));
    }

    [Fact]
    public async Task ProvisioningAKubernetesPushPool_MakesANarrowAccount_IsIdempotent_AndItsRunsCompleteWithThatAccountAlone()
    {
        TestEnvironment.RequireKubernetes();
        var pool = Names.Unique("k8s-provisioned");
        var ns = Names.Unique("push").ToLowerInvariant().Replace('_', '-');
        var cli = fixture.Cli();

        var first = await cli.RunAsync("work-pool", "create", pool, "--type", "kubernetes:push", "--provision-infra", "--yes", "--namespace", ns);

        Assert.True(first.ExitCode == 0, first.ToString());
        foreach (var line in new[] { $"Created namespace {ns}", "Created service account reeve-push", "Created role reeve-push and its binding",
            "Created token reeve-push-token", $"Created Kubernetes credentials {pool}-cluster", "Infrastructure successfully provisioned!", $"Created work pool '{pool}'!" })
        {
            Assert.Contains(line, first.Out, StringComparison.Ordinal);
        }

        var role = await fixture.Kube.RbacAuthorizationV1.ReadNamespacedRoleAsync("reeve-push", ns);
        Assert.Equal(KubernetesJson.Serialize(DocumentedRole().Rules), KubernetesJson.Serialize(role.Rules));

        var again = await cli.RunAsync("work-pool", "create", pool, "--type", "kubernetes:push", "--provision-infra", "--yes", "--namespace", ns);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.DoesNotContain("Created", again.Out, StringComparison.Ordinal);
        Assert.Contains($"Work pool '{pool}' already exists; left as it is", again.Out, StringComparison.Ordinal);
        Assert.Single(await fixture.Server.Client.FilterCredentialsAsync(), c => c.Name == $"{pool}-cluster");

        // The server's worker has no kubeconfig of its own: the pool's cluster_config (the provisioned account) is all it uses.
        var client = new Client.ReeveClientOptions { ApiUrl = fixture.Server.ApiUrl, ApiKey = KubernetesFixture.ApiKey };
        await using var server = new Reeve.Workers.ServerPools(client, new Reeve.Workers.ServerPoolsOptions
        {
            Infrastructure = type => type == "kubernetes"
                ? new Reeve.Workers.Kubernetes.KubernetesInfrastructure(new Reeve.Workers.Kubernetes.KubernetesInfrastructureOptions
                {
                    Kubeconfig = "/nonexistent/kubeconfig",
                    RunEnvironment = run => new Dictionary<string, string>
                    {
                        ["REEVE_API_URL"] = client.ApiUrl,
                        ["REEVE_API_KEY"] = KubernetesFixture.ApiKey,
                        ["REEVE_FLOW_RUN_ID"] = run.Id.ToString(),
                    },
                    Output = TextWriter.Null,
                    Error = TextWriter.Null,
                })
                : null,
            Rescan = TimeSpan.FromMilliseconds(200),
            HeartbeatInterval = TimeSpan.FromSeconds(1),
        });
        var run = await fixture.CreateRunAsync(pool: pool);
        var ended = await fixture.Server.Client.WaitForEndAsync(run, RunLimit);

        Assert.True(ended.StateType == StateType.Completed, $"{ended.StateName}: {ended.State?.Message}\n--- node agent ---\n{string.Join('\n', fixture.Node.Journal)}");
        Assert.StartsWith(ns + ":", ended.InfrastructurePid, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProvisioningRefusedAtThePrompt_CreatesNothing()
    {
        TestEnvironment.RequireKubernetes();
        var pool = Names.Unique("k8s-declined");
        var ns = Names.Unique("declined").ToLowerInvariant().Replace('_', '-');
        using var process = fixture.Cli().Start(["work-pool", "create", pool, "--type", "kubernetes:push", "--provision-infra", "--namespace", ns], redirectInput: true);
        await process.StandardInput.WriteLineAsync("n");
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(1, process.ExitCode);
        Assert.Contains($"Create the namespace {ns}", output, StringComparison.Ordinal);
        Assert.Contains("Proceed with infrastructure provisioning? [y/n]", output, StringComparison.Ordinal);
        Assert.Contains("nothing was created", output, StringComparison.Ordinal);
        var found = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => fixture.Kube.CoreV1.ReadNamespaceAsync(ns));
        Assert.Equal(HttpStatusCode.NotFound, found.Response.StatusCode);
        await Assert.ThrowsAsync<Client.ReeveApiException>(() => fixture.Server.Client.ReadWorkPoolAsync(pool));
    }

    [Fact]
    public async Task AnImageThatCannotBePulled_EndsTheRunCrashed_NamingTheImage_AndLeavesNoJob()
    {
        TestEnvironment.RequireKubernetes();
        await using var worker = await StartWorkerAsync();
        var image = $"{TestEnvironment.Registry}/no-such-image:{Guid.NewGuid().ToString("N")[..8]}";
        var run = await fixture.CreateRunAsync(new JsonObject { ["image"] = image });

        var ended = await fixture.Server.Client.WaitForEndAsync(run, RunLimit);

        Assert.True(ended.StateType == StateType.Crashed, Explain(ended, worker));
        Assert.Contains($"The image '{image}'", ended.State!.Message, StringComparison.Ordinal);
        Assert.Contains("could not be pulled (ImagePullBackOff)", ended.State.Message, StringComparison.Ordinal);
        var left = await fixture.WaitUntilGoneAsync(run, TimeSpan.FromSeconds(60));
        Assert.True(left.Jobs.Count == 0 && left.Pods.Count == 0, Explain(ended, worker));
    }

    [Fact]
    public async Task APodThatCannotBeScheduled_IsReportedWithTheSchedulersReason_AndEndsCrashedAfterThePodStartTimeout()
    {
        TestEnvironment.RequireKubernetes();
        await using var worker = await StartWorkerAsync();
        var run = await fixture.CreateRunAsync(new JsonObject { ["cpu_request"] = "64", ["pod_watch_timeout_seconds"] = 8 });

        var ended = await fixture.Server.Client.WaitForEndAsync(run, RunLimit);

        Assert.True(ended.StateType == StateType.Crashed, Explain(ended, worker));
        Assert.Contains("did not start within 8 s (pod_watch_timeout_seconds)", ended.State!.Message, StringComparison.Ordinal);
        Assert.Contains("Insufficient cpu", ended.State.Message, StringComparison.Ordinal);
        var logs = await LogsAsync(run);
        Assert.Contains(logs, l => l.Message.Contains("is not running yet: it cannot be scheduled (Unschedulable)", StringComparison.Ordinal));
        var left = await fixture.WaitUntilGoneAsync(run, TimeSpan.FromSeconds(60));
        Assert.True(left.Jobs.Count == 0 && left.Pods.Count == 0, Explain(ended, worker));
    }

    [Fact]
    public async Task AContainerThatExitsWithCode3_EndsTheRunCrashed_SayingSo_WithThePodsLastLines()
    {
        TestEnvironment.RequireKubernetes();
        await using var worker = await StartWorkerAsync();
        var run = await fixture.CreateRunAsync(new JsonObject { ["command"] = "sh -c 'echo about to fail; exit 3'" });

        var ended = await fixture.Server.Client.WaitForEndAsync(run, RunLimit);

        Assert.True(ended.StateType == StateType.Crashed, Explain(ended, worker));
        Assert.Contains("exited with code 3", ended.State!.Message, StringComparison.Ordinal);
        Assert.Contains("BackoffLimitExceeded", ended.State.Message, StringComparison.Ordinal);
        var logs = await LogsAsync(run);
        Assert.Contains(logs, l => l.Message.StartsWith("The last lines of pod", StringComparison.Ordinal) && l.Message.Contains("about to fail", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnEvictedPod_EndsTheRunCrashed_SayingItWasEvicted()
    {
        TestEnvironment.RequireKubernetes();
        await using var worker = await StartWorkerAsync();
        var run = await fixture.CreateRunAsync(repository: "slow/hangs");
        await fixture.Server.Client.WaitForStateAsync(run, StateType.Running, RunLimit);
        var pod = Assert.Single((await fixture.LeftOfAsync(run)).Pods);

        await fixture.Node.EvictAsync(fixture.Namespace, pod.Metadata.Name);
        var ended = await fixture.Server.Client.WaitForEndAsync(run, RunLimit);

        Assert.True(ended.StateType == StateType.Crashed, Explain(ended, worker));
        Assert.Contains($"The pod {pod.Metadata.Name} of Job", ended.State!.Message, StringComparison.Ordinal);
        Assert.Contains("was evicted: The node was low on resource: memory", ended.State.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WatchConnectionsCutMidRun_DoNotCrashTheRun_TheWorkerWatchesAgain_AndTheRunCompletes()
    {
        TestEnvironment.RequireKubernetes();
        var admin = KubernetesClientConfiguration.LoadKubeConfig(TestEnvironment.Kubeconfig!);
        var server = new Uri(admin.Clusters.First().ClusterEndpoint.Server);
        await using var proxy = TcpProxy.Start(new IPEndPoint(IPAddress.Loopback, server.Port));
        var kubeconfig = Path.Combine(Path.GetTempPath(), $"reeve-proxy-{Guid.NewGuid():N}.kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, (await File.ReadAllTextAsync(TestEnvironment.Kubeconfig!)).Replace($"https://127.0.0.1:{server.Port}", $"https://127.0.0.1:{proxy.Port}", StringComparison.Ordinal));
        try
        {
            await using var worker = await StartWorkerAsync(kubeconfig);
            // The stand-in answers this repository after 8 s: the run is RUNNING, watched, when the cut comes.
            var run = await fixture.CreateRunAsync(repository: "slow/answers");
            await fixture.Server.Client.WaitForStateAsync(run, StateType.Running, RunLimit);

            Assert.True(proxy.CutAll() > 0, "the worker held no connection to the API server");
            var ended = await fixture.Server.Client.WaitForEndAsync(run, RunLimit);

            Assert.True(ended.StateType == StateType.Completed, Explain(ended, worker));
            await worker.WaitForLineAsync("exited cleanly");
            Assert.Contains("Lost the watch of the", worker.Output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }

    [Fact]
    public async Task CancellingARunningJobRun_DeletesTheJob_EndsTheRunCancelled_AndLeavesNoJobAndNoPod()
    {
        TestEnvironment.RequireKubernetes();
        await using var worker = await StartWorkerAsync();
        var run = await fixture.CreateRunAsync(repository: "slow/hangs");
        await fixture.Server.Client.WaitForStateAsync(run, StateType.Running, RunLimit);
        Assert.Single((await fixture.LeftOfAsync(run)).Pods);

        var cancel = await fixture.Cli().RunAsync("flow-run", "cancel", run.ToString());
        Assert.True(cancel.ExitCode == 0, cancel.ToString());
        var ended = await fixture.Server.Client.WaitForEndAsync(run, RunLimit);

        Assert.True(ended.StateType == StateType.Cancelled, Explain(ended, worker));
        var left = await fixture.WaitUntilGoneAsync(run, TimeSpan.FromSeconds(60));
        Assert.True(left.Jobs.Count == 0 && left.Pods.Count == 0, $"left: {left.Jobs.Count} Jobs, {left.Pods.Count} pods\n{Explain(ended, worker)}");
    }

    [Fact]
    public async Task AWorkerThatDies_DoesNotKillItsRun_WhichCompletesInItsJob()
    {
        TestEnvironment.RequireKubernetes();
        var worker = await StartWorkerAsync();
        // The stand-in answers this repository after 8 s: the run is RUNNING in its pod when the worker dies.
        var run = await fixture.CreateRunAsync(repository: "slow/answers");
        await fixture.Server.Client.WaitForStateAsync(run, StateType.Running, RunLimit);

        await worker.KillAloneAsync();
        await worker.DisposeAsync();
        var ended = await fixture.Server.Client.WaitForEndAsync(run, RunLimit);

        Assert.True(ended.StateType == StateType.Completed, $"{ended.StateName}: {ended.State?.Message}");
    }

    [Fact]
    public async Task APodKilledWhileItsWorkerIsGone_EndsItsRunCrashed_ByTheServersHeartbeatWatch()
    {
        TestEnvironment.RequireKubernetes();
        var worker = await StartWorkerAsync();
        var run = await fixture.CreateRunAsync(repository: "slow/hangs");
        await fixture.Server.Client.WaitForStateAsync(run, StateType.Running, RunLimit);
        await worker.KillAloneAsync();
        await worker.DisposeAsync();

        // The node loses the pod's process (SIGKILL: the engine cannot say anything); nobody follows the Job.
        var pod = Assert.Single((await fixture.LeftOfAsync(run)).Pods);
        var containers = await fixture.Docker.Containers.ListContainersAsync(new Docker.DotNet.Models.ContainersListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"io.reeve.test.node-agent.pod-uid={pod.Metadata.Uid}"] = true } },
        });
        await fixture.Docker.Containers.KillContainerAsync(Assert.Single(containers).ID, new Docker.DotNet.Models.ContainerKillParameters { Signal = "KILL" });
        var ended = await fixture.Server.Client.WaitForEndAsync(run, RunLimit);

        Assert.True(ended.StateType == StateType.Crashed, $"{ended.StateName}: {ended.State?.Message}");
    }

    [Fact]
    public async Task UnderRbac_TheDocumentedRoleIsEnough_AndANarrowerOneGetsAClearError()
    {
        TestEnvironment.RequireKubernetes();
        var role = DocumentedRole();
        await fixture.Kube.RbacAuthorizationV1.CreateNamespacedRoleAsync(role, fixture.Namespace);
        await BindAsync(role.Metadata.Name, "reeve-worker");
        var narrow = DocumentedRole();
        narrow.Metadata.Name = "reeve-worker-without-jobs-create";
        narrow.Rules.Single(r => r.Resources.Contains("jobs")).Verbs.Remove("create");
        await fixture.Kube.RbacAuthorizationV1.CreateNamespacedRoleAsync(narrow, fixture.Namespace);
        await BindAsync(narrow.Metadata.Name, "reeve-narrow");

        var allowed = Names.Unique("k8s-rbac");
        await fixture.CreatePoolAsync(allowed);
        await using (var worker = await StartWorkerAsync(TestEnvironment.WorkerKubeconfig, allowed))
        {
            var run = await fixture.CreateRunAsync(pool: allowed);
            var ended = await fixture.Server.Client.WaitForEndAsync(run, RunLimit);
            Assert.True(ended.StateType == StateType.Completed, Explain(ended, worker));
        }

        var refused = Names.Unique("k8s-narrow");
        await fixture.CreatePoolAsync(refused);
        await using (var worker = await StartWorkerAsync(TestEnvironment.NarrowKubeconfig, refused))
        {
            var run = await fixture.CreateRunAsync(pool: refused);
            var ended = await fixture.Server.Client.WaitForEndAsync(run, RunLimit);
            Assert.True(ended.StateType == StateType.Crashed, Explain(ended, worker));
            Assert.Contains($"Kubernetes refused to create the Job in namespace '{fixture.Namespace}'", ended.State!.Message, StringComparison.Ordinal);
            Assert.Contains("User \"reeve-narrow\" cannot create resource \"jobs\"", ended.State.Message, StringComparison.Ordinal);
        }
    }

    private static V1Role DocumentedRole()
    {
        var path = Path.Combine(KubernetesFixture.RepositoryRoot(), "deploy", "kubernetes", "base", "worker-role.yaml");
        return KubernetesYaml.LoadAllFromString(File.ReadAllText(path)).OfType<V1Role>().Single();
    }

    private async Task BindAsync(string role, string user) =>
        await fixture.Kube.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = $"{role}-{user}" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = role },
            Subjects = [new Rbacv1Subject { Kind = "User", Name = user, ApiGroup = "rbac.authorization.k8s.io" }],
        }, fixture.Namespace);

    private async Task<RunningCommand> StartWorkerAsync(string? kubeconfig = null, string? pool = null)
    {
        var worker = RunningCommand.Start(fixture.Cli(kubeconfig), "worker", "start", "--pool", pool ?? fixture.Pool);
        await worker.WaitForLineAsync("started!");
        return worker;
    }

    private async Task<IReadOnlyList<Log>> LogsAsync(Guid run) =>
        await fixture.Server.Client.FilterLogsAsync(new LogFilterRequest { Logs = new() { FlowRunId = new() { Any = [run] } } });

    private string Explain(Core.FlowRuns.FlowRun ended, RunningCommand worker) =>
        $"{ended.StateName}: {ended.State?.Message}\n--- worker ---\n{worker.Output}\n--- node agent ---\n{string.Join('\n', fixture.Node.Journal)}";
}
