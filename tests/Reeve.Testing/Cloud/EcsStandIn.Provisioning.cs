using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;

namespace Reeve.Testing.Cloud;

/// <summary>
/// The stand-in's EC2 (Query, <c>2016-11-15</c>), IAM (Query, <c>2010-05-08</c>), STS (Query, <c>2011-06-15</c>) and ECR
/// (JSON 1.1, <c>AmazonEC2ContainerRegistry_V20150921</c>), and ECS's clusters: what <c>--provision-infra</c> and the
/// worker's default-VPC lookup use. Each resource is kept, so that a second run finds what the first made.
/// </summary>
public sealed partial class EcsStandIn
{
    private static readonly XNamespace Ec2Ns = "http://ec2.amazonaws.com/doc/2016-11-15/";

    /// <summary>The VPCs: id → (CIDR, default?, Name tag).</summary>
    public ConcurrentDictionary<string, (string Cidr, bool IsDefault, string? Name)> Vpcs { get; } = new(StringComparer.Ordinal);

    /// <summary>The subnets: id → VPC id.</summary>
    public ConcurrentDictionary<string, string> Subnets { get; } = new(StringComparer.Ordinal);

    /// <summary>The subnets' CIDRs, by id.</summary>
    public ConcurrentDictionary<string, string> SubnetCidrs { get; } = new(StringComparer.Ordinal);

    /// <summary>The internet gateways: id → the VPC it is attached to ("" for none).</summary>
    public ConcurrentDictionary<string, string> Gateways { get; } = new(StringComparer.Ordinal);

    /// <summary>The route tables: id → (VPC, the gateway of its 0.0.0.0/0 route or null, the subnets associated).</summary>
    public ConcurrentDictionary<string, (string Vpc, string? Gateway, ConcurrentDictionary<string, bool> Subnets)> RouteTables { get; } = new(StringComparer.Ordinal);

    /// <summary>The security groups: id → (VPC, name).</summary>
    public ConcurrentDictionary<string, (string Vpc, string Name)> SecurityGroups { get; } = new(StringComparer.Ordinal);

    /// <summary>The default VPC's id (there is one, as in a new account, unless a test removes it).</summary>
    public string DefaultVpc { get; private set; } = "";

    private static readonly XNamespace IamNs = "https://iam.amazonaws.com/doc/2010-05-08/";
    private static readonly XNamespace StsNs = "https://sts.amazonaws.com/doc/2011-06-15/";

    /// <summary>The IAM users.</summary>
    public ConcurrentDictionary<string, bool> Users { get; } = new(StringComparer.Ordinal);

    /// <summary>The customer managed policies: ARN → document.</summary>
    public ConcurrentDictionary<string, string> Policies { get; } = new(StringComparer.Ordinal);

    /// <summary>The policies attached to users and roles, as "user:NAME|ARN" or "role:NAME|ARN".</summary>
    public ConcurrentDictionary<string, bool> Attached { get; } = new(StringComparer.Ordinal);

    /// <summary>The IAM roles: name → trust policy.</summary>
    public ConcurrentDictionary<string, string> Roles { get; } = new(StringComparer.Ordinal);

    /// <summary>The access keys made by CreateAccessKey: id → user. The stand-in accepts their signatures from then on.</summary>
    public ConcurrentDictionary<string, string> AccessKeys { get; } = new(StringComparer.Ordinal);

    /// <summary>The ECR repositories, by name.</summary>
    public ConcurrentDictionary<string, bool> Repositories { get; } = new(StringComparer.Ordinal);

    /// <summary>The password in ECR's authorization tokens (the user is "AWS").</summary>
    public string RegistryPassword { get; } = "ecr-token-" + Guid.NewGuid().ToString("N");

    /// <summary>The ECR registry's host.</summary>
    public string RegistryHost => $"{Account}.dkr.ecr.{Region}.amazonaws.com";

    /// <summary>Removes the default VPC, as in an account where it was deleted.</summary>
    public void RemoveDefaultVpc() => Vpcs.TryRemove(DefaultVpc, out _);

    private void SeedNetwork()
    {
        DefaultVpc = Id("vpc");
        Vpcs[DefaultVpc] = ("172.31.0.0/16", true, null);
        Subnets[Id("subnet")] = DefaultVpc;
        Subnets[Id("subnet")] = DefaultVpc;
    }

    /// <summary>The value of the filter named <paramref name="name"/> (<c>Filter.N.Name</c>, <c>Filter.N.Value.1</c>), or null.</summary>
    private static string? Filter(Dictionary<string, string> form, string name) =>
        form.FirstOrDefault(p => p.Key.StartsWith("Filter.", StringComparison.Ordinal) && p.Key.EndsWith(".Name", StringComparison.Ordinal) && p.Value == name) is { Key: { } key }
            ? form.GetValueOrDefault(key[..^".Name".Length] + ".Value.1")
            : null;

    private static XElement Ec2Answer(string action, params object[] content) =>
        new(Ec2Ns + $"{action}Response", new XElement(Ec2Ns + "requestId", Guid.NewGuid()), content);

    private async Task Ec2WriteAsync(HttpContext context, string action, Dictionary<string, string> form)
    {
        var vpc = Text(form, "VpcId");
        switch (action)
        {
            case "CreateVpc":
                var id = Id("vpc");
                Vpcs[id] = (Text(form, "CidrBlock"), false, Text(form, "TagSpecification.1.Tag.1.Key") == "Name" ? Text(form, "TagSpecification.1.Tag.1.Value") : null);
                await XmlAsync(context, Ec2Answer(action, new XElement(Ec2Ns + "vpc", new XElement(Ec2Ns + "vpcId", id),
                    new XElement(Ec2Ns + "state", "pending"), new XElement(Ec2Ns + "cidrBlock", Text(form, "CidrBlock")))));
                return;
            case "CreateInternetGateway":
                var gateway = Id("igw");
                Gateways[gateway] = "";
                await XmlAsync(context, Ec2Answer(action, new XElement(Ec2Ns + "internetGateway", new XElement(Ec2Ns + "internetGatewayId", gateway))));
                return;
            case "AttachInternetGateway":
                Gateways[Text(form, "InternetGatewayId")] = vpc;
                break;
            case "DescribeInternetGateways":
                var attachedTo = Filter(form, "attachment.vpc-id");
                await XmlAsync(context, Ec2Answer(action, new XElement(Ec2Ns + "internetGatewaySet", Gateways
                    .Where(g => attachedTo is null || g.Value == attachedTo)
                    .Select(g => new XElement(Ec2Ns + "item", new XElement(Ec2Ns + "internetGatewayId", g.Key),
                        new XElement(Ec2Ns + "attachmentSet", g.Value.Length == 0 ? null : new XElement(Ec2Ns + "item", new XElement(Ec2Ns + "vpcId", g.Value), new XElement(Ec2Ns + "state", "available"))))))));
                return;
            case "CreateSubnet":
                if (!Vpcs.ContainsKey(vpc))
                {
                    await XmlErrorAsync(context, "ec2", 400, "InvalidVpcID.NotFound", $"The vpc ID '{vpc}' does not exist");
                    return;
                }

                var subnet = Id("subnet");
                Subnets[subnet] = vpc;
                SubnetCidrs[subnet] = Text(form, "CidrBlock");
                await XmlAsync(context, Ec2Answer(action, new XElement(Ec2Ns + "subnet", new XElement(Ec2Ns + "subnetId", subnet),
                    new XElement(Ec2Ns + "vpcId", vpc), new XElement(Ec2Ns + "cidrBlock", Text(form, "CidrBlock")))));
                return;
            case "CreateRouteTable":
                var table = Id("rtb");
                RouteTables[table] = (vpc, null, new ConcurrentDictionary<string, bool>(StringComparer.Ordinal));
                await XmlAsync(context, Ec2Answer(action, new XElement(Ec2Ns + "routeTable", new XElement(Ec2Ns + "routeTableId", table), new XElement(Ec2Ns + "vpcId", vpc))));
                return;
            case "CreateRoute":
                var routed = Text(form, "RouteTableId");
                RouteTables[routed] = RouteTables[routed] with { Gateway = Text(form, "GatewayId") };
                break;
            case "AssociateRouteTable":
                RouteTables[Text(form, "RouteTableId")].Subnets[Text(form, "SubnetId")] = true;
                await XmlAsync(context, Ec2Answer(action, new XElement(Ec2Ns + "associationId", Id("rtbassoc"))));
                return;
            case "DescribeRouteTables":
                var of = Filter(form, "vpc-id");
                await XmlAsync(context, Ec2Answer(action, new XElement(Ec2Ns + "routeTableSet", RouteTables.Where(t => of is null || t.Value.Vpc == of)
                    .Select(t => new XElement(Ec2Ns + "item", new XElement(Ec2Ns + "routeTableId", t.Key), new XElement(Ec2Ns + "vpcId", t.Value.Vpc),
                        new XElement(Ec2Ns + "routeSet", t.Value.Gateway is null ? null : new XElement(Ec2Ns + "item",
                            new XElement(Ec2Ns + "destinationCidrBlock", "0.0.0.0/0"), new XElement(Ec2Ns + "gatewayId", t.Value.Gateway))),
                        new XElement(Ec2Ns + "associationSet", t.Value.Subnets.Keys.Select(n => new XElement(Ec2Ns + "item",
                            new XElement(Ec2Ns + "routeTableAssociationId", "rtbassoc-" + n), new XElement(Ec2Ns + "subnetId", n)))))))));
                return;
            case "CreateSecurityGroup":
                var name = Text(form, "GroupName");
                if (SecurityGroups.Values.Contains((vpc, name)))
                {
                    await XmlErrorAsync(context, "ec2", 400, "InvalidGroup.Duplicate", $"The security group '{name}' already exists for VPC '{vpc}'");
                    return;
                }

                var group = Id("sg");
                SecurityGroups[group] = (vpc, name);
                await XmlAsync(context, Ec2Answer(action, new XElement(Ec2Ns + "return", "true"), new XElement(Ec2Ns + "groupId", group)));
                return;
            case "DescribeSecurityGroups":
                var groupName = Filter(form, "group-name");
                var inVpc = Filter(form, "vpc-id");
                await XmlAsync(context, Ec2Answer(action, new XElement(Ec2Ns + "securityGroupInfo", SecurityGroups
                    .Where(g => (groupName is null || g.Value.Name == groupName) && (inVpc is null || g.Value.Vpc == inVpc))
                    .Select(g => new XElement(Ec2Ns + "item", new XElement(Ec2Ns + "groupId", g.Key), new XElement(Ec2Ns + "groupName", g.Value.Name), new XElement(Ec2Ns + "vpcId", g.Value.Vpc))))));
                return;
            default:
                await XmlErrorAsync(context, "ec2", 400, "InvalidAction", $"The action {action} is not valid for this web service.");
                return;
        }

        await XmlAsync(context, Ec2Answer(action, new XElement(Ec2Ns + "return", "true")));
    }

    private async Task QueryAsync(HttpContext context, string service, string action, Dictionary<string, string> form)
    {
        switch ((service, action))
        {
            case ("ec2", "DescribeVpcs"):
                var wanted = form.Where(p => p.Key.StartsWith("VpcId.", StringComparison.Ordinal)).Select(p => p.Value).ToHashSet(StringComparer.Ordinal);
                var defaultOnly = Text(form, "Filter.1.Name") == "isDefault" && Text(form, "Filter.1.Value.1") == "true";
                var vpcs = Vpcs.Where(v => (wanted.Count == 0 || wanted.Contains(v.Key)) && (!defaultOnly || v.Value.IsDefault));
                await XmlAsync(context, new XElement(Ec2Ns + "DescribeVpcsResponse",
                    new XElement(Ec2Ns + "requestId", Guid.NewGuid()),
                    new XElement(Ec2Ns + "vpcSet", vpcs.Select(v => new XElement(Ec2Ns + "item",
                        new XElement(Ec2Ns + "vpcId", v.Key),
                        new XElement(Ec2Ns + "state", "available"),
                        new XElement(Ec2Ns + "cidrBlock", v.Value.Cidr),
                        new XElement(Ec2Ns + "isDefault", v.Value.IsDefault ? "true" : "false"),
                        new XElement(Ec2Ns + "tagSet", v.Value.Name is null ? null : new XElement(Ec2Ns + "item",
                            new XElement(Ec2Ns + "key", "Name"), new XElement(Ec2Ns + "value", v.Value.Name))))))));
                break;
            case ("ec2", "DescribeSubnets"):
                var vpc = Text(form, "Filter.1.Name") == "vpc-id" ? Text(form, "Filter.1.Value.1") : null;
                await XmlAsync(context, new XElement(Ec2Ns + "DescribeSubnetsResponse",
                    new XElement(Ec2Ns + "requestId", Guid.NewGuid()),
                    new XElement(Ec2Ns + "subnetSet", Subnets.Where(s => vpc is null || s.Value == vpc).Select(s => new XElement(Ec2Ns + "item",
                        new XElement(Ec2Ns + "subnetId", s.Key),
                        new XElement(Ec2Ns + "vpcId", s.Value),
                        new XElement(Ec2Ns + "cidrBlock", SubnetCidrs.GetValueOrDefault(s.Key)),
                        new XElement(Ec2Ns + "state", "available"))))));
                break;
            case ("ec2", _):
                await Ec2WriteAsync(context, action, form);
                break;
            case ("sts", "GetCallerIdentity"):
                await XmlAsync(context, new XElement(StsNs + "GetCallerIdentityResponse",
                    new XElement(StsNs + "GetCallerIdentityResult",
                        new XElement(StsNs + "Arn", $"arn:aws:iam::{Account}:user/stand-in-admin"),
                        new XElement(StsNs + "UserId", "AIDASTANDIN"),
                        new XElement(StsNs + "Account", Account)),
                    new XElement(StsNs + "ResponseMetadata", new XElement(StsNs + "RequestId", Guid.NewGuid()))));
                break;
            case ("iam", _):
                await IamAsync(context, action, form);
                break;
            default:
                await XmlErrorAsync(context, service, 400, "InvalidAction", $"The action {action} is not valid for this web service.");
                break;
        }
    }

    private async Task IamAsync(HttpContext context, string action, Dictionary<string, string> form)
    {
        var user = Text(form, "UserName");
        var role = Text(form, "RoleName");
        var policyArn = Text(form, "PolicyArn");
        XElement? result = null;
        switch (action)
        {
            case "GetUser" or "CreateUser":
                if (action == "GetUser" && !Users.ContainsKey(user))
                {
                    await XmlErrorAsync(context, "iam", 404, "NoSuchEntity", $"The user with name {user} cannot be found.");
                    return;
                }

                if (action == "CreateUser" && !Users.TryAdd(user, true))
                {
                    await XmlErrorAsync(context, "iam", 409, "EntityAlreadyExists", $"User with name {user} already exists.");
                    return;
                }

                result = new XElement(IamNs + "User", new XElement(IamNs + "UserName", user), new XElement(IamNs + "Arn", $"arn:aws:iam::{Account}:user/{user}"));
                break;
            case "GetPolicy":
                if (!Policies.ContainsKey(policyArn))
                {
                    await XmlErrorAsync(context, "iam", 404, "NoSuchEntity", $"Policy {policyArn} does not exist or is not attachable.");
                    return;
                }

                result = new XElement(IamNs + "Policy", new XElement(IamNs + "Arn", policyArn));
                break;
            case "CreatePolicy":
                var arn = $"arn:aws:iam::{Account}:policy/{Text(form, "PolicyName")}";
                if (!Policies.TryAdd(arn, Text(form, "PolicyDocument")))
                {
                    await XmlErrorAsync(context, "iam", 409, "EntityAlreadyExists", $"A policy called {Text(form, "PolicyName")} already exists. Duplicate names are not allowed.");
                    return;
                }

                result = new XElement(IamNs + "Policy", new XElement(IamNs + "PolicyName", Text(form, "PolicyName")), new XElement(IamNs + "Arn", arn));
                break;
            case "AttachUserPolicy" or "AttachRolePolicy":
                var to = action == "AttachUserPolicy" ? (Users.ContainsKey(user), $"user:{user}") : (Roles.ContainsKey(role), $"role:{role}");
                if (!to.Item1 || (!Policies.ContainsKey(policyArn) && !policyArn.StartsWith("arn:aws:iam::aws:policy/", StringComparison.Ordinal)))
                {
                    await XmlErrorAsync(context, "iam", 404, "NoSuchEntity", $"The {to.Item2} or policy {policyArn} cannot be found.");
                    return;
                }

                Attached[$"{to.Item2}|{policyArn}"] = true;
                break;
            case "GetRole" or "CreateRole":
                if (action == "GetRole" && !Roles.ContainsKey(role))
                {
                    await XmlErrorAsync(context, "iam", 404, "NoSuchEntity", $"The role with name {role} cannot be found.");
                    return;
                }

                if (action == "CreateRole" && !Roles.TryAdd(role, Text(form, "AssumeRolePolicyDocument")))
                {
                    await XmlErrorAsync(context, "iam", 409, "EntityAlreadyExists", $"Role with name {role} already exists.");
                    return;
                }

                result = new XElement(IamNs + "Role", new XElement(IamNs + "RoleName", role), new XElement(IamNs + "Arn", $"arn:aws:iam::{Account}:role/{role}"));
                break;
            case "CreateAccessKey":
                if (!Users.ContainsKey(user))
                {
                    await XmlErrorAsync(context, "iam", 404, "NoSuchEntity", $"The user with name {user} cannot be found.");
                    return;
                }

                var id = "AKIA" + Guid.NewGuid().ToString("N")[..16].ToUpperInvariant();
                var secret = Convert.ToBase64String(Guid.NewGuid().ToByteArray()) + Guid.NewGuid().ToString("N")[..10];
                AccessKeys[id] = user;
                _keys[id] = secret;
                result = new XElement(IamNs + "AccessKey", new XElement(IamNs + "UserName", user), new XElement(IamNs + "AccessKeyId", id),
                    new XElement(IamNs + "Status", "Active"), new XElement(IamNs + "SecretAccessKey", secret));
                break;
            default:
                await XmlErrorAsync(context, "iam", 400, "InvalidAction", $"Could not find operation {action} for version 2010-05-08.");
                return;
        }

        await XmlAsync(context, new XElement(IamNs + $"{action}Response",
            new XElement(IamNs + $"{action}Result", result),
            new XElement(IamNs + "ResponseMetadata", new XElement(IamNs + "RequestId", Guid.NewGuid()))));
    }

    private async Task ClusterAsync(HttpContext context, string action, JsonObject request)
    {
        if (action == "CreateCluster")
        {
            var name = request["clusterName"]?.GetValue<string>() ?? "default";
            Clusters[name] = true;
            await JsonAsync(context, new JsonObject { ["cluster"] = Cluster(name) });
            return;
        }

        var names = (request["clusters"] as JsonArray ?? []).Select(c => ClusterName(c!.GetValue<string>())).ToList();
        await JsonAsync(context, new JsonObject
        {
            ["clusters"] = new JsonArray([.. names.Where(Clusters.ContainsKey).Select(n => (JsonNode)Cluster(n))]),
            ["failures"] = new JsonArray([.. names.Where(n => !Clusters.ContainsKey(n)).Select(n => (JsonNode)new JsonObject
            {
                ["arn"] = $"arn:aws:ecs:{Region}:{Account}:cluster/{n}",
                ["reason"] = "MISSING",
            })]),
        });
    }

    private JsonObject Cluster(string name) => new()
    {
        ["clusterArn"] = $"arn:aws:ecs:{Region}:{Account}:cluster/{name}",
        ["clusterName"] = name,
        ["status"] = "ACTIVE",
    };

    private async Task EcrAsync(HttpContext context, string action, JsonObject request)
    {
        switch (action)
        {
            case "DescribeRepositories":
                var names = (request["repositoryNames"] as JsonArray ?? []).Select(n => n!.GetValue<string>()).ToList();
                if (names.FirstOrDefault(n => !Repositories.ContainsKey(n)) is { } missing)
                {
                    await JsonErrorAsync(context, 400, "RepositoryNotFoundException", $"The repository with name '{missing}' does not exist in the registry with id '{Account}'");
                    return;
                }

                await JsonAsync(context, new JsonObject { ["repositories"] = new JsonArray([.. names.Select(n => (JsonNode)EcrRepository(n))]) });
                break;
            case "CreateRepository":
                var name = request["repositoryName"]?.GetValue<string>() ?? "";
                if (!Repositories.TryAdd(name, true))
                {
                    await JsonErrorAsync(context, 400, "RepositoryAlreadyExistsException", $"The repository with name '{name}' already exists in the registry with id '{Account}'");
                    return;
                }

                await JsonAsync(context, new JsonObject { ["repository"] = EcrRepository(name) });
                break;
            case "GetAuthorizationToken":
                await JsonAsync(context, new JsonObject
                {
                    ["authorizationData"] = new JsonArray(new JsonObject
                    {
                        ["authorizationToken"] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"AWS:{RegistryPassword}")),
                        ["expiresAt"] = Seconds() + 43_200,
                        ["proxyEndpoint"] = $"https://{RegistryHost}",
                    }),
                });
                break;
            default:
                await JsonErrorAsync(context, 400, "UnknownOperationException", $"Unknown operation {action}.");
                break;
        }
    }

    private JsonObject EcrRepository(string name) => new()
    {
        ["repositoryArn"] = $"arn:aws:ecr:{Region}:{Account}:repository/{name}",
        ["registryId"] = Account,
        ["repositoryName"] = name,
        ["repositoryUri"] = $"{RegistryHost}/{name}",
        ["imageTagMutability"] = "MUTABLE",
    };
}
