using k8s;
using k8s.Models;
using Reeve.Tests.Workers;

namespace Reeve.Tests.Packaging;

/// <summary>
/// deploy/kubernetes applied with <c>kubectl apply -k</c> to the real API server of the Kubernetes suite: the API
/// server validates every object (schema, admission; kubectl's strict validation refuses unknown fields) and keeps
/// them. The pods are not run: this control plane has no deployment controller and no kubelet.
/// </summary>
public sealed class KubernetesManifestsTests
{
    private static readonly string Root = Path.Combine(KubernetesFixture.RepositoryRoot(), "deploy", "kubernetes");

    private static Task<(int ExitCode, string Output)> KubectlAsync(params string[] arguments) =>
        ExternalProcess.RunAsync("kubectl", ["--kubeconfig", TestEnvironment.Kubeconfig!, .. arguments], TimeSpan.FromSeconds(60));

    private static async Task<(IKubernetes Kube, string Namespace)> NamespaceAsync()
    {
        TestEnvironment.RequireKubernetesApi();
        var kube = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(TestEnvironment.Kubeconfig));
        var name = Names.Unique("manifests").ToLowerInvariant().Replace('_', '-');
        await kube.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        return (kube, name);
    }

    [Fact]
    public async Task TheBase_IsAcceptedByTheApiServer_AndCreatesTheServerWithItsVolumeAndProbes_AndTheWorkerWithItsRole()
    {
        var (kube, ns) = await NamespaceAsync();
        using (kube)
        {
            var dryRun = await KubectlAsync("apply", "-n", ns, "-k", Path.Combine(Root, "base"), "--dry-run=server", "--validate=strict");
            Assert.True(dryRun.ExitCode == 0, dryRun.Output);

            var applied = await KubectlAsync("apply", "-n", ns, "-k", Path.Combine(Root, "base"), "--validate=strict");
            Assert.True(applied.ExitCode == 0, applied.Output);

            var server = await kube.AppsV1.ReadNamespacedDeploymentAsync("reeve-server", ns);
            Assert.Equal(1, server.Spec.Replicas);
            Assert.Equal("Recreate", server.Spec.Strategy.Type);
            var container = server.Spec.Template.Spec.Containers.Single();
            Assert.Equal("reeve/server:0.1.0", container.Image);
            Assert.Equal("/api/health", container.LivenessProbe.HttpGet.Path);
            Assert.Equal("/api/ready", container.ReadinessProbe.HttpGet.Path);
            Assert.Equal("reeve-data", server.Spec.Template.Spec.Volumes.Single(v => v.Name == "data").PersistentVolumeClaim.ClaimName);
            Assert.NotNull(await kube.CoreV1.ReadNamespacedPersistentVolumeClaimAsync("reeve-data", ns));
            Assert.Equal(4200, (await kube.CoreV1.ReadNamespacedServiceAsync("reeve-server", ns)).Spec.Ports.Single().Port);

            var worker = await kube.AppsV1.ReadNamespacedDeploymentAsync("reeve-worker", ns);
            Assert.Equal("reeve-worker", worker.Spec.Template.Spec.ServiceAccountName);
            Assert.Equal("http://reeve-server:4200/api", worker.Spec.Template.Spec.Containers.Single().Env.Single(e => e.Name == "REEVE_API_URL").Value);
            var binding = await kube.RbacAuthorizationV1.ReadNamespacedRoleBindingAsync("reeve-worker", ns);
            Assert.Equal("reeve-worker", binding.Subjects.Single().Name);
            Assert.Contains((await kube.RbacAuthorizationV1.ReadNamespacedRoleAsync("reeve-worker", ns)).Rules, r => r.Resources.Contains("jobs"));

            await kube.CoreV1.DeleteNamespaceAsync(ns);
        }
    }

    [Fact]
    public async Task ThePostgresOverlay_RunsThreeReplicasOnTheSecretsDatabase_WithoutAVolumeClaim()
    {
        var (kube, ns) = await NamespaceAsync();
        using (kube)
        {
            var applied = await KubectlAsync("apply", "-n", ns, "-k", Path.Combine(Root, "postgres-replicas"), "--validate=strict");
            Assert.True(applied.ExitCode == 0, applied.Output);

            var server = await kube.AppsV1.ReadNamespacedDeploymentAsync("reeve-server", ns);
            Assert.Equal(3, server.Spec.Replicas);
            Assert.Equal("RollingUpdate", server.Spec.Strategy.Type);
            var url = server.Spec.Template.Spec.Containers.Single().Env.Single(e => e.Name == "REEVE_DATABASE_URL");
            Assert.Equal("reeve-database", url.ValueFrom.SecretKeyRef.Name);
            Assert.NotNull(server.Spec.Template.Spec.Volumes.Single(v => v.Name == "data").EmptyDir);
            Assert.Empty((await kube.CoreV1.ListNamespacedPersistentVolumeClaimAsync(ns)).Items);

            await kube.CoreV1.DeleteNamespaceAsync(ns);
        }
    }

    [Fact]
    public async Task AManifestWithAFieldKubernetesDoesNotKnow_IsRefused()
    {
        // The check above could fail: the same apply refuses a typo.
        var (kube, ns) = await NamespaceAsync();
        using (kube)
        {
            var folder = Directory.CreateTempSubdirectory("reeve-kustomize-");
            try
            {
                await File.WriteAllTextAsync(Path.Combine(folder.FullName, "kustomization.yaml"), "resources: [service.yaml]\n");
                await File.WriteAllTextAsync(Path.Combine(folder.FullName, "service.yaml"),
                    "apiVersion: v1\nkind: Service\nmetadata: {name: typo}\nspec:\n  ports: [{port: 4200, targetPrt: 4200}]\n");
                var applied = await KubectlAsync("apply", "-n", ns, "-k", folder.FullName, "--dry-run=server", "--validate=strict");
                Assert.NotEqual(0, applied.ExitCode);
                Assert.Contains("targetPrt", applied.Output, StringComparison.Ordinal);
            }
            finally
            {
                folder.Delete(recursive: true);
                await kube.CoreV1.DeleteNamespaceAsync(ns);
            }
        }
    }
}
