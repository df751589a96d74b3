using System.Text.Json.Nodes;
using Reeve.Core.FlowRuns;
using Reeve.Core.JobTemplates;
using Reeve.Core.PoolTypes;
using Reeve.Workers.ContainerInstances;

namespace Reeve.Workers.Tests.ContainerInstances;

public class ContainerInstanceJobTests
{
    private static readonly FlowRun Run = new()
    {
        Id = Guid.Parse("0195a4c2-7f1e-7d3a-9b2c-4e5f6a7b8c9d"),
        Created = DateTimeOffset.UnixEpoch,
        Updated = DateTimeOffset.UnixEpoch,
        Name = "Tidy Otter",
        FlowId = Guid.NewGuid(),
    };

    private static JsonObject Rendered(JsonObject variables)
    {
        variables["aci_credentials"] ??= new JsonObject { ["tenant_id"] = "t", ["client_id"] = "c", ["client_secret"] = "s" };
        variables["subscription_id"] ??= "5f1c3a92-8d4e-4b7a-9c21-3e6f0d8b7a14";
        variables["resource_group_name"] ??= "reeve-aci";
        variables["image"] ??= "reeveflows.azurecr.io/flows/repo-info:1";
        return JobConfiguration.Render(PoolTypeCatalog.Find("aci:push")!.DefaultBaseJobTemplate, variables, null);
    }

    private static ContainerInstanceJob Job(JsonObject variables, Dictionary<string, string>? environment = null) =>
        ContainerInstanceJob.From(Rendered(variables), Run, environment ?? new Dictionary<string, string> { ["REEVE_FLOW_RUN_ID"] = Run.Id.ToString() });

    private static JsonObject Container(ContainerInstanceJob job) => job.Body["properties"]!["containers"]![0]!["properties"]!.AsObject();

    [Fact]
    public void TheGroup_IsNamedAfterTheRunsNameThenItsId_AndLivesInTheResourceGroup()
    {
        var job = Job([]);

        Assert.Equal($"tidy-otter-{Run.Id}", job.GroupName);
        Assert.Equal($"/subscriptions/5f1c3a92-8d4e-4b7a-9c21-3e6f0d8b7a14/resourceGroups/reeve-aci/providers/Microsoft.ContainerInstance/containerGroups/tidy-otter-{Run.Id}", job.ResourceId);
        Assert.Null(job.Location);
        Assert.False(job.Body.ContainsKey("location"));
        Assert.Equal(TimeSpan.FromSeconds(240), job.StartTimeout);
    }

    [Fact]
    public void TheEntrypoint_GoesBeforeTheCommand_AndTheApiKeyIsASecureValue()
    {
        var job = Job(new JsonObject { ["entrypoint"] = "/opt/reeve/entrypoint.sh", ["command"] = "reeve flow-run execute" },
            new Dictionary<string, string> { ["REEVE_API_KEY"] = "k", ["REEVE_API_URL"] = "http://reeve:4200/api" });

        Assert.Equal(["/opt/reeve/entrypoint.sh", "reeve", "flow-run", "execute"], Container(job)["command"]!.AsArray().Select(a => a!.GetValue<string>()));
        var env = Container(job)["environmentVariables"]!.AsArray().ToDictionary(e => e!["name"]!.GetValue<string>(), e => e!.AsObject());
        Assert.Equal("k", env["REEVE_API_KEY"]["secureValue"]!.GetValue<string>());
        Assert.Equal("http://reeve:4200/api", env["REEVE_API_URL"]["value"]!.GetValue<string>());
    }

    [Fact]
    public void IdentitiesSubnetsDnsGpuAndARegistry_AreWhereAciReadsThem()
    {
        var identity = "/subscriptions/5f1c3a92-8d4e-4b7a-9c21-3e6f0d8b7a14/resourceGroups/reeve-aci/providers/Microsoft.ManagedIdentity/userAssignedIdentities/reeve";
        var job = Job(new JsonObject
        {
            ["identities"] = new JsonArray(identity),
            ["subnet_ids"] = new JsonArray("/subscriptions/x/resourceGroups/n/providers/Microsoft.Network/virtualNetworks/v/subnets/s"),
            ["dns_servers"] = new JsonArray("10.0.0.4"),
            ["gpu_count"] = 1,
            ["gpu_sku"] = "V100",
            ["cpu"] = 2,
            ["memory"] = 3.5,
            ["location"] = "northeurope",
            ["image_registry"] = new JsonObject { ["registry_url"] = "reeveflows.azurecr.io", ["identity"] = identity },
        });

        Assert.Equal("UserAssigned", job.Body["identity"]!["type"]!.GetValue<string>());
        Assert.NotNull(job.Body["identity"]!["userAssignedIdentities"]![identity]);
        Assert.Equal("10.0.0.4", job.Body["properties"]!["dnsConfig"]!["nameServers"]![0]!.GetValue<string>());
        Assert.Single(job.Body["properties"]!["subnetIds"]!.AsArray());
        var requests = Container(job)["resources"]!["requests"]!;
        Assert.Equal(2.0, requests["cpu"]!.GetValue<double>());
        Assert.Equal(3.5, requests["memoryInGB"]!.GetValue<double>());
        Assert.Equal("V100", requests["gpu"]!["sku"]!.GetValue<string>());
        Assert.Equal("northeurope", job.Body["location"]!.GetValue<string>());
        Assert.Equal(identity, job.Body["properties"]!["imageRegistryCredentials"]![0]!["identity"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("subscription_id", "not-a-guid", "'subscription_id' ('not-a-guid') is not a subscription id")]
    [InlineData("resource_group_name", "no/slashes", "'resource_group_name' ('no/slashes') is not a resource group name")]
    [InlineData("identities", "reeve", "'identities' must hold identity resource ids")]
    [InlineData("task_start_timeout_seconds", "1e308", "'task_start_timeout_seconds' must be a number of seconds from 1 to 86400")]
    [InlineData("task_start_timeout_seconds", "1e400", "'task_start_timeout_seconds' must be a number of seconds from 1 to 86400")]
    [InlineData("task_watch_poll_interval", "0.000000001", "'task_watch_poll_interval' must be a number of seconds from 0.05 to 3600")]
    public void BadSettings_AreRefusedInOneLine_NamingTheVariable(string variable, string value, string expected)
    {
        var variables = new JsonObject
        {
            [variable] = variable == "identities" ? new JsonArray(value)
                : variable.StartsWith("task_", StringComparison.Ordinal) && double.Parse(value, System.Globalization.CultureInfo.InvariantCulture) is var n
                    && double.IsFinite(n) ? JsonValue.Create(n)
                : value,
        };

        var refused = Assert.Throws<ArgumentException>(() => Job(variables));

        Assert.Contains(expected, refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', refused.Message);
    }

    [Fact]
    public void NoCredentials_SaysHowToGiveThem()
    {
        var configuration = Rendered([]);
        configuration.Remove("aci_credentials");

        var refused = Assert.Throws<ArgumentException>(() => ContainerInstanceJob.From(configuration, Run, new Dictionary<string, string>()));

        Assert.StartsWith("The job variable 'aci_credentials' is not set", refused.Message, StringComparison.Ordinal);
    }
}
