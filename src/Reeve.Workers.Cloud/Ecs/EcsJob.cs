using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Reeve.Core.FlowRuns;
using Reeve.Core.JobTemplates;

namespace Reeve.Workers.Ecs;

/// <summary>
/// A rendered <c>ecs:push</c> job configuration, read and checked as Prefect's ECS worker reads its own: the task
/// definition to register (the orchestration container named <c>container_name</c>, else "reeve"; Fargate's task-level
/// CPU and memory and <c>awsvpc</c> network; CloudWatch logs when asked), or the ARN of one to use as it is; and the
/// RunTask request (launch type or capacity provider strategy, the run's Reeve settings and <c>env</c> as the
/// orchestration container's environment override, the labels as tags, <c>startedBy</c> the flow run's id).
/// </summary>
internal sealed partial class EcsJob
{
    /// <summary>The orchestration container's name when the configuration names none (Prefect's is "prefect").</summary>
    public const string DefaultContainerName = "reeve";

    /// <summary>The tag that marks a task whose task definition Reeve registered and deregisters once the task stopped.</summary>
    public const string DeregisterTag = "io.reeve.deregister-task-definition";

    public required AwsCredentials Credentials { get; init; }

    /// <summary>The task definition to register; null when <see cref="TaskDefinitionArn"/> names one.</summary>
    public JsonObject? TaskDefinition { get; init; }

    public string? TaskDefinitionArn { get; init; }

    /// <summary>The RunTask request, without its task definition and network yet.</summary>
    public required JsonObject RunRequest { get; init; }

    public required string ContainerName { get; init; }

    public string? Cluster { get; init; }

    public string? VpcId { get; init; }

    public JsonObject? NetworkConfiguration { get; init; }

    public bool AutoDeregister { get; init; }

    public bool MatchLatestRevision { get; init; }

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(300);

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <exception cref="ArgumentException">The configuration lacks what an ECS task needs, saying which variable.</exception>
    public static EcsJob From(JsonObject configuration, FlowRun run, IReadOnlyDictionary<string, string> runEnvironment, Func<string, string?> environment, string? home)
    {
        var credentials = AwsCredentials.From(configuration["aws_credentials"] as JsonObject, environment, home);
        var request = configuration["task_run_request"]?.DeepClone() as JsonObject ?? [];
        var arn = JobConfiguration.Text(request, "taskDefinition") is { Length: > 0 } given ? given : null;
        var definition = arn is null ? configuration["task_definition"]?.DeepClone() as JsonObject ?? [] : null;
        var containerName = JobConfiguration.Text(configuration, "container_name") is { Length: > 0 } named ? named
            : definition is null ? DefaultContainerName : ContainerNameIn(definition) ?? DefaultContainerName;
        var launchType = JobConfiguration.Text(request, "launchType") is { Length: > 0 } l ? l : null;
        if (definition is not null)
        {
            PrepareDefinition(definition, configuration, run, containerName, launchType, credentials.Region);
            DropEmpty(definition);
        }

        PrepareRequest(request, configuration, run, runEnvironment, containerName, launchType, definition);
        DropEmpty(request);
        return new EcsJob
        {
            Credentials = credentials,
            TaskDefinition = definition,
            TaskDefinitionArn = arn,
            RunRequest = request,
            ContainerName = containerName,
            Cluster = JobConfiguration.Text(request, "cluster"),
            VpcId = JobConfiguration.Text(configuration, "vpc_id") is { Length: > 0 } vpc ? vpc : null,
            NetworkConfiguration = configuration["network_configuration"] is JsonObject { Count: > 0 } network ? (JsonObject)network.DeepClone() : null,
            AutoDeregister = JobConfiguration.Flag(configuration, "auto_deregister_task_definition") ?? false,
            MatchLatestRevision = JobConfiguration.Flag(configuration, "match_latest_revision_in_family") ?? false,
            StartTimeout = Seconds(configuration, "task_start_timeout_seconds", 300),
            PollInterval = Max(Seconds(configuration, "task_watch_poll_interval", 5), MinimumPollInterval),
        };
    }

    /// <summary>The name of the task definition's container "reeve", else of its first container.</summary>
    public static string? ContainerNameIn(JsonObject definition)
    {
        var containers = (definition["containerDefinitions"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        return containers.Any(c => JobConfiguration.Text(c, "name") == DefaultContainerName) ? DefaultContainerName
            : containers.Select(c => JobConfiguration.Text(c, "name")).FirstOrDefault(n => n is { Length: > 0 });
    }

    private static void PrepareDefinition(JsonObject definition, JsonObject configuration, FlowRun run, string containerName, string? launchType, string region)
    {
        var containers = definition["containerDefinitions"] as JsonArray ?? [];
        definition["containerDefinitions"] = containers;
        foreach (var empty in containers.Where(c => c is not JsonObject { Count: > 0 }).ToList())
        {
            containers.Remove(empty);
        }

        var container = containers.OfType<JsonObject>().FirstOrDefault(c => JobConfiguration.Text(c, "name") == containerName);
        if (container is null)
        {
            if (containerName != DefaultContainerName)
            {
                throw new ArgumentException($"The task definition has no container '{containerName}' (the job variable 'container_name').", nameof(configuration));
            }

            container = containers.OfType<JsonObject>().FirstOrDefault(c => JobConfiguration.Text(c, "name") is not { Length: > 0 });
            if (container is null)
            {
                container = [];
                containers.Add(container);
            }

            container["name"] = containerName;
        }

        if (JobConfiguration.Text(container, "image") is not { Length: > 0 })
        {
            throw new ArgumentException("The job variable 'image' is not set: name the container image to run (in the pool's defaults, the deployment or the run).", nameof(configuration));
        }

        var family = JobConfiguration.Text(definition, "family") is { Length: > 0 } f ? f
            : $"reeve_{run.WorkPoolName ?? "pool"}_{run.DeploymentId ?? run.FlowId}";
        family = NotFamily().Replace(family, "-");
        definition["family"] = family[..Math.Min(family.Length, 255)];

        if (JobConfiguration.Flag(configuration, "configure_cloudwatch_logs") == true)
        {
            if (JobConfiguration.Text(definition, "executionRoleArn") is not { Length: > 0 })
            {
                throw new ArgumentException("The job variable 'configure_cloudwatch_logs' needs an 'execution_role_arn' (a role allowed logs:CreateLogGroup, logs:CreateLogStream and logs:PutLogEvents).", nameof(configuration));
            }

            var options = new JsonObject
            {
                ["awslogs-create-group"] = "true",
                ["awslogs-group"] = "reeve",
                ["awslogs-region"] = region,
                ["awslogs-stream-prefix"] = JobConfiguration.Text(configuration, "cloudwatch_logs_prefix") is { Length: > 0 } prefix ? prefix
                    : $"reeve-logs_{run.WorkPoolName ?? "pool"}_{run.DeploymentId ?? run.FlowId}",
            };
            foreach (var (key, value) in JobConfiguration.Strings(configuration, "cloudwatch_logs_options"))
            {
                options[key] = value;
            }

            container["logConfiguration"] = new JsonObject { ["logDriver"] = "awslogs", ["options"] = options };
        }
        else if (configuration["cloudwatch_logs_options"] is JsonObject { Count: > 0 })
        {
            throw new ArgumentException("The job variable 'cloudwatch_logs_options' needs 'configure_cloudwatch_logs' on.", nameof(configuration));
        }

        var cpu = JobConfiguration.Text(definition, "cpu") is { Length: > 0 } c ? c : definition["cpu"] is JsonValue cv && cv.TryGetValue<int>(out var ci) ? ci.ToString(CultureInfo.InvariantCulture) : "1024";
        var memory = JobConfiguration.Text(definition, "memory") is { Length: > 0 } m ? m : definition["memory"] is JsonValue mv && mv.TryGetValue<int>(out var mi) ? mi.ToString(CultureInfo.InvariantCulture) : "2048";
        if (launchType is null or "FARGATE" or "FARGATE_SPOT" && !RequiresEc2(definition))
        {
            definition["cpu"] = cpu;
            definition["memory"] = memory;
            var compatibilities = definition["requiresCompatibilities"] as JsonArray ?? [];
            definition["requiresCompatibilities"] = compatibilities;
            if (!compatibilities.Any(x => x?.GetValue<string>() == "FARGATE"))
            {
                compatibilities.Add("FARGATE");
            }

            definition["networkMode"] ??= "awsvpc";
        }
        else
        {
            container["cpu"] ??= int.TryParse(cpu, CultureInfo.InvariantCulture, out var n) ? n : 1024;
            container["memory"] ??= int.TryParse(memory, CultureInfo.InvariantCulture, out var k) ? k : 2048;
            if (definition["cpu"] is JsonValue)
            {
                definition["cpu"] = cpu;
            }

            if (definition["memory"] is JsonValue)
            {
                definition["memory"] = memory;
            }
        }
    }

    private static void PrepareRequest(JsonObject request, JsonObject configuration, FlowRun run, IReadOnlyDictionary<string, string> runEnvironment,
        string containerName, string? launchType, JsonObject? definition)
    {
        request.Remove("taskDefinition");
        if (JobConfiguration.Text(configuration, "cluster") is { Length: > 0 } cluster && JobConfiguration.Text(request, "cluster") is not { Length: > 0 })
        {
            request["cluster"] = cluster;
        }

        if (request["capacityProviderStrategy"] is JsonArray { Count: > 0 })
        {
            request.Remove("launchType");
        }
        else if (launchType == "FARGATE_SPOT")
        {
            request.Remove("launchType");
            request["capacityProviderStrategy"] = new JsonArray(new JsonObject { ["capacityProvider"] = "FARGATE_SPOT", ["weight"] = 1 });
        }
        else if (launchType is null && (definition is null || !RequiresEc2(definition)))
        {
            request["launchType"] = "FARGATE";
        }

        var overrides = request["overrides"] as JsonObject ?? [];
        request["overrides"] = overrides;
        var containerOverrides = overrides["containerOverrides"] as JsonArray ?? [];
        overrides["containerOverrides"] = containerOverrides;
        if (containerOverrides.Count > 0 && containerOverrides[0] is JsonObject first && JobConfiguration.Text(first, "name") is not { Length: > 0 })
        {
            first["name"] = containerName;
        }

        var orchestration = containerOverrides.OfType<JsonObject>().FirstOrDefault(c => JobConfiguration.Text(c, "name") == containerName);
        if (orchestration is null)
        {
            orchestration = new JsonObject { ["name"] = containerName };
            containerOverrides.Add(orchestration);
        }

        var environmentList = new JsonArray();
        foreach (var (name, value) in Infrastructure.RunEnvironment.Of(runEnvironment, JobConfiguration.Strings(configuration, "env")))
        {
            if (value is not null)
            {
                environmentList.Add(new JsonObject { ["name"] = name, ["value"] = value });
            }
        }

        orchestration["environment"] = environmentList;
        if (JobConfiguration.Arguments(configuration, "command") is { } command)
        {
            orchestration["command"] = new JsonArray([.. command.Select(a => (JsonNode)a)]);
        }
        else if (JobConfiguration.Arguments(orchestration, "command") is { } given)
        {
            orchestration["command"] = new JsonArray([.. given.Select(a => (JsonNode)a)]);
        }
        else
        {
            orchestration.Remove("command");
        }

        foreach (var key in new[] { "cpu", "memory" })
        {
            if (overrides[key] is JsonValue value)
            {
                overrides[key] = JobConfiguration.Text(overrides, key) ?? value.ToJsonString();
            }
        }

        var tags = new JsonArray();
        foreach (var (key, value) in JobConfiguration.Strings(configuration, "labels"))
        {
            if (value is not null && Tag(key) is { Length: > 0 } safeKey)
            {
                tags.Add(new JsonObject { ["key"] = safeKey[..Math.Min(safeKey.Length, 128)], ["value"] = Tag(value)[..Math.Min(Tag(value).Length, 256)] });
            }
        }

        request["tags"] = tags;
        request["startedBy"] = run.Id.ToString();
    }

    private static bool RequiresEc2(JsonObject definition) =>
        (definition["requiresCompatibilities"] as JsonArray ?? []).Any(x => x is JsonValue v && v.TryGetValue<string>(out var s) && s == "EC2");

    private static string Tag(string text) => NotTag().Replace(text, "-");

    /// <summary>The shortest pause between reads of a task: a smaller interval would turn the follow into a busy loop against the API.</summary>
    public static readonly TimeSpan MinimumPollInterval = TimeSpan.FromMilliseconds(50);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TimeSpan Seconds(JsonObject configuration, string key, double fallback) => configuration[key] switch
    {
        null => TimeSpan.FromSeconds(fallback),
        JsonValue v when v.TryGetValue<double>(out var s) && s is >= 0 and <= 86_400 => TimeSpan.FromSeconds(s == 0 ? fallback : s),
        JsonValue v when v.TryGetValue<string>(out var t) && double.TryParse(t, CultureInfo.InvariantCulture, out var s) && s is >= 0 and <= 86_400 => TimeSpan.FromSeconds(s == 0 ? fallback : s),
        _ => throw new ArgumentException($"The job variable '{key}' must be a number of seconds from 0 to 86400.", nameof(configuration)),
    };

    /// <summary>Drops null, empty strings, lists and objects, as AWS refuses them; false and 0 stay.</summary>
    internal static void DropEmpty(JsonObject node)
    {
        foreach (var (key, value) in node.ToList())
        {
            if (value is JsonObject child)
            {
                DropEmpty(child);
            }
            else if (value is JsonArray list)
            {
                foreach (var item in list.OfType<JsonObject>())
                {
                    DropEmpty(item);
                }
            }

            if (value is null || value is JsonObject { Count: 0 } || value is JsonArray { Count: 0 }
                || (value is JsonValue v && v.TryGetValue<string>(out var s) && s.Length == 0))
            {
                node.Remove(key);
            }
        }
    }

    [GeneratedRegex("[^a-zA-Z0-9_-]+")]
    private static partial Regex NotFamily();

    [GeneratedRegex("[^a-zA-Z0-9_./=+:@ -]")]
    private static partial Regex NotTag();
}
