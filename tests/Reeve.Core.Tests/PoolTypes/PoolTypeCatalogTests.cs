using Reeve.Core.JobTemplates;
using Reeve.Core.PoolTypes;

namespace Reeve.Core.Tests.PoolTypes;

public class PoolTypeCatalogTests
{
    public static TheoryData<string> Types => new(PoolTypeCatalog.All.Select(t => t.Type));

    [Fact]
    public void All_HoldsTheWorkerTypesThenThePushTypes() =>
        Assert.Equal(["process", "managed", "docker", "kubernetes", "docker:push", "kubernetes:push", "cloud-run:push", "ecs:push", "aci:push"], PoolTypeCatalog.All.Select(t => t.Type));

    [Theory]
    [InlineData("docker:push", "docker", true)]
    [InlineData("kubernetes:push", "kubernetes", true)]
    [InlineData("cloud-run:push", "cloud-run", true)]
    [InlineData("ecs:push", "ecs", true)]
    [InlineData("aci:push", "aci", true)]
    [InlineData("managed", "managed", true)]
    [InlineData("docker", "docker", false)]
    [InlineData("process", "process", false)]
    public void APushType_RunsOnItsInfrastructure_AndTheServerRunsIt(string type, string infrastructure, bool onServer)
    {
        var poolType = PoolTypeCatalog.Find(type)!;

        Assert.Equal(infrastructure, poolType.Infrastructure);
        Assert.Equal(onServer, poolType.RunsOnServer);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void DefaultTemplate_IsValid(string type) =>
        BaseJobTemplateRules.Validate(PoolTypeCatalog.Find(type)!.DefaultBaseJobTemplate);

    [Fact]
    public void Process_HasPrefectsVariables()
    {
        var properties = PoolTypeCatalog.Find("process")!.DefaultBaseJobTemplate["variables"]!["properties"]!.AsObject();
        Assert.Equal(["name", "env", "labels", "command", "stream_output", "working_dir"], properties.Select(p => p.Key));
        Assert.True(properties["stream_output"]!["default"]!.GetValue<bool>());
    }

    [Fact]
    public void Docker_HasPrefectsVariables()
    {
        var properties = PoolTypeCatalog.Find("docker")!.DefaultBaseJobTemplate["variables"]!["properties"]!.AsObject();
        string[] expected = ["image", "command", "env", "labels", "name", "registry_credentials", "image_pull_policy", "networks",
            "network_mode", "auto_remove", "volumes", "stream_output", "mem_limit", "memswap_limit", "privileged"];
        Assert.Equal(expected.Order(), properties.Select(p => p.Key).Order());
    }

    [Fact]
    public void Aci_HasPrefectsVariables_AndLocation()
    {
        var properties = PoolTypeCatalog.Find("aci:push")!.DefaultBaseJobTemplate["variables"]!["properties"]!.AsObject();
        string[] expected = ["name", "env", "labels", "command", "image", "resource_group_name", "subscription_id", "location", "identities",
            "entrypoint", "image_registry", "cpu", "gpu_count", "gpu_sku", "memory", "subnet_ids", "dns_servers", "aci_credentials",
            "stream_output", "task_start_timeout_seconds", "task_watch_poll_interval", "keep_container_group"];
        Assert.Equal(expected.Order(), properties.Select(p => p.Key).Order());
        Assert.Equal(240, properties["task_start_timeout_seconds"]!["default"]!.GetValue<int>());
        Assert.Equal(1.0, properties["memory"]!["default"]!.GetValue<double>());
        Assert.False(properties["keep_container_group"]!["default"]!.GetValue<bool>());
    }

    [Fact]
    public void DefaultTemplate_IsAFreshCopyEachTime()
    {
        var type = PoolTypeCatalog.Find("process")!;
        type.DefaultBaseJobTemplate["variables"]!["properties"]!.AsObject().Remove("env");
        Assert.NotNull(type.DefaultBaseJobTemplate["variables"]!["properties"]!["env"]);
    }

    [Fact]
    public void Managed_IsRunByTheServer() => Assert.True(PoolTypeCatalog.Find("managed")!.IsManaged);

    [Fact]
    public void Find_UnknownType_IsNull() => Assert.Null(PoolTypeCatalog.Find("ecs"));
}
