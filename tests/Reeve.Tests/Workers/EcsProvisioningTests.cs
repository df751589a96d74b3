using System.Text.Json.Nodes;
using Reeve.Client;
using Reeve.Core.Deployments;
using Reeve.Core.Flows;
using Reeve.Core.States;
using Reeve.Testing.Cloud;
using Reeve.Workers;
using Reeve.Workers.Ecs;

namespace Reeve.Tests.Workers;

/// <summary>
/// <c>reeve work-pool create --type ecs:push --provision-infra</c> against a STAND-IN of AWS (<see cref="EcsStandIn"/>:
/// IAM, STS, EC2, ECS and ECR on one loopback endpoint, which <c>AWS_ENDPOINT_URL</c> points the CLI at, every request's
/// signature checked; no cloud is reachable here), with the user's key in AWS_ACCESS_KEY_ID as AWS's tools take it.
/// </summary>
public sealed class EcsProvisioningTests : IAsyncLifetime
{
    private RunningServer _server = null!;
    private EcsStandIn _aws = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await RunningServer.StartAsync(TestStorage.Sqlite, realClock: true);
        _aws = await EcsStandIn.StartAsync();
        _aws.Execute = async (request, ct) =>
        {
            // What the engine in the image does: RUNNING, then COMPLETED, with the settings of its container's environment.
            var env = request["overrides"]!["containerOverrides"]![0]!["environment"]!.AsArray()
                .ToDictionary(e => e!["name"]!.GetValue<string>(), e => e!["value"]!.GetValue<string>());
            using var engine = new ReeveClient(new ReeveClientOptions { ApiUrl = env["REEVE_API_URL"] });
            var run = Guid.Parse(env["REEVE_FLOW_RUN_ID"]);
            await engine.SetFlowRunStateAsync(run, new StateCreate { Type = StateType.Running }, cancellationToken: ct);
            await engine.SetFlowRunStateAsync(run, new StateCreate { Type = StateType.Completed }, cancellationToken: ct);
            return (0, null);
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _aws.DisposeAsync();
        await _server.DisposeAsync();
    }

    private CliProcess Cli()
    {
        var cli = new CliProcess(_server.ApiUrl);
        cli.Environment["AWS_ACCESS_KEY_ID"] = _aws.Key.Id;
        cli.Environment["AWS_SECRET_ACCESS_KEY"] = _aws.Key.Secret;
        cli.Environment["AWS_SESSION_TOKEN"] = null;
        cli.Environment["AWS_PROFILE"] = null;
        cli.Environment["AWS_REGION"] = null;
        cli.Environment["AWS_DEFAULT_REGION"] = null;
        cli.Environment["AWS_ENDPOINT_URL"] = _aws.Url;
        foreach (var service in new[] { "IAM", "STS", "EC2", "ECS", "ECR" })
        {
            cli.Environment[$"AWS_ENDPOINT_URL_{service}"] = null;
        }

        cli.Environment["HOME"] = cli.Home;
        cli.Environment["DOCKER_CONFIG"] = Path.Combine(cli.Home, "docker");
        return cli;
    }

    private const string User = "reeve-ecs-user";
    private const string Policy = "reeve-ecs-policy";
    private const string ExecutionRole = "reeve-ecs-task-execution-role";
    private const string Cluster = "reeve-ecs-cluster";
    private const string Repository = "reeve-flows";

    private int CallsOf(string call) => _aws.Calls.Count(c => c == call);

    [Fact]
    public async Task ProvisioningAnEcsPushPool_MakesTheUserKeyRoleClusterAndRepository_AndItsRunsComplete_AndARerunMakesNothingTwice()
    {
        var cli = Cli();
        var pool = Names.Unique("ecs-provisioned");

        var created = await cli.RunAsync("work-pool", "create", pool, "--type", "ecs:push", "--provision-infra", "--yes");

        Assert.True(created.ExitCode == 0, created.ToString());
        foreach (var line in new[] { $"AWS account {_aws.Account}", $"Created IAM user {User}", $"Created IAM policy {Policy}, attached to {User}",
            $"stored as AWS credentials {pool}-push-pool-credentials", $"Created task execution role {ExecutionRole}", $"Created ECS cluster {Cluster}",
            $"Using the default VPC {_aws.DefaultVpc}", $"Created ECR repository {Repository}", $"Logged in to {_aws.RegistryHost}",
            $"Default Docker build namespace: {_aws.RegistryHost}", "Infrastructure successfully provisioned!", $"Created work pool '{pool}'!" })
        {
            Assert.Contains(line, created.Out, StringComparison.Ordinal);
        }

        var key = Assert.Single(_aws.AccessKeys);
        Assert.Equal(User, key.Value);
        Assert.Contains($"user:{User}|arn:aws:iam::{_aws.Account}:policy/{Policy}", _aws.Attached.Keys);
        Assert.Contains("iam:PassRole", _aws.Policies.Values.Single(), StringComparison.Ordinal);
        Assert.Contains("ecs-tasks.amazonaws.com", _aws.Roles[ExecutionRole], StringComparison.Ordinal);
        Assert.True(_aws.Clusters.ContainsKey(Cluster));
        Assert.True(_aws.Repositories.ContainsKey(Repository));
        Assert.Equal(_aws.RegistryHost, Client.ReeveSettings.ReadProfile(Client.ReeveSettings.ProfilePath(cli.Home))[Client.ReeveSettings.DefaultDockerBuildNamespaceKey]);
        var dockerConfig = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(cli.Home, "docker", "config.json")))!;
        Assert.Equal(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"AWS:{_aws.RegistryPassword}")), dockerConfig["auths"]![_aws.RegistryHost]!["auth"]!.GetValue<string>());
        Assert.DoesNotContain(_aws.Key.Secret, created.Out + created.Error, StringComparison.Ordinal);
        var variables = (await _server.Client.ReadWorkPoolAsync(pool)).BaseJobTemplate!["variables"]!["properties"]!;
        Assert.NotNull(variables["aws_credentials"]!["default"]!["$ref"]);
        Assert.Equal(Cluster, variables["cluster"]!["default"]!.GetValue<string>());
        Assert.Equal(_aws.DefaultVpc, variables["vpc_id"]!["default"]!.GetValue<string>());
        Assert.Equal($"arn:aws:iam::{_aws.Account}:role/{ExecutionRole}", variables["execution_role_arn"]!["default"]!.GetValue<string>());

        // The pool's runs go to ECS with the provisioned key (which the stand-in knows from its CreateAccessKey).
        await using (var workers = ServerWorkers())
        {
            var flow = await _server.Client.CreateFlowAsync(new FlowCreate { Name = "get-repo-info" });
            var deployment = await _server.Client.CreateDeploymentAsync(new DeploymentCreate
            {
                Name = pool,
                FlowId = flow.Id,
                Entrypoint = "RepoInfo.csproj:RepoInfo.RepoInfoFlows.GetRepoInfo",
                WorkPoolName = pool,
                JobVariables = new JsonObject { ["image"] = $"{_aws.RegistryHost}/{Repository}:1" },
            });
            var run = (await _server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id, new DeploymentFlowRunCreate())).Id;
            var ended = await _server.Client.WaitForEndAsync(run, TimeSpan.FromMinutes(1));
            Assert.True(ended.StateType == StateType.Completed, $"{ended.StateName}: {ended.State?.Message}");
            var request = Assert.Single(_aws.Runs);
            Assert.Equal(Cluster, request["cluster"]!.GetValue<string>());
            Assert.Equal($"arn:aws:iam::{_aws.Account}:role/{ExecutionRole}", _aws.Registered.Single()["executionRoleArn"]!.GetValue<string>());
        }

        var again = await cli.RunAsync("work-pool", "create", pool, "--type", "ecs:push", "--provision-infra", "--yes");

        Assert.True(again.ExitCode == 0, again.ToString());
        foreach (var line in new[] { $"IAM user {User} exists", $"IAM policy {Policy} exists", $"AWS credentials {pool}-push-pool-credentials exist",
            $"Task execution role {ExecutionRole} exists", $"ECS cluster {Cluster} exists", $"ECR repository {Repository} exists" })
        {
            Assert.Contains(line, again.Out, StringComparison.Ordinal);
        }

        foreach (var call in new[] { "iam:CreateUser", "iam:CreatePolicy", "iam:CreateAccessKey", "iam:CreateRole", "ecs:CreateCluster", "ecr:CreateRepository" })
        {
            Assert.True(CallsOf(call) == 1, $"{call}: {CallsOf(call)}");
        }
    }

    [Fact]
    public async Task APermissionRefusedHalfway_EndsInOneLine_CreatesNoPool_AndTheRerunFinishesWithoutMakingAnythingTwice()
    {
        var cli = Cli();
        var pool = Names.Unique("ecs-denied");
        _aws.Denied["ecs:CreateCluster"] = true;

        var denied = await cli.RunAsync("work-pool", "create", pool, "--type", "ecs:push", "--provision-infra", "--yes");

        Assert.Equal(1, denied.ExitCode);
        Assert.Contains("AWS refused ECS CreateCluster: AccessDeniedException: User: arn:aws:iam::123456789012:user/stand-in-user is not authorized to perform: ecs:CreateCluster",
            denied.Error, StringComparison.Ordinal);
        Assert.Single(denied.Error.Trim().Split('\n'));
        await Assert.ThrowsAsync<ReeveApiException>(() => _server.Client.ReadWorkPoolAsync(pool));
        Assert.Single(_aws.AccessKeys);

        _aws.Denied.Clear();
        var again = await cli.RunAsync("work-pool", "create", pool, "--type", "ecs:push", "--provision-infra", "--yes");

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains($"IAM user {User} exists", again.Out, StringComparison.Ordinal);
        Assert.Contains($"AWS credentials {pool}-push-pool-credentials exist", again.Out, StringComparison.Ordinal);
        Assert.Contains($"Created ECS cluster {Cluster}", again.Out, StringComparison.Ordinal);
        Assert.Contains($"Created work pool '{pool}'!", again.Out, StringComparison.Ordinal);
        foreach (var call in new[] { "iam:CreateUser", "iam:CreatePolicy", "iam:CreateAccessKey", "iam:CreateRole", "ecr:CreateRepository" })
        {
            Assert.True(CallsOf(call) == 1, $"{call}: {CallsOf(call)}");
        }
    }

    [Fact]
    public async Task AnAccountWithoutADefaultVpc_GetsAVpcOfItsOwn_WithAGatewaySubnetsRoutesAndASecurityGroup_OnceOnly()
    {
        var cli = Cli();
        var pool = Names.Unique("ecs-own-vpc");
        _aws.RemoveDefaultVpc();
        _aws.Vpcs["vpc-0taken"] = ("172.31.0.0/16", false, "someone-else");

        var created = await cli.RunAsync("work-pool", "create", pool, "--type", "ecs:push", "--provision-infra", "--yes");

        Assert.True(created.ExitCode == 0, created.ToString());
        var (vpc, (cidr, _, _)) = Assert.Single(_aws.Vpcs, v => v.Value.Name == "reeve-ecs-vpc");
        Assert.Equal("172.32.0.0/16", cidr);
        Assert.Equal(vpc, Assert.Single(_aws.Gateways).Value);
        var subnets = _aws.Subnets.Where(s => s.Value == vpc).Select(s => s.Key).Order().ToList();
        Assert.Equal(["172.32.0.0/18", "172.32.128.0/18", "172.32.64.0/18"], subnets.Select(s => _aws.SubnetCidrs[s]).Order());
        var table = Assert.Single(_aws.RouteTables).Value;
        Assert.Equal(_aws.Gateways.Keys.Single(), table.Gateway);
        Assert.Equal(subnets, table.Subnets.Keys.Order());
        var (group, _) = Assert.Single(_aws.SecurityGroups);
        var variables = (await _server.Client.ReadWorkPoolAsync(pool)).BaseJobTemplate!["variables"]!["properties"]!;
        Assert.Equal(vpc, variables["vpc_id"]!["default"]!.GetValue<string>());
        var network = variables["network_configuration"]!["default"]!;
        Assert.Equal(subnets, network["subnets"]!.AsArray().Select(s => s!.GetValue<string>()).Order());
        Assert.Equal(group, network["securityGroups"]![0]!.GetValue<string>());
        Assert.Equal("ENABLED", network["assignPublicIp"]!.GetValue<string>());

        var again = await cli.RunAsync("work-pool", "create", pool, "--type", "ecs:push", "--provision-infra", "--yes");

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains($"VPC reeve-ecs-vpc ({vpc}) exists", again.Out, StringComparison.Ordinal);
        foreach (var call in new[] { "ec2:CreateVpc", "ec2:CreateInternetGateway", "ec2:CreateRouteTable", "ec2:CreateSecurityGroup" })
        {
            Assert.True(CallsOf(call) == 1, $"{call}: {CallsOf(call)}");
        }

        Assert.Equal(3, CallsOf("ec2:CreateSubnet"));
        Assert.Equal(3, CallsOf("ec2:AssociateRouteTable"));
    }

    private ServerPools ServerWorkers() =>
        new(new ReeveClientOptions { ApiUrl = _server.ApiUrl }, new ServerPoolsOptions
        {
            Infrastructure = type => type == "ecs"
                ? new EcsInfrastructure(new EcsInfrastructureOptions
                {
                    EcsEndpoint = new Uri(_aws.Url),
                    Ec2Endpoint = new Uri(_aws.Url),
                    RunEnvironment = run => new Dictionary<string, string> { ["REEVE_API_URL"] = _server.ApiUrl, ["REEVE_FLOW_RUN_ID"] = run.Id.ToString() },
                    PollInterval = TimeSpan.FromMilliseconds(50),
                    Environment = _ => null,
                    Home = null,
                })
                : null,
            Rescan = TimeSpan.FromMilliseconds(200),
            HeartbeatInterval = TimeSpan.FromSeconds(1),
        });
}
