using System.Text.Json.Nodes;
using Reeve.Client;
using Reeve.Core.Credentials;
using Reeve.Core.Deployments;
using Reeve.Core.Flows;
using Reeve.Core.FlowRuns;
using Reeve.Core.States;
using Reeve.Core.WorkPools;
using Reeve.Testing;
using Reeve.Testing.Cloud;
using Reeve.Workers;
using Reeve.Workers.ContainerInstances;

namespace Reeve.Tests.Workers;

/// <summary>
/// An <c>aci:push</c> pool run by the server's own worker (<see cref="ServerPools"/>, as <c>reeve server start</c>
/// composes it) against a STAND-IN of Azure (<see cref="AzureStandIn"/>: Microsoft Entra ID's token endpoint and Azure
/// Resource Manager's container groups, written from Microsoft's references, over HTTPS on loopback; no cloud is
/// reachable here). The stand-in's "container" does what the Reeve engine in the image would: it reads the run's
/// settings from the group's environment variables and reports the run's states to the server.
/// </summary>
public sealed class AciPushPoolTests : IAsyncLifetime
{
    private RunningServer _server = null!;
    private AzureStandIn _azure = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await RunningServer.StartAsync(TestStorage.Sqlite, realClock: true);
        _azure = await AzureStandIn.StartAsync();
        _azure.Execute = RunAsTheEngineAsync;
    }

    public async ValueTask DisposeAsync()
    {
        await _azure.DisposeAsync();
        await _server.DisposeAsync();
    }

    /// <summary>What the engine in the image does: RUNNING, then COMPLETED, reported with the settings the group's environment holds.</summary>
    private async Task<(int, string?)> RunAsTheEngineAsync(JsonObject body, CancellationToken cancellationToken)
    {
        var (api, run) = Settings(body);
        using var engine = new ReeveClient(new ReeveClientOptions { ApiUrl = api });
        await engine.SetFlowRunStateAsync(run, new StateCreate { Type = StateType.Running }, cancellationToken: cancellationToken);
        await engine.SetFlowRunStateAsync(run, new StateCreate { Type = StateType.Completed }, cancellationToken: cancellationToken);
        return (0, "Completed");
    }

    private static Dictionary<string, JsonObject> Environment(JsonObject body) =>
        body["properties"]!["containers"]![0]!["properties"]!["environmentVariables"]!.AsArray()
            .ToDictionary(e => e!["name"]!.GetValue<string>(), e => e!.AsObject());

    private static (string Api, Guid Run) Settings(JsonObject body)
    {
        var env = Environment(body);
        return (env["REEVE_API_URL"]["value"]!.GetValue<string>(), Guid.Parse(env["REEVE_FLOW_RUN_ID"]["value"]!.GetValue<string>()));
    }

    private ServerPools ServerWorkers(string? journal = null, TextWriter? output = null) =>
        new(new ReeveClientOptions { ApiUrl = _server.ApiUrl }, new ServerPoolsOptions
        {
            Infrastructure = type => type == "aci"
                ? new ContainerInstanceInfrastructure(new ContainerInstanceInfrastructureOptions
                {
                    Endpoints = new AzureEndpoints
                    {
                        AuthorityHost = new Uri(_azure.Url),
                        ResourceManager = new Uri(_azure.Url),
                        Graph = new Uri(_azure.Url),
                        TrustedCertificate = _azure.Certificate,
                    },
                    RunEnvironment = run => new Dictionary<string, string>
                    {
                        ["REEVE_API_URL"] = _server.ApiUrl,
                        ["REEVE_API_KEY"] = "reeve-key-kept-secure",
                        ["REEVE_FLOW_RUN_ID"] = run.Id.ToString(),
                    },
                    PollInterval = TimeSpan.FromMilliseconds(50),
                })
                : null,
            Rescan = TimeSpan.FromMilliseconds(200),
            HeartbeatInterval = TimeSpan.FromSeconds(1),
            JournalFolder = journal,
            Output = output ?? TextWriter.Null,
        });

    /// <summary>An aci:push pool whose runs use the stand-in's service principal (stored as azure-container-instance-credentials), and a deployment on it.</summary>
    private async Task<Guid> DeploymentAsync(string? secret = null, string resourceGroup = "reeve-aci", bool keep = false, int startTimeout = 240)
    {
        var pool = Names.Unique("aci");
        await _server.Client.CreateWorkPoolAsync(new WorkPoolCreate { Name = pool, Type = "aci:push" });
        var credentials = await _server.Client.CreateCredentialsAsync(new CredentialsCreate
        {
            Name = $"{pool}-principal",
            Type = "azure-container-instance-credentials",
            Data = new JsonObject
            {
                ["tenant_id"] = _azure.Runner.TenantId,
                ["client_id"] = _azure.Runner.ClientId,
                ["client_secret"] = secret ?? _azure.Runner.ClientSecret,
            },
        });
        if (resourceGroup != "reeve-aci")
        {
            _azure.Put(_azure.ResourceGroupId(resourceGroup), new JsonObject { ["location"] = "westeurope", ["properties"] = new JsonObject() });
        }

        var flow = await _server.Client.CreateFlowAsync(new FlowCreate { Name = "get-repo-info" });
        var deployment = await _server.Client.CreateDeploymentAsync(new DeploymentCreate
        {
            Name = pool,
            FlowId = flow.Id,
            Entrypoint = "RepoInfo.csproj:RepoInfo.RepoInfoFlows.GetRepoInfo",
            WorkPoolName = pool,
            JobVariables = new JsonObject
            {
                ["image"] = "reeveflows.azurecr.io/flows/repo-info:1",
                ["subscription_id"] = _azure.SubscriptionId,
                ["resource_group_name"] = resourceGroup,
                ["aci_credentials"] = new JsonObject { ["$ref"] = new JsonObject { ["block_document_id"] = credentials.Id.ToString() } },
                ["labels"] = new JsonObject { ["team"] = "data-platform" },
                ["task_watch_poll_interval"] = 0.05,
                ["keep_container_group"] = keep,
                ["task_start_timeout_seconds"] = startTimeout,
            },
        });
        return deployment.Id;
    }

    private async Task<Guid> RunAsync(Guid deployment) =>
        (await _server.Client.CreateFlowRunFromDeploymentAsync(deployment, new DeploymentFlowRunCreate())).Id;

    [Fact]
    public async Task ARunOfAnAciPushPool_IsAContainerGroupCreatedFollowedAndDeleted_WithTheRunsSettings_AndCompletes()
    {
        var deployment = await DeploymentAsync();
        await using var workers = ServerWorkers();

        var run = await RunAsync(deployment);
        var ended = await _server.Client.WaitForEndAsync(run, TimeSpan.FromMinutes(1));

        Assert.True(ended.StateType == StateType.Completed, $"{ended.StateName}: {ended.State?.Message}\n{string.Join('\n', _azure.Journal)}");
        var (id, body) = Assert.Single(_azure.Created);
        Assert.StartsWith($"/subscriptions/{_azure.SubscriptionId}/resourceGroups/reeve-aci/providers/Microsoft.ContainerInstance/containerGroups/", id, StringComparison.Ordinal);
        Assert.EndsWith(run.ToString(), id, StringComparison.Ordinal);
        Assert.Equal(id, ended.InfrastructurePid, StringComparer.OrdinalIgnoreCase);
        Assert.Equal("westeurope", body["location"]!.GetValue<string>());
        var container = body["properties"]!["containers"]![0]!["properties"]!;
        Assert.Equal("reeveflows.azurecr.io/flows/repo-info:1", container["image"]!.GetValue<string>());
        Assert.Equal(1.0, container["resources"]!["requests"]!["cpu"]!.GetValue<double>());
        Assert.Equal(1.0, container["resources"]!["requests"]!["memoryInGB"]!.GetValue<double>());
        Assert.Null(container["command"]);
        Assert.Equal("Never", body["properties"]!["restartPolicy"]!.GetValue<string>());
        Assert.Equal("Linux", body["properties"]!["osType"]!.GetValue<string>());
        var env = Environment(body);
        Assert.Equal("reeve-key-kept-secure", env["REEVE_API_KEY"]["secureValue"]!.GetValue<string>());
        Assert.Null(env["REEVE_API_KEY"]["value"]);
        Assert.Equal(run.ToString(), body["tags"]!["io.reeve.flow-run-id"]!.GetValue<string>());
        Assert.Equal("data-platform", body["tags"]!["team"]!.GetValue<string>());
        await WaitForAsync(() => _azure.Deleted.Contains(id, StringComparer.OrdinalIgnoreCase));
        Assert.Empty(_azure.ResourcesOfType("Microsoft.ContainerInstance/containerGroups"));
    }

    [Fact]
    public async Task AContainerThatFails_EndsTheRunCrashed_WithItsExitCodeAndReason()
    {
        var deployment = await DeploymentAsync();
        _azure.Execute = (_, _) => Task.FromResult((3, (string?)"Error"));
        await using var workers = ServerWorkers();

        var ended = await _server.Client.WaitForEndAsync(await RunAsync(deployment), TimeSpan.FromMinutes(1));

        Assert.Equal(StateType.Crashed, ended.StateType);
        Assert.Contains("terminated with exit code 3 (Error)", ended.State!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AGroupWhoseImageCannotBePulled_EndsTheRunCrashed_WithAcisEvent()
    {
        var deployment = await DeploymentAsync();
        _azure.FailProvisioning = "Failed to pull image \"reeveflows.azurecr.io/flows/repo-info:1\": unauthorized: authentication required";
        await using var workers = ServerWorkers();

        var ended = await _server.Client.WaitForEndAsync(await RunAsync(deployment), TimeSpan.FromMinutes(1));

        Assert.Equal(StateType.Crashed, ended.StateType);
        Assert.Contains("failed to provision: Failed to pull image", ended.State!.Message, StringComparison.Ordinal);
        await WaitForAsync(() => !_azure.Deleted.IsEmpty);
    }

    [Fact]
    public async Task AGroupNeverProvisioned_EndsTheRunCrashedAfterTheStartTimeout_AndIsDeleted()
    {
        var deployment = await DeploymentAsync(startTimeout: 1);
        _azure.NeverProvision = true;
        await using var workers = ServerWorkers();

        var ended = await _server.Client.WaitForEndAsync(await RunAsync(deployment), TimeSpan.FromMinutes(1));

        Assert.Equal(StateType.Crashed, ended.StateType);
        Assert.Contains("did not start within 1 s (task_start_timeout_seconds); provisioning state Pending", ended.State!.Message, StringComparison.Ordinal);
        await WaitForAsync(() => !_azure.Deleted.IsEmpty);
    }

    [Fact]
    public async Task AnAuthorizationFailure_EndsTheRunCrashed_InOneLineNamingTheAction_AndCreatesNothing()
    {
        var deployment = await DeploymentAsync(resourceGroup: "locked-rg");
        _azure.DeniedResourceGroups["locked-rg"] = true;
        await using var workers = ServerWorkers();

        var ended = await _server.Client.WaitForEndAsync(await RunAsync(deployment), TimeSpan.FromMinutes(1));

        Assert.Equal(StateType.Crashed, ended.StateType);
        Assert.Contains("AuthorizationFailed: The client", ended.State!.Message, StringComparison.Ordinal);
        Assert.Contains("'Microsoft.ContainerInstance/containerGroups/write'", ended.State.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ended.State.Message!);
        Assert.Empty(_azure.Created);
    }

    [Fact]
    public async Task Throttling_IsRetriedAfterRetryAfter_AndTheRunCompletesWithOneGroup()
    {
        var deployment = await DeploymentAsync();
        _azure.Throttles = 2;
        await using var workers = ServerWorkers();

        var ended = await _server.Client.WaitForEndAsync(await RunAsync(deployment), TimeSpan.FromMinutes(1));

        Assert.True(ended.StateType == StateType.Completed, $"{ended.StateName}: {ended.State?.Message}");
        Assert.Single(_azure.Created);
        Assert.Equal(0, _azure.Throttles);
    }

    [Fact]
    public async Task AWrongClientSecret_EndsTheRunCrashed_SayingTheTokenWasRefused_InOneLine()
    {
        var deployment = await DeploymentAsync(secret: "not-the-secret");
        await using var workers = ServerWorkers();

        var ended = await _server.Client.WaitForEndAsync(await RunAsync(deployment), TimeSpan.FromMinutes(1));

        Assert.Equal(StateType.Crashed, ended.StateType);
        Assert.Contains("Microsoft Entra ID refused a token", ended.State!.Message, StringComparison.Ordinal);
        Assert.Contains("AADSTS7000215", ended.State.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ended.State.Message!);
        Assert.DoesNotContain("not-the-secret", ended.State.Message, StringComparison.Ordinal);
        Assert.Empty(_azure.Created);
    }

    [Fact]
    public async Task CancellingARunningRun_DeletesItsContainerGroup_AndTheRunEndsCancelled()
    {
        var deployment = await DeploymentAsync();
        _azure.Execute = async (body, ct) =>
        {
            var (api, id) = Settings(body);
            using var engine = new ReeveClient(new ReeveClientOptions { ApiUrl = api });
            await engine.SetFlowRunStateAsync(id, new StateCreate { Type = StateType.Running }, cancellationToken: ct);
            await Task.Delay(Timeout.Infinite, ct);
            return (0, null);
        };
        await using var workers = ServerWorkers();
        var run = await RunAsync(deployment);
        await _server.Client.WaitForStateAsync(run, StateType.Running, TimeSpan.FromMinutes(1));

        await _server.Client.SetFlowRunStateAsync(run, new StateCreate { Type = StateType.Cancelling });
        var ended = await _server.Client.WaitForEndAsync(run, TimeSpan.FromMinutes(1));

        Assert.Equal(StateType.Cancelled, ended.StateType);
        Assert.Single(_azure.Deleted);
        Assert.Empty(_azure.ResourcesOfType("Microsoft.ContainerInstance/containerGroups"));
    }

    [Fact]
    public async Task RestartedWithItsJournal_TheServersWorker_FollowsTheContainerGroupAgain_AndReportsItsEnd()
    {
        // The group is kept: the first workers' follow of it goes on in this process after they stop (a real restart ends
        // the process), and must not delete the group under the second.
        var deployment = await DeploymentAsync(keep: true);
        var finish = new TaskCompletionSource<(int, string?)>(TaskCreationOptions.RunContinuationsAsynchronously);
        _azure.Execute = async (body, ct) =>
        {
            var (api, id) = Settings(body);
            using var engine = new ReeveClient(new ReeveClientOptions { ApiUrl = api });
            await engine.SetFlowRunStateAsync(id, new StateCreate { Type = StateType.Running }, cancellationToken: ct);
            return await finish.Task;
        };
        var journal = Directory.CreateTempSubdirectory("reeve-push-journal-").FullName;
        Guid run;
        await using (var first = ServerWorkers(journal))
        {
            run = await RunAsync(deployment);
            await _server.Client.WaitForStateAsync(run, StateType.Running, TimeSpan.FromMinutes(1));
        }

        var output = new SignallingWriter(" again");
        await using var second = ServerWorkers(journal, output);
        await output.Said.WaitAsync(TimeSpan.FromMinutes(1));
        finish.SetResult((137, "OOMKilled"));
        var ended = await _server.Client.WaitForEndAsync(run, TimeSpan.FromMinutes(1));

        Assert.Equal(StateType.Crashed, ended.StateType);
        Assert.Contains("exit code 137 (OOMKilled)", ended.State!.Message, StringComparison.Ordinal);
        Assert.Single(_azure.Created);
        Assert.Empty(_azure.Deleted);
    }

    /// <summary>The reeve CLI signed in to the stand-in as its admin principal, trusting its certificate through SSL_CERT_FILE.</summary>
    private CliProcess ProvisioningCli()
    {
        var cli = new CliProcess(_server.ApiUrl);
        var pem = Path.Combine(cli.Home, "stand-in.pem");
        File.WriteAllText(pem, _azure.CertificatePem());
        cli.Environment["SSL_CERT_FILE"] = pem;
        cli.Environment["AZURE_AUTHORITY_HOST"] = _azure.Url;
        cli.Environment["REEVE_AZURE_RESOURCE_MANAGER_ENDPOINT"] = _azure.Url;
        cli.Environment["REEVE_AZURE_GRAPH_ENDPOINT"] = _azure.Url;
        cli.Environment["AZURE_TENANT_ID"] = _azure.Admin.TenantId;
        cli.Environment["AZURE_CLIENT_ID"] = _azure.Admin.ClientId;
        cli.Environment["AZURE_CLIENT_SECRET"] = _azure.Admin.ClientSecret;
        cli.Environment["AZURE_SUBSCRIPTION_ID"] = _azure.SubscriptionId;

        // Docker's logins go to the command's own folder, never the machine's ~/.docker.
        cli.Environment["DOCKER_CONFIG"] = Path.Combine(cli.Home, "docker");
        return cli;
    }

    private static string RoleAssignment(JsonObject? assignment) =>
        assignment?["properties"]?["roleDefinitionId"]?.GetValue<string>().Split('/')[^1] ?? "";

    [Fact]
    public async Task ProvisioningAnAciPushPool_MakesEachAzurePiece_StoresTheCredentials_AndItsRunsComplete()
    {
        var pool = Names.Unique("aci-provisioned");
        var cli = ProvisioningCli();

        var created = await cli.RunAsync("work-pool", "create", pool, "--type", "aci:push", "--provision-infra", "--yes");

        Assert.True(created.ExitCode == 0, $"{created}\n--- stand-in ---\n{string.Join('\n', _azure.Journal)}");
        foreach (var line in new[] { "Created resource group reeve-aci-push-pool-rg in eastus", "Created app registration and service principal for reeve-aci-push-pool-app",
            $"created ACI credentials {pool}-push-pool-credentials", "Assigned Contributor on reeve-aci-push-pool-rg", "Created registry reeve",
            "Docker logs in to reeve", "Assigned AcrPush on reeve", "Created identity reeve-acr-identity and gave it AcrPull",
            "Infrastructure successfully provisioned!", $"Created work pool '{pool}'!" })
        {
            Assert.Contains(line, created.Out, StringComparison.Ordinal);
        }

        var group = _azure.ResourceGroupId("reeve-aci-push-pool-rg");
        Assert.Equal("eastus", _azure.Resource(group)!["location"]!.GetValue<string>());
        var app = Assert.Single(_azure.Applications.Values);
        var principal = Assert.Single(_azure.ServicePrincipals.Values);
        Assert.Equal(app["appId"]!.GetValue<string>(), principal["appId"]!.GetValue<string>());
        Assert.Single(_azure.Passwords);
        var assignments = _azure.ResourcesOfType("Microsoft.Authorization/roleAssignments").Select(_azure.Resource).ToList();
        Assert.Contains(assignments, a => RoleAssignment(a) == "b24988ac-6180-42a0-ab88-20f7382dd24c"
            && a!["properties"]!["principalId"]!.GetValue<string>() == principal["id"]!.GetValue<string>()
            && a["id"]!.GetValue<string>().StartsWith(group + "/providers/", StringComparison.OrdinalIgnoreCase));
        var registry = Assert.Single(_azure.ResourcesOfType("Microsoft.ContainerRegistry/registries"));
        var identity = Assert.Single(_azure.ResourcesOfType("Microsoft.ManagedIdentity/userAssignedIdentities"));
        Assert.Contains(assignments, a => RoleAssignment(a) == "7f951dda-4ed3-4680-a7ca-43fe172d538d"
            && a!["id"]!.GetValue<string>().StartsWith(registry + "/providers/", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(assignments, a => RoleAssignment(a) == "8311e382-0749-4cb8-b61a-304f252e45ec"
            && a!["properties"]!["principalId"]!.GetValue<string>() == principal["id"]!.GetValue<string>()
            && a["id"]!.GetValue<string>().StartsWith(registry + "/providers/", StringComparison.OrdinalIgnoreCase));

        // Docker is logged in to the registry as the service principal, with the one secret made (reeve deploy --image pushes with it).
        var loginServer = $"{registry.Split('/')[^1]}.azurecr.io";
        var dockerConfig = JsonNode.Parse(File.ReadAllText(Path.Combine(cli.Home, "docker", "config.json")))!;
        var login = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(dockerConfig["auths"]![loginServer]!["auth"]!.GetValue<string>()));
        Assert.Equal($"{app["appId"]!.GetValue<string>()}:{_azure.Principals[app["appId"]!.GetValue<string>()].ClientSecret}", login);
        var variables = (await _server.Client.ReadWorkPoolAsync(pool)).BaseJobTemplate!["variables"]!["properties"]!;
        Assert.Equal("reeve-aci-push-pool-rg", variables["resource_group_name"]!["default"]!.GetValue<string>());
        Assert.Equal(_azure.SubscriptionId, variables["subscription_id"]!["default"]!.GetValue<string>());
        Assert.NotNull(variables["aci_credentials"]!["default"]!["$ref"]);
        Assert.Equal(identity, variables["identities"]!["default"]![0]!.GetValue<string>(), StringComparer.OrdinalIgnoreCase);
        Assert.EndsWith(".azurecr.io", variables["image_registry"]!["default"]!["registry_url"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain(_azure.Principals[app["appId"]!.GetValue<string>()].ClientSecret, created.Out + created.Error, StringComparison.Ordinal);

        var again = await cli.RunAsync("work-pool", "create", pool, "--type", "aci:push", "--provision-infra", "--yes");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.DoesNotContain("Created", again.Out, StringComparison.Ordinal);
        Assert.Single(_azure.Applications);
        Assert.Single(_azure.Passwords);

        // A run of the provisioned pool is created with the new service principal, in the provisioned resource group.
        var flow = await _server.Client.CreateFlowAsync(new FlowCreate { Name = "get-repo-info" });
        var deployment = await _server.Client.CreateDeploymentAsync(new DeploymentCreate
        {
            Name = pool,
            FlowId = flow.Id,
            Entrypoint = "RepoInfo.csproj:RepoInfo.RepoInfoFlows.GetRepoInfo",
            WorkPoolName = pool,
            JobVariables = new JsonObject { ["image"] = $"{registry.Split('/')[^1]}.azurecr.io/repo-info:1", ["task_watch_poll_interval"] = 0.05 },
        });
        await using var workers = ServerWorkers();
        var ended = await _server.Client.WaitForEndAsync(await RunAsync(deployment.Id), TimeSpan.FromMinutes(1));
        Assert.True(ended.StateType == StateType.Completed, $"{ended.StateName}: {ended.State?.Message}");
        var body = Assert.Single(_azure.Created).Value;
        Assert.Equal(identity, body["identity"]!["userAssignedIdentities"]!.AsObject().Single().Key, StringComparer.OrdinalIgnoreCase);
        Assert.Equal(identity, body["properties"]!["imageRegistryCredentials"]![0]!["identity"]!.GetValue<string>(), StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ProvisioningRefusedHalfway_SaysSoInOneLine_AndTheRunAfterTheFix_FinishesWithoutMakingAnythingTwice()
    {
        var pool = Names.Unique("aci-halfway");
        var cli = ProvisioningCli();
        _azure.DeniedTypes["Microsoft.Authorization/roleAssignments"] = true;

        var refused = await cli.RunAsync("work-pool", "create", pool, "--type", "aci:push", "--provision-infra", "--yes", "--resource-group", "reeve-halfway", "--region", "westeurope");

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("AuthorizationFailed", refused.Error, StringComparison.Ordinal);
        Assert.Contains("'Microsoft.Authorization/roleAssignments/write'", refused.Error, StringComparison.Ordinal);
        Assert.Single(refused.Error.Trim().Split('\n'));
        await Assert.ThrowsAsync<ReeveApiException>(() => _server.Client.ReadWorkPoolAsync(pool));

        _azure.DeniedTypes.Clear();
        var finished = await cli.RunAsync("work-pool", "create", pool, "--type", "aci:push", "--provision-infra", "--yes", "--resource-group", "reeve-halfway", "--region", "westeurope");

        Assert.True(finished.ExitCode == 0, finished.ToString());
        foreach (var line in new[] { "Resource group reeve-halfway exists (in westeurope)", "App registration reeve-aci-push-pool-app", "and its service principal exist",
            $"ACI credentials {pool}-push-pool-credentials exist", "Assigned Contributor on reeve-halfway", $"Created work pool '{pool}'!" })
        {
            Assert.Contains(line, finished.Out, StringComparison.Ordinal);
        }

        Assert.Single(_azure.Applications);
        Assert.Single(_azure.ServicePrincipals);
        Assert.Single(_azure.Passwords);
        Assert.Single(await _server.Client.FilterCredentialsAsync(), c => c.Name == $"{pool}-push-pool-credentials");
        Assert.Equal("westeurope", _azure.Resource(_azure.ResourceGroupId("reeve-halfway"))!["location"]!.GetValue<string>());
    }

    [Fact]
    public async Task ProvisioningWithoutAzureCredentials_FailsInOneLine_NamingTheVariables()
    {
        var cli = ProvisioningCli();
        cli.Environment["AZURE_CLIENT_SECRET"] = null;

        var result = await cli.RunAsync("work-pool", "create", Names.Unique("aci-nocreds"), "--type", "aci:push", "--provision-infra", "--yes");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("AZURE_CLIENT_SECRET is not set", result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Trim().Split('\n'));
        Assert.Empty(_azure.Applications);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
