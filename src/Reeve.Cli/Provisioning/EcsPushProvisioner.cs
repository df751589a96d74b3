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
    public const string Vpc = "reeve-ecs-vpc";
    public const string SecurityGroup = "reeve-ecs-security-group";

    private const string EcsTarget = "AmazonEC2ContainerServiceV20141113";
    private const string EcrTarget = "AmazonEC2ContainerRegistry_V20150921";
    private const string IamVersion = "2010-05-08";

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(60) };

    private AwsApi? _api;
    private string? _account;
    private string? _executionRoleArn;
    private string? _vpc;
    private bool _ownVpc;
    private string? _gateway;
    private List<string> _subnets = [];
    private string? _securityGroup;
    private string? _registry;
    private Guid? _credentials;

    private string CredentialsName => $"{pool}-push-pool-credentials";

    private AwsCredentials UserCredentials => Api.Credentials;

    private string Region => UserCredentials.Region;

    public override IReadOnlyList<string> Plan =>
    [
        $"Updates in your AWS account ({Region}, with access key {UserCredentials.AccessKeyId})",
        $"    - Create an IAM user for the server: {User}",
        $"    - Create the IAM policy {Policy} (run and follow ECS tasks, read the VPC, pass the execution role) and attach it",
        $"    - Create an access key for {User}",
        $"    - Create the task execution role {ExecutionRole} (pull from ECR, write logs)",
        $"    - Create the ECS cluster {Cluster}",
        $"    - Use the account's default VPC for the tasks' network; without one, create the VPC {Vpc} (a CIDR apart from the account's others)",
        $"      with an internet gateway, three subnets routed to it, and the security group {SecurityGroup}",
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
        new("Setting up the VPC", FindVpcAsync),
        new("Creating internet gateway", CreateGatewayAsync),
        new("Setting up subnets", CreateSubnetsAsync),
        new("Routing the subnets to the internet", CreateRoutesAsync),
        new("Setting up security group", CreateSecurityGroupAsync),
        new("Creating ECR repository", CreateRepositoryAsync),
        new("Logging in to ECR", LogInAsync),
        new("Setting default Docker build namespace", SetNamespaceAsync),
    ];

    public override JsonObject Template()
    {
        var defaults = new Dictionary<string, JsonNode>
        {
            ["aws_credentials"] = Reference(_credentials ?? throw new InvalidOperationException("The credentials step has not run.")),
            ["cluster"] = JsonValue.Create(Cluster),
            ["vpc_id"] = JsonValue.Create(_vpc ?? throw new InvalidOperationException("The VPC step has not run.")),
            ["execution_role_arn"] = JsonValue.Create(_executionRoleArn ?? throw new InvalidOperationException("The role step has not run.")),
        };
        if (_ownVpc)
        {
            // The VPC Reeve made: its subnets and its security group, with a public IP to reach the registry and the server.
            defaults["network_configuration"] = new JsonObject
            {
                ["subnets"] = new JsonArray([.. _subnets.Select(s => (JsonNode)s)]),
                ["securityGroups"] = new JsonArray(_securityGroup),
                ["assignPublicIp"] = "ENABLED",
            };
        }

        return TemplateWith("ecs:push", defaults);
    }

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

    private Task<XElement?> IamAsync(string action, Dictionary<string, string> parameters, CancellationToken ct, params string[] missing) =>
        CallAsync(() => Api.QueryAsync(Iam, action, IamVersion, parameters, retry: true, ct), missing);

    private static string? Value(XElement? answer, string name) => answer?.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

    private async Task<string> ReadAccountAsync(CancellationToken ct)
    {
        var identity = await CallAsync(() => Api.QueryAsync(Sts, "GetCallerIdentity", "2011-06-15", [], retry: true, ct));
        _account = Value(identity, "Account") ?? throw new CliException("STS answered GetCallerIdentity without the account.");
        return $"AWS account {_account} ({Value(identity, "Arn")}), region {Region}";
    }

    private async Task<string> CreateUserAsync(CancellationToken ct)
    {
        if (await IamAsync("GetUser", new() { ["UserName"] = User }, ct, "NoSuchEntity") is not null)
        {
            return $"IAM user {User} exists";
        }

        await IamAsync("CreateUser", new() { ["UserName"] = User }, ct);
        return $"Created IAM user {User}";
    }

    private async Task<string> CreatePolicyAsync(CancellationToken ct)
    {
        var arn = $"arn:aws:iam::{_account}:policy/{Policy}";
        var said = $"IAM policy {Policy} exists";
        if (await IamAsync("GetPolicy", new() { ["PolicyArn"] = arn }, ct, "NoSuchEntity") is null)
        {
            arn = Value(await IamAsync("CreatePolicy", new() { ["PolicyName"] = Policy, ["PolicyDocument"] = PolicyDocument }, ct), "Arn") ?? arn;
            said = $"Created IAM policy {Policy}";
        }

        // Attaching what is attached already changes nothing.
        await IamAsync("AttachUserPolicy", new() { ["UserName"] = User, ["PolicyArn"] = arn }, ct);
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
            var key = await IamAsync("CreateAccessKey", new() { ["UserName"] = User }, ct);
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
        var role = await IamAsync("GetRole", new() { ["RoleName"] = ExecutionRole }, ct, "NoSuchEntity");
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
            role = await IamAsync("CreateRole", new() { ["RoleName"] = ExecutionRole, ["AssumeRolePolicyDocument"] = trust.ToJsonString() }, ct);
            said = $"Created task execution role {ExecutionRole}";
        }

        _executionRoleArn = Value(role, "Arn") ?? $"arn:aws:iam::{_account}:role/{ExecutionRole}";
        await IamAsync("AttachRolePolicy", new() { ["RoleName"] = ExecutionRole, ["PolicyArn"] = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy" }, ct);
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

    private Task<XElement?> Ec2Async(string action, IEnumerable<KeyValuePair<string, string>> parameters, CancellationToken ct) =>
        CallAsync(() => Api.QueryAsync(Ec2, action, "2016-11-15", parameters, retry: true, ct));

    private static IEnumerable<XElement> Items(XElement? answer, string set) =>
        answer?.Descendants().FirstOrDefault(e => e.Name.LocalName == set)?.Elements().Where(e => e.Name.LocalName == "item") ?? [];

    private static string? Field(XElement item, string name) => item.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

    /// <summary>The account's default VPC, else the VPC Reeve made before (tagged <see cref="Vpc"/>), else a new one whose CIDR overlaps none of the account's.</summary>
    private async Task<string> FindVpcAsync(CancellationToken ct)
    {
        var vpcs = Items(await Ec2Async("DescribeVpcs", [], ct), "vpcSet").ToList();
        if (vpcs.FirstOrDefault(v => Field(v, "isDefault") == "true" && Field(v, "state") == "available") is { } fallback)
        {
            _vpc = Field(fallback, "vpcId");
            return $"Using the default VPC {_vpc}";
        }

        _ownVpc = true;
        if (vpcs.FirstOrDefault(v => Items(v, "tagSet").Any(t => Field(t, "key") == "Name" && Field(t, "value") == Vpc)) is { } made)
        {
            _vpc = Field(made, "vpcId");
            return $"VPC {Vpc} ({_vpc}) exists";
        }

        var cidr = FreeCidr(vpcs.Select(v => Field(v, "cidrBlock")).OfType<string>())
            ?? throw new CliException("No /16 from 172.31.0.0 up is free of the account's VPCs: give the pool's vpc_id and network_configuration yourself.");
        var created = await Ec2Async("CreateVpc", [new("CidrBlock", cidr), new("TagSpecification.1.ResourceType", "vpc"),
            new("TagSpecification.1.Tag.1.Key", "Name"), new("TagSpecification.1.Tag.1.Value", Vpc)], ct);
        _vpc = Value(created, "vpcId") ?? throw new CliException("EC2 created a VPC without giving its id.");
        for (var attempt = 0; attempt < 30 && Value(await Ec2Async("DescribeVpcs", [new("VpcId.1", _vpc)], ct), "state") != "available"; attempt++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }

        return $"Created VPC {Vpc} ({_vpc}, {cidr})";
    }

    /// <summary>The first /16 from 172.31.0.0 up that overlaps none of <paramref name="taken"/>.</summary>
    internal static string? FreeCidr(IEnumerable<string> taken)
    {
        var ranges = taken.Select(Range).OfType<(uint Start, uint End)>().ToList();
        for (var start = Address("172.31.0.0"); start <= Address("172.255.0.0"); start += 1u << 16)
        {
            var end = start + (1u << 16) - 1;
            if (!ranges.Any(r => r.Start <= end && start <= r.End))
            {
                return $"{new System.Net.IPAddress(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(start))}/16";
            }
        }

        return null;
    }

    private static uint Address(string text) => System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(System.Net.IPAddress.Parse(text).GetAddressBytes());

    private static (uint Start, uint End)? Range(string cidr)
    {
        var parts = cidr.Split('/');
        if (parts.Length != 2 || !System.Net.IPAddress.TryParse(parts[0], out var ip) || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var bits) || bits is < 0 or > 32)
        {
            return null;
        }

        var start = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(ip.GetAddressBytes());
        var size = bits == 0 ? uint.MaxValue : (1u << (32 - bits)) - 1;
        return (start, start + size);
    }

    private async Task<string> CreateGatewayAsync(CancellationToken ct)
    {
        if (!_ownVpc)
        {
            return "The default VPC has its own";
        }

        var found = Items(await Ec2Async("DescribeInternetGateways", [new("Filter.1.Name", "attachment.vpc-id"), new("Filter.1.Value.1", _vpc!)], ct), "internetGatewaySet").FirstOrDefault();
        if (found is not null)
        {
            _gateway = Field(found, "internetGatewayId");
            return $"Internet gateway {_gateway} is attached";
        }

        _gateway = Value(await Ec2Async("CreateInternetGateway", [], ct), "internetGatewayId") ?? throw new CliException("EC2 created an internet gateway without giving its id.");
        await Ec2Async("AttachInternetGateway", [new("InternetGatewayId", _gateway), new("VpcId", _vpc!)], ct);
        return $"Created internet gateway {_gateway}, attached to {_vpc}";
    }

    private async Task<string> CreateSubnetsAsync(CancellationToken ct)
    {
        if (!_ownVpc)
        {
            return "The default VPC has its own";
        }

        var existing = Items(await Ec2Async("DescribeSubnets", [new("Filter.1.Name", "vpc-id"), new("Filter.1.Value.1", _vpc!)], ct), "subnetSet")
            .Select(s => (Id: Field(s, "subnetId")!, Cidr: Field(s, "cidrBlock"))).ToList();
        var vpcCidr = Value(await Ec2Async("DescribeVpcs", [new("VpcId.1", _vpc!)], ct), "cidrBlock") ?? throw new CliException($"EC2 gave no CIDR for {_vpc}.");
        var (start, _) = Range(vpcCidr) ?? throw new CliException($"The VPC's CIDR {vpcCidr} is not an IPv4 CIDR.");
        var bits = int.Parse(vpcCidr.Split('/')[1], CultureInfo.InvariantCulture) + 2;
        var made = 0;
        for (var i = 0u; i < 3; i++)
        {
            var cidr = $"{new System.Net.IPAddress(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(start + (i << (32 - bits))))}/{bits}";
            if (existing.Any(s => s.Cidr == cidr))
            {
                continue;
            }

            var id = Value(await Ec2Async("CreateSubnet", [new("VpcId", _vpc!), new("CidrBlock", cidr)], ct), "subnetId") ?? throw new CliException("EC2 created a subnet without giving its id.");
            existing.Add((id, cidr));
            made++;
        }

        _subnets = [.. existing.Select(s => s.Id)];
        return made == 0 ? $"Subnets {string.Join(", ", _subnets)} exist" : $"Created {made} subnet(s); the VPC's subnets: {string.Join(", ", _subnets)}";
    }

    private async Task<string> CreateRoutesAsync(CancellationToken ct)
    {
        if (!_ownVpc)
        {
            return "The default VPC has its own";
        }

        var tables = Items(await Ec2Async("DescribeRouteTables", [new("Filter.1.Name", "vpc-id"), new("Filter.1.Value.1", _vpc!)], ct), "routeTableSet").ToList();
        var table = tables.FirstOrDefault(t => Items(t, "routeSet").Any(r => Field(r, "gatewayId") == _gateway && Field(r, "destinationCidrBlock") == "0.0.0.0/0"));
        string id;
        var said = "";
        if (table is null)
        {
            id = Value(await Ec2Async("CreateRouteTable", [new("VpcId", _vpc!)], ct), "routeTableId") ?? throw new CliException("EC2 created a route table without giving its id.");
            await Ec2Async("CreateRoute", [new("RouteTableId", id), new("DestinationCidrBlock", "0.0.0.0/0"), new("GatewayId", _gateway!)], ct);
            said = $"Created route table {id} (0.0.0.0/0 to {_gateway})";
        }
        else
        {
            id = Field(table, "routeTableId")!;
            said = $"Route table {id} routes to {_gateway}";
        }

        var associated = table is null ? [] : Items(table, "associationSet").Select(a => Field(a, "subnetId")).ToHashSet(StringComparer.Ordinal);
        var added = 0;
        foreach (var subnet in _subnets.Where(s => !associated.Contains(s)))
        {
            await Ec2Async("AssociateRouteTable", [new("RouteTableId", id), new("SubnetId", subnet)], ct);
            added++;
        }

        return added == 0 ? said : $"{said}; associated {added} subnet(s)";
    }

    private async Task<string> CreateSecurityGroupAsync(CancellationToken ct)
    {
        if (!_ownVpc)
        {
            return "The tasks use the default VPC's default security group";
        }

        var found = Items(await Ec2Async("DescribeSecurityGroups", [new("Filter.1.Name", "group-name"), new("Filter.1.Value.1", SecurityGroup),
            new("Filter.2.Name", "vpc-id"), new("Filter.2.Value.1", _vpc!)], ct), "securityGroupInfo").FirstOrDefault();
        if (found is not null)
        {
            _securityGroup = Field(found, "groupId");
            return $"Security group {SecurityGroup} ({_securityGroup}) exists";
        }

        // A new group lets no traffic in and all out: the tasks call the registry and the server, nothing calls them.
        _securityGroup = Value(await Ec2Async("CreateSecurityGroup", [new("GroupName", SecurityGroup),
            new("GroupDescription", "Reeve ECS tasks: no inbound traffic, all outbound"), new("VpcId", _vpc!)], ct), "groupId")
            ?? throw new CliException("EC2 created a security group without giving its id.");
        return $"Created security group {SecurityGroup} ({_securityGroup})";
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

    private Task<string> SetNamespaceAsync(CancellationToken ct) =>
        Task.FromResult($"{SetBuildNamespace(context, _registry!)} (deploy with --image {Repository} to push to the repository)");
}
