using System.Text.Json.Nodes;
using Reeve.Core.FlowRuns;
using Reeve.Core.JobTemplates;
using Reeve.Core.PoolTypes;
using Reeve.Workers.Kubernetes;

namespace Reeve.Workers.Tests.Kubernetes;

public sealed class KubernetesJobTests
{
    private static readonly FlowRun Run = new()
    {
        Id = Guid.Parse("01a24710-9ef8-720b-a92c-56574e2b4a65"),
        Name = "sage-fox",
        FlowId = Guid.NewGuid(),
        Created = DateTimeOffset.UnixEpoch,
        Updated = DateTimeOffset.UnixEpoch,
    };

    private static JsonObject Rendered(JsonObject variables)
    {
        var configuration = JobConfiguration.Render(PoolTypeCatalog.Find("kubernetes")!.DefaultBaseJobTemplate, variables, null);
        configuration["labels"] = new JsonObject { ["io.reeve.flow-run-id"] = Run.Id.ToString(), ["io.reeve.worker-name"] = "KubernetesWorker 82b1 x" };
        return configuration;
    }

    [Fact]
    public void Manifest_FromTheDefaultTemplate_HasThePrefectDefaults_TheRunsEnvironment_AndTheKeyOnlyAsASecretReference()
    {
        var job = KubernetesJob.From(Rendered(new JsonObject
        {
            ["image"] = "127.0.0.1:5000/flows/repo-info:1",
            ["namespace"] = "flows",
            ["env"] = new JsonObject { ["GITHUB_API_URL"] = "http://127.0.0.1:4300", ["REEVE_FLOW_RUN_ID"] = null },
            ["cpu_request"] = "500m",
            ["memory_limit"] = "1Gi",
            ["finished_job_ttl"] = 600,
        }));
        var environment = new Dictionary<string, string?> { ["REEVE_API_URL"] = "http://127.0.0.1:4200/api", ["REEVE_API_KEY"] = "secret-key", ["GITHUB_API_URL"] = "http://127.0.0.1:4300" };

        var manifest = KubernetesInfrastructure.Manifest(job, Run, environment, keySecret: "sage-fox-api-key-x1");

        Assert.Equal("flows", manifest.Metadata.NamespaceProperty);
        Assert.Equal("sage-fox-", manifest.Metadata.GenerateName);
        Assert.Equal(0, manifest.Spec.BackoffLimit);
        Assert.Equal(600, manifest.Spec.TtlSecondsAfterFinished);
        Assert.Equal("Never", manifest.Spec.Template.Spec.RestartPolicy);
        Assert.Equal(Run.Id.ToString(), manifest.Metadata.Labels["io.reeve.flow-run-id"]);
        Assert.Equal(Run.Id.ToString(), manifest.Spec.Template.Metadata.Labels["io.reeve.flow-run-id"]);
        Assert.Equal("KubernetesWorker-82b1-x", manifest.Metadata.Labels["io.reeve.worker-name"]);
        var container = Assert.Single(manifest.Spec.Template.Spec.Containers);
        Assert.Equal("127.0.0.1:5000/flows/repo-info:1", container.Image);
        Assert.Equal("500m", container.Resources.Requests["cpu"].ToString());
        Assert.Equal("1Gi", container.Resources.Limits["memory"].ToString());
        Assert.Null(container.Args);
        Assert.Equal("http://127.0.0.1:4300", container.Env.Single(e => e.Name == "GITHUB_API_URL").Value);
        var key = container.Env.Single(e => e.Name == "REEVE_API_KEY");
        Assert.Null(key.Value);
        Assert.Equal(("sage-fox-api-key-x1", "REEVE_API_KEY"), (key.ValueFrom.SecretKeyRef.Name, key.ValueFrom.SecretKeyRef.Key));
        Assert.DoesNotContain("secret-key", k8s.KubernetesJson.Serialize(manifest), StringComparison.Ordinal);
    }

    [Fact]
    public void Manifest_ACommand_IsTheContainersArguments()
    {
        var job = KubernetesJob.From(Rendered(new JsonObject { ["image"] = "busybox:1", ["command"] = "sh -c 'exit 3'" }));

        var manifest = KubernetesInfrastructure.Manifest(job, Run, new Dictionary<string, string?>(), keySecret: null);

        Assert.Equal(["sh", "-c", "exit 3"], manifest.Spec.Template.Spec.Containers[0].Args);
        Assert.Equal("default", manifest.Metadata.NamespaceProperty);
    }

    [Theory]
    [InlineData("""{"namespace": "Not_A_Namespace", "image": "x:1"}""", "namespace")]
    [InlineData("""{}""", "image")]
    [InlineData("""{"image": "x:1", "pod_watch_timeout_seconds": "soon"}""", "pod_watch_timeout_seconds")]
    public void From_ABadVariable_IsNamed(string variables, string named)
    {
        var error = Assert.Throws<ArgumentException>(() => KubernetesJob.From(Rendered((JsonObject)JsonNode.Parse(variables)!)));

        Assert.Contains($"'{named}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Sage_Fox!!", "sage-fox-")]
    [InlineData("---", "reeve-")]
    [InlineData("a-very-long-flow-run-name-that-goes-on-and-on-and-on-past-the-limit", "a-very-long-flow-run-name-that-goes-on-and-on-and-on-pas-")]
    public void NamePrefix_IsDnsSafe_AndShortEnoughForTheSuffix(string name, string prefix)
    {
        Assert.Equal(prefix, KubernetesJob.NamePrefix(name));
        Assert.True(KubernetesJob.NamePrefix(name).Length <= 58);
    }
}
