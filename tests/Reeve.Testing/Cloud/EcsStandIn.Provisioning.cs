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

    /// <summary>The default VPC's id (there is one, as in a new account, unless a test removes it).</summary>
    public string DefaultVpc { get; private set; } = "";

    private void SeedNetwork()
    {
        DefaultVpc = Id("vpc");
        Vpcs[DefaultVpc] = ("172.31.0.0/16", true, null);
        Subnets[Id("subnet")] = DefaultVpc;
        Subnets[Id("subnet")] = DefaultVpc;
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
                        new XElement(Ec2Ns + "state", "available"))))));
                break;
            default:
                await XmlErrorAsync(context, service, 400, "InvalidAction", $"The action {action} is not valid for this web service.");
                break;
        }
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

    private static Task EcrAsync(HttpContext context, string action, JsonObject request) =>
        JsonErrorAsync(context, 400, "UnknownOperationException", $"Unknown operation {action}.");
}
