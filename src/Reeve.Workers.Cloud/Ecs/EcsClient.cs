using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace Reeve.Workers.Ecs;

/// <summary>
/// The calls of Amazon ECS's API (JSON 1.1) that running a flow run as an ECS task takes, and the two EC2 reads that
/// find the default VPC's subnets for a task on the <c>awsvpc</c> network. Reads, registrations and stops are retried
/// when AWS throttles or fails; a run only with the same client token, which makes ECS start the task once.
/// </summary>
internal sealed class EcsClient(AwsApi api, AwsService ecs, AwsService ec2)
{
    private const string Target = "AmazonEC2ContainerServiceV20141113";

    public Task<JsonObject> CallAsync(string action, JsonObject body, CancellationToken cancellationToken, bool retry = true) =>
        api.JsonAsync(ecs, Target, action, body, retry, cancellationToken);

    /// <summary>Registers the task definition; its ARN.</summary>
    public async Task<string> RegisterTaskDefinitionAsync(JsonObject definition, CancellationToken cancellationToken)
    {
        var answer = await CallAsync("RegisterTaskDefinition", definition, cancellationToken);
        return answer["taskDefinition"]?["taskDefinitionArn"]?.GetValue<string>()
            ?? throw new AwsException(200, null, "ECS registered the task definition without giving its ARN.");
    }

    /// <summary>The task definition named by ARN, family:revision or family (its latest ACTIVE revision); null when there is none.</summary>
    public async Task<JsonObject?> DescribeTaskDefinitionAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return (await CallAsync("DescribeTaskDefinition", new JsonObject { ["taskDefinition"] = name }, cancellationToken))["taskDefinition"] as JsonObject;
        }
        catch (AwsException e) when (e.Code == "ClientException" && e.Message.Contains("Unable to describe task definition", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
    }

    public Task DeregisterTaskDefinitionAsync(string arn, CancellationToken cancellationToken) =>
        CallAsync("DeregisterTaskDefinition", new JsonObject { ["taskDefinition"] = arn }, cancellationToken);

    /// <summary>Runs the task; the task ECS started. The request carries a client token, so a retried run starts one task.</summary>
    public async Task<JsonObject> RunTaskAsync(JsonObject request, CancellationToken cancellationToken)
    {
        var answer = await CallAsync("RunTask", request, cancellationToken, retry: request["clientToken"] is not null);
        if (answer["failures"] is JsonArray { Count: > 0 } failures && failures[0] is JsonObject failure)
        {
            var detail = failure["detail"]?.GetValue<string>();
            throw new AwsException(200, "RunTaskFailure",
                $"ECS could not run the task: {failure["reason"]?.GetValue<string>() ?? "no reason given"}{(detail is { Length: > 0 } ? $" ({detail})" : "")}");
        }

        return answer["tasks"] is JsonArray { Count: > 0 } tasks && tasks[0] is JsonObject task
            ? task
            : throw new AwsException(200, null, "ECS ran no task and gave no failure.");
    }

    /// <summary>The task, with its tags; null when ECS no longer knows it (stopped tasks are kept for about an hour).</summary>
    public async Task<JsonObject?> DescribeTaskAsync(string cluster, string taskArn, CancellationToken cancellationToken)
    {
        var answer = await CallAsync("DescribeTasks", new JsonObject
        {
            ["cluster"] = cluster,
            ["tasks"] = new JsonArray(taskArn),
            ["include"] = new JsonArray("TAGS"),
        }, cancellationToken);
        return answer["tasks"] is JsonArray { Count: > 0 } tasks ? tasks[0] as JsonObject : null;
    }

    /// <summary>The ARNs of the cluster's tasks started by <paramref name="startedBy"/>, running or recently stopped.</summary>
    public async Task<IReadOnlyList<string>> ListTasksAsync(string? cluster, string startedBy, CancellationToken cancellationToken)
    {
        var found = new List<string>();
        foreach (var status in new[] { "RUNNING", "STOPPED" })
        {
            var request = new JsonObject { ["startedBy"] = startedBy, ["desiredStatus"] = status };
            if (cluster is { Length: > 0 })
            {
                request["cluster"] = cluster;
            }

            var answer = await CallAsync("ListTasks", request, cancellationToken);
            found.AddRange((answer["taskArns"] as JsonArray ?? []).Select(a => a!.GetValue<string>()));
        }

        return found;
    }

    public Task StopTaskAsync(string cluster, string taskArn, string reason, CancellationToken cancellationToken) =>
        CallAsync("StopTask", new JsonObject { ["cluster"] = cluster, ["task"] = taskArn, ["reason"] = reason }, cancellationToken);

    /// <summary>The subnets of the VPC (the account's default VPC when <paramref name="vpcId"/> is null), as Prefect's ECS worker finds them.</summary>
    public async Task<IReadOnlyList<string>> SubnetsAsync(string? vpcId, CancellationToken cancellationToken)
    {
        var which = vpcId is null ? "the default VPC" : $"VPC {vpcId}";
        var vpcs = await api.QueryAsync(ec2, "DescribeVpcs", "2016-11-15", vpcId is null
            ? [new("Filter.1.Name", "isDefault"), new("Filter.1.Value.1", "true")]
            : [new("VpcId.1", vpcId)], retry: true, cancellationToken);
        var id = vpcs.Descendants().FirstOrDefault(e => e.Name.LocalName == "vpcId")?.Value
            ?? throw new ArgumentException($"Could not find {which}, so the task's network cannot be inferred: set the job variables 'vpc_id' and 'network_configuration', or create a default VPC.");
        var subnets = await api.QueryAsync(ec2, "DescribeSubnets", "2016-11-15",
            [new("Filter.1.Name", "vpc-id"), new("Filter.1.Value.1", id)], retry: true, cancellationToken);
        var ids = subnets.Descendants().Where(e => e.Name.LocalName == "subnetId").Select(e => e.Value).ToList();
        return ids.Count > 0 ? ids : throw new ArgumentException($"{which} ({id}) has no subnets, so the task's network cannot be inferred.");
    }

    internal static string? Value(XElement element, string name) => element.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
}
