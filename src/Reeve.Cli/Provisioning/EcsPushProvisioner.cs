using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Reeve.Client;
using Reeve.Core.Credentials;
using Reeve.Workers.Docker;
using Reeve.Workers.Ecs;

namespace Reeve.Cli.Provisioning;

/// <summary>
/// An <c>ecs:push</c> pool's infrastructure, made with the CLI user's own AWS credentials (AWS_ACCESS_KEY_ID and its
/// siblings, else the shared credentials file), as Prefect's ECS provisioner makes it: an IAM user for the server with a
/// policy of what running tasks takes, an access key of that user stored as aws-credentials (which the pool's
/// <c>aws_credentials</c> refers to), a task execution role (to pull from ECR and write logs), an ECS cluster, the
/// account's default VPC for the tasks' network, and an ECR repository, logged in to as <c>docker login</c> would and
/// made the default Docker build namespace. Every step finds what exists first, so a second run makes nothing twice.
/// IAM, EC2 and STS are called on the Query protocol, ECS and ECR on JSON 1.1; <c>AWS_ENDPOINT_URL</c> (and
/// <c>AWS_ENDPOINT_URL_&lt;SERVICE&gt;</c>) move them, as for AWS's own tools.
/// </summary>
internal sealed class EcsPushProvisioner(string pool, ProvisioningOptions options, CliContext context) : Provisioner
{
    public const string User = "reeve-ecs-user";
    public const string Policy = "reeve-ecs-policy";
    public const string ExecutionRole = "reeve-ecs-task-execution-role";
    public const string Cluster = "reeve-ecs-cluster";
    public const string Repository = "reeve-flows";

    private const string EcsTarget = "AmazonEC2ContainerServiceV20141113";
    private const string EcrTarget = "AmazonEC2ContainerRegistry_V20150921";
    private const string IamVersion = "2010-05-08";

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(60) };

    private AwsApi? _api;
    private string? _account;
    private string? _executionRoleArn;
    private string? _vpc;
    private string? _registry;
    private Guid? _credentials;

    private string CredentialsName => $"{pool}-push-pool-credentials";

    private AwsCredentials UserCredentials => (_api ??= new AwsApi(Http, LoadCredentials(), TimeProvider.System)).Credentials;

    private string Region => UserCredentials.Region;

    public override IReadOnlyList<string> Plan =>
    [
        $"Updates in your AWS account ({Region}, with access key {UserCredentials.AccessKeyId})",
        $"    - Create an IAM user for the server: {User}",
        $"    - Create the IAM policy {Policy} (run and follow ECS tasks, read the VPC, pass the execution role) and attach it",
        $"    - Create an access key for {User}",
        $"    - Create the task execution role {ExecutionRole} (pull from ECR, write logs)",
        $"    - Create the ECS cluster {Cluster}",
        "    - Use the account's default VPC for the tasks' network",
        $"    - Create the ECR repository {Repository}, log in to it (kept as docker login keeps it)",
        "Updates in Reeve",
        $"    - Create AWS credentials {CredentialsName} to store the access key",
        "    - Set the default Docker build namespace to the ECR registry",
    ];

    public override IReadOnlyList<ProvisioningStep> Steps =>
    [
        new("Reading the AWS account", ReadAccountAsync),
        new("Creating IAM user", CreateUserAsync),
        new("Creating IAM policy", CreatePolicyAsync),
        new("Creating AWS credentials", StoreCredentialsAsync),
        new("Creating task execution role", CreateExecutionRoleAsync),
        new("Creating ECS cluster", CreateClusterAsync),
        new("Finding the VPC", FindVpcAsync),
        new("Creating ECR repository", CreateRepositoryAsync),
        new("Logging in to ECR", LogInAsync),
        new("Setting default Docker build namespace", SetNamespaceAsync),
    ];

    public override JsonObject Template() => TemplateWith("ecs:push", new Dictionary<string, JsonNode>
    {
        ["aws_credentials"] = Reference(_credentials ?? throw new InvalidOperationException("The credentials step has not run.")),
        ["cluster"] = JsonValue.Create(Cluster),
        ["vpc_id"] = JsonValue.Create(_vpc ?? throw new InvalidOperationException("The VPC step has not run.")),
        ["execution_role_arn"] = JsonValue.Create(_executionRoleArn ?? throw new InvalidOperationException("The role step has not run.")),
    });

    /// <summary>What the server's user may do: Prefect's ECS policy's actions, and passing the execution role to ECS.</summary>
    internal string PolicyDocument => new JsonObject
    {
        ["Version"] = "2012-10-17",
        ["Statement"] = new JsonArray(
            new JsonObject
            {
                ["Sid"] = "ReeveEcsTasks",
                ["Effect"] = "Allow",
                ["Action"] = new JsonArray(
                    "ec2:DescribeSubnets", "ec2:DescribeVpcs", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups",
                    "ecs:DescribeClusters", "ecs:ListClusters", "ecs:RegisterTaskDefinition", "ecs:DeregisterTaskDefinition",
                    "ecs:DescribeTaskDefinition", "ecs:ListTaskDefinitions", "ecs:RunTask", "ecs:DescribeTasks", "ecs:ListTasks",
                    "ecs:StopTask", "ecs:TagResource", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:GetLogEvents"),
                ["Resource"] = "*",
            },
            new JsonObject
            {
                ["Sid"] = "ReeveEcsPassExecutionRole",
                ["Effect"] = "Allow",
                ["Action"] = "iam:PassRole",
                ["Resource"] = $"arn:aws:iam::{_account}:role/{ExecutionRole}",
            }),
    }.ToJsonString();

    private AwsCredentials LoadCredentials()
    {
        var home = context.Environment("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var credentials = AwsCredentials.FromEnvironment(context.Environment, home)
            ?? throw new CliException("No AWS credentials to provision with: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE for ~/.aws/credentials.");
        return options.Region is { Length: > 0 } region ? credentials with { Region = region } : credentials;
    }

    private AwsApi Api => _api ??= new AwsApi(Http, LoadCredentials(), TimeProvider.System);

    private AwsService Service(string id, string regular, string signingName, string? signingRegion = null) =>
        new(id, AwsService.EndpointFor(id, regular, context.Environment), signingName, signingRegion);

    private AwsService Iam => Service("IAM", "https://iam.amazonaws.com/", "iam", "us-east-1");

    private AwsService Sts => Service("STS", $"https://sts.{Region}.amazonaws.com/", "sts");

    private AwsService Ec2 => Service("EC2", $"https://ec2.{Region}.amazonaws.com/", "ec2");

    private AwsService Ecs => Service("ECS", $"https://ecs.{Region}.amazonaws.com/", "ecs");

    private AwsService Ecr => Service("ECR", $"https://api.ecr.{Region}.amazonaws.com/", "ecr");

    /// <summary>A call whose refusal ends the command in one line; <paramref name="missing"/> names the error codes that mean "not there" (null is returned).</summary>
    private static async Task<T?> CallAsync<T>(Func<Task<T>> call, params string[] missing)
        where T : class
    {
        try
        {
            return await call();
        }
        catch (AwsException e) when (e.Code is not null && missing.Contains(e.Code))
        {
            return null;
        }
        catch (AwsException e)
        {
            throw new CliException(e.Message);
        }
    }

    private Task<XElement?> IamAsync(string action, Dictionary<string, string> parameters, params string[] missing) =>
        CallAsync(() => Api.QueryAsync(Iam, action, IamVersion, parameters, retry: true, CancellationToken.None), missing);

    private static string? Value(XElement? answer, string name) => answer?.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

    private async Task<string> ReadAccountAsync(CancellationToken ct)
    {
        var identity = await CallAsync(() => Api.QueryAsync(Sts, "GetCallerIdentity", "2011-06-15", [], retry: true, ct));
        _account = Value(identity, "Account") ?? throw new CliException("STS answered GetCallerIdentity without the account.");
        return $"AWS account {_account} ({Value(identity, "Arn")}), region {Region}";
    }

    private async Task<string> CreateUserAsync(CancellationToken ct)
    {
        if (await IamAsync("GetUser", new() { ["UserName"] = User }, "NoSuchEntity") is not null)
        {
            return $"IAM user {User} exists";
        }

        await IamAsync("CreateUser", new() { ["UserName"] = User });
        return $"Created IAM user {User}";
    }

    private async Task<string> CreatePolicyAsync(CancellationToken ct)
    {
        var arn = $"arn:aws:iam::{_account}:policy/{Policy}";
        var said = $"IAM policy {Policy} exists";
        if (await IamAsync("GetPolicy", new() { ["PolicyArn"] = arn }, "NoSuchEntity") is null)
        {
            arn = Value(await IamAsync("CreatePolicy", new() { ["PolicyName"] = Policy, ["PolicyDocument"] = PolicyDocument }), "Arn") ?? arn;
            said = $"Created IAM policy {Policy}";
        }

        // Attaching what is attached already changes nothing.
        await IamAsync("AttachUserPolicy", new() { ["UserName"] = User, ["PolicyArn"] = arn });
        return $"{said}, attached to {User}";
    }

    private async Task<string> StoreCredentialsAsync(CancellationToken ct)
    {
        using var client = context.CreateClient();
        try
        {
            _credentials = (await client.ReadCredentialsAsync("aws-credentials", CredentialsName, ct)).Id;
            return $"AWS credentials {CredentialsName} exist";
        }
        catch (ReeveApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            var key = await IamAsync("CreateAccessKey", new() { ["UserName"] = User });
            _credentials = (await client.CreateCredentialsAsync(new CredentialsCreate
            {
                Type = "aws-credentials",
                Name = CredentialsName,
                Data = new JsonObject
                {
                    ["aws_access_key_id"] = Value(key, "AccessKeyId") ?? throw new CliException("IAM created an access key without its id."),
                    ["aws_secret_access_key"] = Value(key, "SecretAccessKey") ?? throw new CliException("IAM created an access key without its secret."),
                    ["region_name"] = Region,
                },
            }, ct)).Id;
            return $"Created an access key for {User}, stored as AWS credentials {CredentialsName}";
        }
    }

    private async Task<string> CreateExecutionRoleAsync(CancellationToken ct)
    {
        var role = await IamAsync("GetRole", new() { ["RoleName"] = ExecutionRole }, "NoSuchEntity");
        var said = $"Task execution role {ExecutionRole} exists";
        if (role is null)
        {
            var trust = new JsonObject
            {
                ["Version"] = "2012-10-17",
                ["Statement"] = new JsonArray(new JsonObject
                {
                    ["Effect"] = "Allow",
                    ["Principal"] = new JsonObject { ["Service"] = "ecs-tasks.amazonaws.com" },
                    ["Action"] = "sts:AssumeRole",
                }),
            };
            role = await IamAsync("CreateRole", new() { ["RoleName"] = ExecutionRole, ["AssumeRolePolicyDocument"] = trust.ToJsonString() });
            said = $"Created task execution role {ExecutionRole}";
        }

        _executionRoleArn = Value(role, "Arn") ?? $"arn:aws:iam::{_account}:role/{ExecutionRole}";
        await IamAsync("AttachRolePolicy", new() { ["RoleName"] = ExecutionRole, ["PolicyArn"] = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy" });
        return said;
    }

    private async Task<string> CreateClusterAsync(CancellationToken ct)
    {
        var found = await CallAsync(() => Api.JsonAsync(Ecs, EcsTarget, "DescribeClusters", new JsonObject { ["clusters"] = new JsonArray(Cluster) }, retry: true, ct));
        if ((found?["clusters"] as JsonArray ?? []).Any(c => c?["status"]?.GetValue<string>() == "ACTIVE"))
        {
            return $"ECS cluster {Cluster} exists";
        }

        await CallAsync(() => Api.JsonAsync(Ecs, EcsTarget, "CreateCluster", new JsonObject { ["clusterName"] = Cluster }, retry: true, ct));
        return $"Created ECS cluster {Cluster}";
    }

    /// <summary>The account's default VPC (a first step: making a VPC of Reeve's own, as Prefect does when there is none, is not done yet).</summary>
    private async Task<string> FindVpcAsync(CancellationToken ct)
    {
        var vpcs = await CallAsync(() => Api.QueryAsync(Ec2, "DescribeVpcs", "2016-11-15",
            [new("Filter.1.Name", "isDefault"), new("Filter.1.Value.1", "true")], retry: true, ct));
        _vpc = Value(vpcs, "vpcId")
            ?? throw new CliException($"The account has no default VPC in {Region}: create one (aws ec2 create-default-vpc), or set the pool's vpc_id and network_configuration yourself.");
        return $"Using the default VPC {_vpc}";
    }

    private async Task<string> CreateRepositoryAsync(CancellationToken ct)
    {
        var found = await CallAsync(() => Api.JsonAsync(Ecr, EcrTarget, "DescribeRepositories",
            new JsonObject { ["repositoryNames"] = new JsonArray(Repository) }, retry: true, ct), "RepositoryNotFoundException");
        if (found?["repositories"] is JsonArray { Count: > 0 } repositories)
        {
            _registry = RegistryOf(repositories[0]?["repositoryUri"]?.GetValue<string>());
            return $"ECR repository {Repository} exists";
        }

        var created = await CallAsync(() => Api.JsonAsync(Ecr, EcrTarget, "CreateRepository",
            new JsonObject { ["repositoryName"] = Repository, ["imageScanningConfiguration"] = new JsonObject { ["scanOnPush"] = true } }, retry: true, ct));
        _registry = RegistryOf(created?["repository"]?["repositoryUri"]?.GetValue<string>());
        return $"Created ECR repository {Repository}";
    }

    private string RegistryOf(string? uri) => uri is { Length: > 0 } ? uri.Split('/')[0] : $"{_account}.dkr.ecr.{Region}.amazonaws.com";

    /// <summary>ECR's authorization token is a login AWS has already checked: it is kept as <c>docker login</c> keeps one (it lasts 12 hours).</summary>
    private async Task<string> LogInAsync(CancellationToken ct)
    {
        var answer = await CallAsync(() => Api.JsonAsync(Ecr, EcrTarget, "GetAuthorizationToken", [], retry: true, ct));
        var token = answer?["authorizationData"]?[0]?["authorizationToken"]?.GetValue<string>()
            ?? throw new CliException("ECR answered GetAuthorizationToken without a token.");
        string login;
        try
        {
            login = Encoding.UTF8.GetString(Convert.FromBase64String(token));
        }
        catch (FormatException)
        {
            throw new CliException("ECR's authorization token is not base64.");
        }

        var colon = login.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw new CliException("ECR's authorization token is not USER:PASSWORD.");
        }

        try
        {
            await RegistryLogins.KeepAsync(_registry!, login[..colon], login[(colon + 1)..], RegistryLogins.ConfigPath(context.Environment), context.Environment, ct);
        }
        catch (InvalidOperationException e)
        {
            throw new CliException(e.Message);
        }

        return $"Logged in to {_registry} (kept in {RegistryLogins.ConfigPath(context.Environment)}; ECR logins last 12 hours)";
    }

    private Task<string> SetNamespaceAsync(CancellationToken ct)
    {
        var path = ReeveSettings.ProfilePath(context.HomeFolder);
        var profile = ReeveSettings.ReadProfile(path);
        profile[ReeveSettings.DefaultDockerBuildNamespaceKey] = _registry!;
        ReeveSettings.WriteProfile(path, profile);
        return Task.FromResult(string.Create(CultureInfo.InvariantCulture, $"Default Docker build namespace: {_registry} (deploy with --image {Repository} to push to the repository)"));
    }
}
