using System.Text.Json.Nodes;

namespace Reeve.Core.PoolTypes;

/// <summary>The work pool types Reeve runs, each with the default base job template of its infrastructure.</summary>
public static class PoolTypeCatalog
{
    /// <summary>Every known type, in the order they are listed.</summary>
    public static IReadOnlyList<PoolType> All { get; } =
    [
        Load("process", "Process", "reeve", isManaged: false,
            "Runs each flow run as a process on the worker's machine. Works well to get started and for local execution."),
        Load("managed", "Reeve Managed", "reeve", isManaged: true,
            "Runs each flow run on the Reeve server itself, in a sandbox folder of its own. No worker to start."),
        Load("docker", "Docker", "reeve-docker", isManaged: false,
            "Runs each flow run in its own Docker container. The worker needs a running Docker engine."),
        Load("kubernetes", "Kubernetes", "reeve-kubernetes", isManaged: false,
            "Runs each flow run as a Kubernetes Job. The worker needs access to a Kubernetes cluster."),
        Load("docker:push", "Docker (push)", "reeve-docker", isManaged: false,
            "The server itself runs each flow run in its own container on a Docker engine (DOCKER_HOST of the server, else its local socket). No worker to start.",
            template: "docker"),
        Load("kubernetes:push", "Kubernetes (push)", "reeve-kubernetes", isManaged: false,
            "The server itself submits each flow run as a Kubernetes Job to its cluster (KUBECONFIG of the server, else its service account). No worker to start.",
            template: "kubernetes"),
        Load("cloud-run:push", "Google Cloud Run (push)", "reeve-gcp", isManaged: false,
            "The server itself runs each flow run as a Google Cloud Run job, with the pool's Google Cloud credentials. No worker to start. (Tested against a stand-in of the Cloud Run Admin API, not yet against Google Cloud.)",
            template: "cloud-run"),
        Load("ecs:push", "AWS Elastic Container Service (push)", "reeve-aws", isManaged: false,
            "The server itself runs each flow run as an Amazon ECS task (Fargate by default), with the pool's AWS credentials. No worker to start. (Tested against a stand-in of the ECS API, not yet against AWS.)",
            template: "ecs"),
        Load("aci:push", "Azure Container Instances (push)", "reeve-azure", isManaged: false,
            "The server itself runs each flow run as an Azure Container Instances container group, with the pool's Azure service principal. No worker to start. (Tested against a stand-in of Microsoft Entra ID and Azure Resource Manager, not yet against Azure.)",
            template: "aci"),
    ];

    /// <summary>The known type slugs, comma-separated, for error messages.</summary>
    public static string KnownTypes => string.Join(", ", All.Select(t => t.Type));

    /// <summary>The type with slug <paramref name="type"/>, or null.</summary>
    public static PoolType? Find(string type) => All.FirstOrDefault(t => t.Type == type);

    private static PoolType Load(string type, string displayName, string collection, bool isManaged, string description, string? template = null)
    {
        var resource = $"Reeve.Core.PoolTypes.{template ?? type}.json";
        using var stream = typeof(PoolTypeCatalog).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The default template {resource} is not embedded.");
        var parsed = JsonNode.Parse(stream) as JsonObject
            ?? throw new InvalidOperationException($"The default template {resource} is not a JSON object.");
        return new PoolType
        {
            Type = type,
            DisplayName = displayName,
            Description = description,
            Collection = collection,
            IsManaged = isManaged,
            IsPush = type.EndsWith(PoolType.PushSuffix, StringComparison.Ordinal),
            Template = parsed,
        };
    }
}
