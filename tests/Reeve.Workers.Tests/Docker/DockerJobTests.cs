using System.Text.Json.Nodes;
using Reeve.Core.JobTemplates;
using Reeve.Core.PoolTypes;
using Reeve.Workers.Docker;

namespace Reeve.Workers.Tests.Docker;

public sealed class DockerJobTests
{
    private static JsonObject Rendered(JsonObject variables) =>
        JobConfiguration.Render(PoolTypeCatalog.Find("docker")!.DefaultBaseJobTemplate, variables, null);

    [Fact]
    public void From_TheDefaultTemplateWithAnImage_ReadsEverySetting()
    {
        var job = DockerJob.From(Rendered(new JsonObject
        {
            ["image"] = "127.0.0.1:5000/flows/repo-info:1",
            ["command"] = "sh -c \"echo hello\"",
            ["env"] = new JsonObject { ["A"] = "1", ["B"] = null },
            ["labels"] = new JsonObject { ["team"] = "data" },
            ["name"] = "brave-otter",
            ["image_pull_policy"] = "Never",
            ["volumes"] = new JsonArray("/data:/data:ro"),
            ["mem_limit"] = "256m",
            ["memswap_limit"] = "-1",
            ["auto_remove"] = true,
            ["privileged"] = true,
            ["stream_output"] = false,
            ["registry_credentials"] = new JsonObject { ["username"] = "u", ["password"] = "p", ["registry_url"] = "127.0.0.1:5000" },
        }));

        Assert.Equal("127.0.0.1:5000", job.Image.Registry);
        Assert.Equal(["sh", "-c", "echo hello"], job.Command);
        Assert.Equal("1", job.Env["A"]);
        Assert.Null(job.Env["B"]);
        Assert.Equal("data", job.Labels["team"]);
        Assert.Equal("brave-otter", job.Name);
        Assert.Equal(ImagePullPolicy.Never, job.EffectivePullPolicy);
        Assert.Equal(["/data:/data:ro"], job.Volumes);
        Assert.Equal(256L * 1024 * 1024, job.MemoryLimit);
        Assert.Equal(-1L, job.MemorySwapLimit);
        Assert.True(job.AutoRemove);
        Assert.True(job.Privileged);
        Assert.False(job.StreamOutput);
        Assert.Equal(new RegistryCredentials("u", "p", "127.0.0.1:5000"), job.Credentials);
    }

    [Fact]
    public void From_WithoutAnImage_SaysWhichJobVariableToSet()
    {
        var error = Assert.Throws<ArgumentException>(() => DockerJob.From(Rendered([])));

        Assert.Contains("The job variable 'image' is not set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_AnUnknownPullPolicy_NamesTheVariableAndTheChoices()
    {
        var error = Assert.Throws<ArgumentException>(() => DockerJob.From(Rendered(new JsonObject { ["image"] = "x:1", ["image_pull_policy"] = "Sometimes" })));

        Assert.Contains("'image_pull_policy' is 'Sometimes'; it must be IfNotPresent, Always or Never", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("repo-info", ImagePullPolicy.Always)]
    [InlineData("repo-info:latest", ImagePullPolicy.Always)]
    [InlineData("repo-info:1.0", ImagePullPolicy.IfNotPresent)]
    public void EffectivePullPolicy_Unset_IsAlwaysForLatestOrNoTag_AndIfNotPresentOtherwise(string image, ImagePullPolicy expected) =>
        Assert.Equal(expected, DockerJob.From(Rendered(new JsonObject { ["image"] = image })).EffectivePullPolicy);

    [Theory]
    [InlineData("brave otter/2", "brave-otter-2")]
    [InlineData("_-.hidden", "hidden")]
    [InlineData("💥", null)]
    public void ContainerName_KeepsWhatDockerAccepts(string name, string? expected) => Assert.Equal(expected, DockerJob.ContainerName(name));

    [Theory]
    [InlineData("http://127.0.0.1:4200/api", "host")]
    [InlineData("http://localhost:4200/api", "host")]
    [InlineData("https://reeve.example.com/api", null)]
    public void NetworkMode_Unset_IsHostForAServerOnLoopback(string apiUrl, string? expected) =>
        Assert.Equal(expected, DockerInfrastructure.NetworkMode(DockerJob.From(Rendered(new JsonObject { ["image"] = "x:1" })), apiUrl));

    [Fact]
    public void NetworkMode_SetOrWithNetworks_IsLeftAsGiven()
    {
        Assert.Equal("none", DockerInfrastructure.NetworkMode(DockerJob.From(Rendered(new JsonObject { ["image"] = "x:1", ["network_mode"] = "none" })), "http://127.0.0.1/api"));
        Assert.Null(DockerInfrastructure.NetworkMode(DockerJob.From(Rendered(new JsonObject { ["image"] = "x:1", ["networks"] = new JsonArray("flows") })), "http://127.0.0.1/api"));
    }
}
