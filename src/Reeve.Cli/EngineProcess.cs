using Reeve.Client;
using Reeve.Core.FlowRuns;
using Reeve.Workers.CloudRun;
using Reeve.Workers.ContainerInstances;
using Reeve.Workers.Docker;
using Reeve.Workers.Ecs;
using Reeve.Core.Logs;
using Reeve.Workers.Infrastructure;
using Reeve.Workers.Kubernetes;
using Reeve.Workers.Process;

namespace Reeve.Cli;

/// <summary>How a worker hosted by this command starts the Reeve engine for a flow run: <c>reeve flow-run execute</c>.</summary>
internal static class EngineProcess
{
    /// <summary>This very program, run again as <c>flow-run execute</c>.</summary>
    public static IReadOnlyList<string> Command()
    {
        var host = System.Environment.ProcessPath ?? "reeve";
        var entry = typeof(EngineProcess).Assembly.Location;
        return Path.GetFileNameWithoutExtension(host) == "dotnet" ? [host, entry, "flow-run", "execute"] : [host, "flow-run", "execute"];
    }

    /// <summary>What a flow run's process needs to find its run and its server.</summary>
    public static IReadOnlyDictionary<string, string> Environment(ReeveClientOptions client, FlowRun run)
    {
        var env = Settings(client);
        env["REEVE_FLOW_RUN_ID"] = run.Id.ToString();
        return env;
    }

    /// <summary>Where the server is, and its key.</summary>
    private static Dictionary<string, string> Settings(ReeveClientOptions client)
    {
        var env = new Dictionary<string, string> { ["REEVE_API_URL"] = client.ApiUrl };
        if (client.ApiKey is { Length: > 0 } key)
        {
            env["REEVE_API_KEY"] = key;
        }

        return env;
    }

    /// <summary>The infrastructures a worker of this command can run.</summary>
    /// <remarks>With <paramref name="standby"/>, a process worker keeps one engine started ahead of its next run.</remarks>
    public static Func<string, IInfrastructure?> Infrastructures(ReeveClientOptions client, string? sandboxRoot, TextWriter output, TextWriter error,
        TimeSpan? killGrace = null, ReeveClient? logs = null, bool standby = false) => type => type switch
    {
        "process" or "managed" => new ProcessInfrastructure(new ProcessInfrastructureOptions
        {
            EngineCommand = Command(),
            StandbyCommand = standby && type == "process" ? [.. Command(), "--standby"] : null,
            StandbyEnvironment = Settings(client),
            RunEnvironment = run => Environment(client, run),
            SandboxRoot = sandboxRoot,
            Output = output,
            Error = error,
            KillGracePeriod = killGrace ?? TimeSpan.FromSeconds(10),
        }),
        "docker" => new DockerInfrastructure(new DockerInfrastructureOptions
        {
            RunEnvironment = run => Environment(client, run),
            Output = output,
            Error = error,
            KillGracePeriod = killGrace ?? TimeSpan.FromSeconds(10),
        }),
        "kubernetes" => new KubernetesInfrastructure(new KubernetesInfrastructureOptions
        {
            RunEnvironment = run => Environment(client, run),
            RunLog = logs is null ? null : (run, level, message) => logs.CreateLogsAsync(
                [new LogCreate { Name = "reeve.worker", Level = level, Message = message, Timestamp = TimeProvider.System.GetUtcNow(), FlowRunId = run.Id }]),
            Output = output,
            Error = error,
            KillGracePeriod = killGrace ?? TimeSpan.FromSeconds(10),
        }),
        "cloud-run" => new CloudRunInfrastructure(new CloudRunInfrastructureOptions
        {
            RunEnvironment = run => Environment(client, run),
            Endpoint = System.Environment.GetEnvironmentVariable("REEVE_CLOUD_RUN_ENDPOINT") is { Length: > 0 } endpoint
                ? new Uri(endpoint.EndsWith('/') ? endpoint : endpoint + "/")
                : new Uri("https://run.googleapis.com/"),
            Output = output,
        }),
        "ecs" => new EcsInfrastructure(new EcsInfrastructureOptions
        {
            RunEnvironment = run => Environment(client, run),
            EcsEndpoint = AwsEndpoint("ECS"),
            Ec2Endpoint = AwsEndpoint("EC2"),
            Output = output,
        }),
        "aci" => new ContainerInstanceInfrastructure(new ContainerInstanceInfrastructureOptions
        {
            RunEnvironment = run => Environment(client, run),
            Endpoints = AzureEndpoints.FromEnvironment(System.Environment.GetEnvironmentVariable),
            Output = output,
        }),
        _ => null,
    };

    /// <summary>An AWS service's endpoint when AWS's own variables (<c>AWS_ENDPOINT_URL_&lt;SERVICE&gt;</c>, <c>AWS_ENDPOINT_URL</c>) move it; null for the regional default.</summary>
    private static Uri? AwsEndpoint(string service) =>
        System.Environment.GetEnvironmentVariable($"AWS_ENDPOINT_URL_{service}") is { Length: > 0 } || System.Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL") is { Length: > 0 }
            ? AwsService.EndpointFor(service, "", System.Environment.GetEnvironmentVariable)
            : null;
}
