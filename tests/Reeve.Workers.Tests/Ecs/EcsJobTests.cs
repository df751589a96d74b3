using System.Text.Json.Nodes;
using Reeve.Core.FlowRuns;
using Reeve.Core.JobTemplates;
using Reeve.Core.PoolTypes;
using Reeve.Workers.Ecs;

namespace Reeve.Workers.Tests.Ecs;

public sealed class EcsJobTests
{
    private static readonly FlowRun Run = new()
    {
        Id = Guid.Parse("01a24710-9ef8-720b-a92c-56574e2b4a65"),
        Name = "sage-fox",
        FlowId = Guid.NewGuid(),
        DeploymentId = Guid.Parse("11111111-2222-3333-4444-555555555555"),
        WorkPoolName = "my ecs",
        Created = DateTimeOffset.UnixEpoch,
        Updated = DateTimeOffset.UnixEpoch,
    };

    private static readonly Dictionary<string, string> Settings = new() { ["REEVE_API_URL"] = "http://reeve/api", ["REEVE_FLOW_RUN_ID"] = Run.Id.ToString() };

    private static EcsJob Job(JsonObject variables)
    {
        variables["aws_credentials"] ??= new JsonObject { ["aws_access_key_id"] = "AKIA", ["aws_secret_access_key"] = "s", ["region_name"] = "eu-west-1" };
        var configuration = JobConfiguration.Render(PoolTypeCatalog.Find("ecs:push")!.DefaultBaseJobTemplate, variables, null);
        configuration["labels"] = new JsonObject { ["io.reeve.flow-run-id"] = Run.Id.ToString() };
        return EcsJob.From(configuration, Run, Settings, _ => null, null);
    }

    [Fact]
    public void TheDefaultTemplate_GivesAFargateTaskDefinition_AndARunRequestWithTheRunsEnvironment()
    {
        var job = Job(new JsonObject { ["image"] = "flows:1", ["env"] = new JsonObject { ["EXTRA"] = "1", ["REEVE_API_URL"] = null } });

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"containerDefinitions":[{"image":"flows:1","name":"reeve"}],"cpu":"1024","family":"reeve_my-ecs_11111111-2222-3333-4444-555555555555","memory":"2048","requiresCompatibilities":["FARGATE"],"networkMode":"awsvpc"}"""),
            job.TaskDefinition), job.TaskDefinition!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""{"launchType":"FARGATE","overrides":{"containerOverrides":[{"name":"reeve","environment":[{"name":"REEVE_FLOW_RUN_ID","value":"{{Run.Id}}"},{"name":"EXTRA","value":"1"}]}]},"tags":[{"key":"io.reeve.flow-run-id","value":"{{Run.Id}}"}],"startedBy":"{{Run.Id}}"}"""),
            job.RunRequest), job.RunRequest.ToJsonString());
        Assert.Equal("eu-west-1", job.Credentials.Region);
        Assert.Equal("reeve", job.ContainerName);
        Assert.Equal(TimeSpan.FromSeconds(300), job.StartTimeout);
    }

    [Fact]
    public void FargateSpot_IsACapacityProviderStrategy_AndEc2_PutsCpuAndMemoryOnTheContainer()
    {
        var spot = Job(new JsonObject { ["image"] = "flows:1", ["launch_type"] = "FARGATE_SPOT", ["cluster"] = "work" });
        var ec2 = Job(new JsonObject { ["image"] = "flows:1", ["launch_type"] = "EC2", ["cpu"] = 512, ["memory"] = 1024 });

        Assert.Null(spot.RunRequest["launchType"]);
        Assert.Equal("""[{"capacityProvider":"FARGATE_SPOT","weight":1}]""", spot.RunRequest["capacityProviderStrategy"]!.ToJsonString());
        Assert.Equal("work", spot.Cluster);
        Assert.Equal("EC2", ec2.RunRequest["launchType"]!.GetValue<string>());
        Assert.Equal(512, ec2.TaskDefinition!["containerDefinitions"]![0]!["cpu"]!.GetValue<int>());
        Assert.Null(ec2.TaskDefinition["networkMode"]);
        Assert.Equal("512", ec2.RunRequest["overrides"]!["cpu"]!.GetValue<string>());
    }

    [Fact]
    public void ATaskDefinitionArn_IsUsedAsItIs_AndCloudWatchLogsNeedAnExecutionRole()
    {
        var byArn = Job(new JsonObject { ["task_definition_arn"] = "arn:aws:ecs:eu-west-1:1:task-definition/flows:3" });
        var e = Assert.Throws<ArgumentException>(() => Job(new JsonObject { ["image"] = "flows:1", ["configure_cloudwatch_logs"] = true }));
        var logged = Job(new JsonObject { ["image"] = "flows:1", ["configure_cloudwatch_logs"] = true, ["execution_role_arn"] = "arn:aws:iam::1:role/x" });

        Assert.Null(byArn.TaskDefinition);
        Assert.Equal("arn:aws:ecs:eu-west-1:1:task-definition/flows:3", byArn.TaskDefinitionArn);
        Assert.StartsWith("The job variable 'configure_cloudwatch_logs' needs an 'execution_role_arn'", e.Message, StringComparison.Ordinal);
        Assert.Equal("awslogs", logged.TaskDefinition!["containerDefinitions"]![0]!["logConfiguration"]!["logDriver"]!.GetValue<string>());
        Assert.Equal("eu-west-1", logged.TaskDefinition["containerDefinitions"]![0]!["logConfiguration"]!["options"]!["awslogs-region"]!.GetValue<string>());
    }

    [Fact]
    public void APollIntervalOfANanosecond_IsReadAsTheShortestAllowed_AndATimeoutOf1e308IsRefused()
    {
        Assert.Equal(EcsJob.MinimumPollInterval, Job(new JsonObject { ["image"] = "flows:1", ["task_watch_poll_interval"] = 1e-9 }).PollInterval);

        var refused = Assert.Throws<ArgumentException>(() => Job(new JsonObject { ["image"] = "flows:1", ["task_start_timeout_seconds"] = 1e308 }));
        Assert.Contains("'task_start_timeout_seconds' must be a number of seconds from 0 to 86400", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoImage_IsOneLineNamingTheVariable()
    {
        var e = Assert.Throws<ArgumentException>(() => Job(new JsonObject()));

        Assert.StartsWith("The job variable 'image' is not set", e.Message, StringComparison.Ordinal);
    }
}
