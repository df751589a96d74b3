using Xunit;

namespace Reeve.Testing;

/// <summary>
/// What the machine offers the tests. Suites that need PostgreSQL run when <c>REEVE_TEST_POSTGRES</c> holds a
/// connection string and are skipped, saying why, when it does not — unless <c>REEVE_TEST_REQUIRE_ALL=1</c>
/// (set by <c>.ci/run</c>), which turns every such skip into a failure.
/// </summary>
public static class TestEnvironment
{
    public static string? PostgresConnectionString => Value("REEVE_TEST_POSTGRES");

    /// <summary>The Docker engine for the Docker suite (<c>REEVE_TEST_DOCKER_HOST</c>, such as <c>unix:///tmp/d/docker.sock</c>).</summary>
    public static string? DockerHost => Value("REEVE_TEST_DOCKER_HOST");

    /// <summary>A registry on loopback for the Docker suite (<c>REEVE_TEST_REGISTRY</c>, such as <c>127.0.0.1:5000</c>).</summary>
    public static string? Registry => Value("REEVE_TEST_REGISTRY");

    /// <summary>The image the Docker suite's images are built on (<c>REEVE_TEST_DOCKER_BASE_IMAGE</c>; nothing can be pulled here).</summary>
    public static string? DockerBaseImage => Value("REEVE_TEST_DOCKER_BASE_IMAGE");

    public static bool RequireAll => Environment.GetEnvironmentVariable("REEVE_TEST_REQUIRE_ALL") == "1";

    public static void RequirePostgres()
    {
        if (PostgresConnectionString is null)
        {
            Skip("PostgreSQL suite skipped: set REEVE_TEST_POSTGRES to a PostgreSQL connection string (e.g. Host=127.0.0.1;Port=55432;Username=postgres) to run it.");
        }
    }

    /// <summary>The Docker suite runs on a real engine and registry (eng/docker starts both; .ci/run does it for CI).</summary>
    public static void RequireDocker()
    {
        if (DockerHost is null || Registry is null || DockerBaseImage is null)
        {
            Skip("Docker suite skipped: set REEVE_TEST_DOCKER_HOST, REEVE_TEST_REGISTRY and REEVE_TEST_DOCKER_BASE_IMAGE " +
                "(eng/docker/start-docker.sh, start-registry.sh and build-base-image.sh give all three) to run it.");
        }
    }

    /// <summary>A cluster admin's kubeconfig for the Kubernetes suite (<c>REEVE_TEST_KUBECONFIG</c>; eng/kubernetes/start.sh writes it).</summary>
    public static string? Kubeconfig => Value("REEVE_TEST_KUBECONFIG");

    /// <summary>The kubeconfig of user reeve-worker, who may do nothing until a Role is bound to it (<c>REEVE_TEST_KUBECONFIG_WORKER</c>).</summary>
    public static string? WorkerKubeconfig => Value("REEVE_TEST_KUBECONFIG_WORKER");

    /// <summary>The kubeconfig of user reeve-narrow, for a narrower Role (<c>REEVE_TEST_KUBECONFIG_NARROW</c>).</summary>
    public static string? NarrowKubeconfig => Value("REEVE_TEST_KUBECONFIG_NARROW");

    /// <summary>
    /// The Kubernetes suite runs on a real API server (built from Debian's source package by eng/kubernetes) with the
    /// test's own node agent (a kubelet stand-in) running pods on the private Docker engine: it needs both.
    /// </summary>
    public static void RequireKubernetes()
    {
        RequireDocker();
        if (Kubeconfig is null || WorkerKubeconfig is null || NarrowKubeconfig is null)
        {
            Skip("Kubernetes suite skipped: set REEVE_TEST_KUBECONFIG, REEVE_TEST_KUBECONFIG_WORKER and REEVE_TEST_KUBECONFIG_NARROW " +
                "(eval \"$(eng/kubernetes/start.sh DIR)\" starts an API server and prints all three) to run it.");
        }
    }

    /// <summary>Tests that talk to the API server only (no pods run): the admin kubeconfig is enough.</summary>
    public static void RequireKubernetesApi()
    {
        if (Kubeconfig is null)
        {
            Skip("Kubernetes API tests skipped: set REEVE_TEST_KUBECONFIG (eval \"$(eng/kubernetes/start.sh DIR)\" starts an API server) to run them.");
        }
    }

    /// <summary>The browser of the UI suite: Debian's Chromium (<c>REEVE_TEST_CHROMIUM</c> names another).</summary>
    public static string Chromium => Value("REEVE_TEST_CHROMIUM") ?? "/usr/bin/chromium";

    /// <summary>The UI suite runs in a real Chromium (<c>apt-get install chromium</c>; .ci/run installs it).</summary>
    public static void RequireChromium()
    {
        if (!File.Exists(Chromium))
        {
            Skip($"UI suite skipped: no Chromium at {Chromium} (apt-get install chromium, or set REEVE_TEST_CHROMIUM).");
        }
    }

    private static string? Value(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    private static void Skip(string why)
    {
        if (RequireAll)
        {
            Assert.Fail("REEVE_TEST_REQUIRE_ALL=1 but " + why);
        }

        Assert.Skip(why);
    }
}
