using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Reeve.Testing.Cloud;

/// <summary>
/// A STAND-IN for AWS (no cloud is reachable from here), written from AWS's API references, on one loopback endpoint
/// (as <c>AWS_ENDPOINT_URL</c> points every service at one place): every request's Signature Version 4 is checked with
/// the secret the stand-in handed out (a wrong key gets 403 with AWS's error shape), and routed by its credential scope's
/// service. ECS (JSON 1.1, <c>X-Amz-Target: AmazonEC2ContainerServiceV20141113.Action</c>): task definitions
/// (register, describe, deregister) and tasks (run, with client tokens; describe; list; stop), moving each task
/// PROVISIONING → PENDING → RUNNING on successive reads, and STOPPED once its "container" — <see cref="Execute"/>, the
/// test's — has ended. EC2 (Query): the default VPC and its subnets. The rest (IAM, ECR, STS, EC2's writes) is in
/// <c>EcsStandIn.Provisioning.cs</c>.
/// </summary>
public sealed partial class EcsStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, string> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, JsonObject> _definitions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, JsonObject> _tasks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (int ExitCode, string? Reason)> _exits = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    private EcsStandIn(WebApplication app) => _app = app;

    /// <summary>Its base URL, <c>http://127.0.0.1:PORT/</c>.</summary>
    public string Url { get; private init; } = "";

    /// <summary>The account's id.</summary>
    public string Account { get; } = "123456789012";

    /// <summary>The region the stand-in's resources are in.</summary>
    public string Region { get; } = "us-east-1";

    /// <summary>The access key the stand-in knows from the start (the user's, as an administrator would have).</summary>
    public (string Id, string Secret) Key { get; } = ("AKIASTANDINADMIN0001", "stand-in/admin/" + Guid.NewGuid().ToString("N"));

    /// <summary>Actions refused with AccessDenied, as "service:Action" (<c>ecs:RunTask</c>, <c>iam:CreateUser</c>).</summary>
    public ConcurrentDictionary<string, bool> Denied { get; } = new(StringComparer.Ordinal);

    /// <summary>How many calls of an ECS action (by name) to refuse with ThrottlingException before taking them.</summary>
    public ConcurrentDictionary<string, int> Throttles { get; } = new(StringComparer.Ordinal);

    /// <summary>How many RunTask calls start their task and then answer ServerException, as an answer lost on the way back would look.</summary>
    public int LostRunAnswers { get; set; }

    /// <summary>Tasks stay PENDING (as when Fargate has no capacity or the image cannot be pulled) while this is set.</summary>
    public bool HoldPending { get; set; }

    /// <summary>The ECS clusters that exist (ECS's "default" among them).</summary>
    public ConcurrentDictionary<string, bool> Clusters { get; } = new(StringComparer.Ordinal) { ["default"] = true };

    /// <summary>What a task's container does, given the RunTask request: its exit code and, when the task fails, ECS's stopped reason. Exits 0 by default.</summary>
    public Func<JsonObject, CancellationToken, Task<(int ExitCode, string? Reason)>> Execute { get; set; } = (_, _) => Task.FromResult((0, (string?)null));

    /// <summary>Every task definition registered, in order.</summary>
    public ConcurrentQueue<JsonObject> Registered { get; } = new();

    /// <summary>The ARNs of the task definitions deregistered.</summary>
    public ConcurrentQueue<string> Deregistered { get; } = new();

    /// <summary>Every RunTask request that started a task, in order.</summary>
    public ConcurrentQueue<JsonObject> Runs { get; } = new();

    /// <summary>The ARNs of the tasks stopped by StopTask, with the reason given.</summary>
    public ConcurrentQueue<(string Task, string Reason)> Stopped { get; } = new();

    /// <summary>Every request, as "service:Action", in order.</summary>
    public ConcurrentQueue<string> Calls { get; } = new();

    public static async Task<EcsStandIn> StartAsync()
    {
        EcsStandIn? standIn = null;
        var (app, url) = await LoopbackHttpServer.StartAppAsync(context => standIn!.AnswerAsync(context));
        standIn = new EcsStandIn(app) { Url = url + "/" };
        standIn._keys[standIn.Key.Id] = standIn.Key.Secret;
        standIn.SeedNetwork();
        return standIn;
    }

    /// <summary>The tasks, by ARN, as DescribeTasks would show them.</summary>
    public IReadOnlyDictionary<string, JsonObject> Tasks => _tasks;

    /// <summary>The aws-credentials fields of <see cref="Key"/> (or of another secret, which AWS refuses).</summary>
    public JsonObject Credentials(string? secret = null) => new()
    {
        ["aws_access_key_id"] = Key.Id,
        ["aws_secret_access_key"] = secret ?? Key.Secret,
        ["region_name"] = Region,
    };

    private async Task AnswerAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var (service, _, code, message) = AwsSignatureCheck.Check(context.Request, body, id => _keys.TryGetValue(id, out var secret) ? secret : null);
        var target = context.Request.Headers["X-Amz-Target"].ToString();
        if (code is not null)
        {
            Calls.Enqueue($"{service}:refused");
            await (target.Length > 0
                ? JsonErrorAsync(context, 403, code, message!)
                : XmlErrorAsync(context, service ?? "", 403, code == "InvalidSignatureException" ? "SignatureDoesNotMatch" : code == "UnrecognizedClientException" ? "InvalidClientTokenId" : code, message!));
            return;
        }

        if (target.Length > 0)
        {
            var action = target[(target.IndexOf('.', StringComparison.Ordinal) + 1)..];
            Calls.Enqueue($"{service}:{action}");
            var request = JsonNode.Parse(body.Length == 0 ? "{}" : Encoding.UTF8.GetString(body)) as JsonObject ?? [];
            if (Denied.ContainsKey($"{service}:{action}"))
            {
                await JsonErrorAsync(context, 400, "AccessDeniedException", NotAuthorized($"{service}:{action}"));
                return;
            }

            await (service switch
            {
                "ecs" => EcsAsync(context, action, request),
                "ecr" => EcrAsync(context, action, request),
                _ => JsonErrorAsync(context, 400, "UnknownOperationException", $"Unknown service {service}."),
            });
            return;
        }

        var form = QueryHelpers(Encoding.UTF8.GetString(body));
        var queryAction = form.GetValueOrDefault("Action") ?? "";
        Calls.Enqueue($"{service}:{queryAction}");
        if (Denied.ContainsKey($"{service}:{queryAction}"))
        {
            await XmlErrorAsync(context, service!, 403, service == "ec2" ? "UnauthorizedOperation" : "AccessDenied", NotAuthorized($"{service}:{queryAction}"));
            return;
        }

        await QueryAsync(context, service!, queryAction, form);
    }

    private string NotAuthorized(string action) =>
        $"User: arn:aws:iam::{Account}:user/stand-in-user is not authorized to perform: {action} on resource: * because no identity-based policy allows the {action} action";

    private async Task EcsAsync(HttpContext context, string action, JsonObject request)
    {
        if (TakeThrottle(action))
        {
            await JsonErrorAsync(context, 400, "ThrottlingException", "Rate exceeded");
            return;
        }

        switch (action)
        {
            case "RegisterTaskDefinition":
                await RegisterAsync(context, request);
                break;
            case "DescribeTaskDefinition":
                await (FindDefinition(request["taskDefinition"]?.GetValue<string>() ?? "") is { } found
                    ? JsonAsync(context, new JsonObject { ["taskDefinition"] = Snapshot(found), ["tags"] = new JsonArray() })
                    : JsonErrorAsync(context, 400, "ClientException", "Unable to describe task definition."));
                break;
            case "DeregisterTaskDefinition":
                if (request["taskDefinition"]?.GetValue<string>() is { } arn && _definitions.TryGetValue(arn, out var definition))
                {
                    lock (_gate)
                    {
                        definition["status"] = "INACTIVE";
                        definition["deregisteredAt"] = Seconds();
                    }

                    Deregistered.Enqueue(arn);
                    await JsonAsync(context, new JsonObject { ["taskDefinition"] = Snapshot(definition) });
                }
                else
                {
                    await JsonErrorAsync(context, 400, "ClientException", "The specified task definition does not exist.");
                }

                break;
            case "RunTask":
                await RunTaskAsync(context, request);
                break;
            case "DescribeTasks":
                await DescribeTasksAsync(context, request);
                break;
            case "ListTasks":
                var startedBy = request["startedBy"]?.GetValue<string>();
                var desired = request["desiredStatus"]?.GetValue<string>() ?? "RUNNING";
                var cluster = request["cluster"]?.GetValue<string>() ?? "default";
                await JsonAsync(context, new JsonObject
                {
                    ["taskArns"] = new JsonArray([.. _tasks.Values.Select(Snapshot)
                        .Where(t => t["clusterArn"]!.GetValue<string>().EndsWith("/" + ClusterName(cluster), StringComparison.Ordinal)
                            && (startedBy is null || t["startedBy"]?.GetValue<string>() == startedBy)
                            && t["desiredStatus"]!.GetValue<string>() == desired)
                        .Select(t => (JsonNode)t["taskArn"]!.GetValue<string>())]),
                });
                break;
            case "StopTask":
                await StopTaskAsync(context, request);
                break;
            case "CreateCluster":
            case "DescribeClusters":
                await ClusterAsync(context, action, request);
                break;
            default:
                await JsonErrorAsync(context, 400, "InvalidAction", $"The action {action} is not valid for this web service.");
                break;
        }
    }

    private async Task RegisterAsync(HttpContext context, JsonObject request)
    {
        var family = request["family"]?.GetValue<string>();
        var containers = request["containerDefinitions"] as JsonArray;
        if (family is not { Length: > 0 } || containers is not { Count: > 0 } || containers.Any(c => c?["name"] is null || c["image"] is null))
        {
            await JsonErrorAsync(context, 400, "ClientException", "Family and container definitions (each with a name and an image) are required.");
            return;
        }

        var fargate = (request["requiresCompatibilities"] as JsonArray ?? []).Any(c => c?.GetValue<string>() == "FARGATE");
        if (fargate && (request["cpu"] is null || request["memory"] is null || request["networkMode"]?.GetValue<string>() != "awsvpc"))
        {
            await JsonErrorAsync(context, 400, "ClientException", "Fargate requires task definition to have 'cpu' and 'memory' at the task level and networkMode 'awsvpc'.");
            return;
        }

        JsonObject definition;
        lock (_gate)
        {
            var revision = _definitions.Values.Count(d => d["family"]!.GetValue<string>() == family) + 1;
            definition = (JsonObject)request.DeepClone();
            definition.Remove("tags");
            definition["taskDefinitionArn"] = $"arn:aws:ecs:{Region}:{Account}:task-definition/{family}:{revision}";
            definition["revision"] = revision;
            definition["status"] = "ACTIVE";
            definition["compatibilities"] = new JsonArray("EC2", "FARGATE");
            definition["registeredAt"] = Seconds();
            definition["registeredBy"] = $"arn:aws:iam::{Account}:user/stand-in-user";
            _definitions[definition["taskDefinitionArn"]!.GetValue<string>()] = definition;
        }

        Registered.Enqueue((JsonObject)request.DeepClone());
        await JsonAsync(context, new JsonObject { ["taskDefinition"] = Snapshot(definition) });
    }

    /// <summary>By ARN, family:revision, or family (its latest ACTIVE revision).</summary>
    private JsonObject? FindDefinition(string name)
    {
        if (_definitions.TryGetValue(name, out var byArn))
        {
            return byArn;
        }

        lock (_gate)
        {
            return name.Contains(':', StringComparison.Ordinal)
                ? _definitions.Values.FirstOrDefault(d => d["taskDefinitionArn"]!.GetValue<string>().EndsWith("/" + name, StringComparison.Ordinal))
                : _definitions.Values.Where(d => d["family"]!.GetValue<string>() == name && d["status"]!.GetValue<string>() == "ACTIVE")
                    .MaxBy(d => d["revision"]!.GetValue<int>());
        }
    }

    private async Task RunTaskAsync(HttpContext context, JsonObject request)
    {
        var cluster = ClusterName(request["cluster"]?.GetValue<string>() ?? "default");
        if (!Clusters.ContainsKey(cluster))
        {
            await JsonErrorAsync(context, 400, "ClusterNotFoundException", "Cluster not found.");
            return;
        }

        if (FindDefinition(request["taskDefinition"]?.GetValue<string>() ?? "") is not { } definition || definition["status"]!.GetValue<string>() != "ACTIVE")
        {
            await JsonErrorAsync(context, 400, "ClientException", "TaskDefinition not found or inactive.");
            return;
        }

        if (definition["networkMode"]?.GetValue<string>() == "awsvpc" && request["networkConfiguration"]?["awsvpcConfiguration"]?["subnets"] is not JsonArray { Count: > 0 })
        {
            await JsonErrorAsync(context, 400, "InvalidParameterException", "Network Configuration must be provided when networkMode 'awsvpc' is specified.");
            return;
        }

        var token = request["clientToken"]?.GetValue<string>();
        string arn;
        lock (_gate)
        {
            if (token is not null && _tokens.TryGetValue(token, out var earlier))
            {
                arn = earlier;
            }
            else
            {
                arn = $"arn:aws:ecs:{Region}:{Account}:task/{cluster}/{Guid.NewGuid():N}";
                var names = (definition["containerDefinitions"] as JsonArray ?? []).Select(c => c!["name"]!.GetValue<string>());
                _tasks[arn] = new JsonObject
                {
                    ["taskArn"] = arn,
                    ["clusterArn"] = $"arn:aws:ecs:{Region}:{Account}:cluster/{cluster}",
                    ["taskDefinitionArn"] = definition["taskDefinitionArn"]!.GetValue<string>(),
                    ["lastStatus"] = "PROVISIONING",
                    ["desiredStatus"] = "RUNNING",
                    ["launchType"] = request["launchType"]?.DeepClone(),
                    ["startedBy"] = request["startedBy"]?.DeepClone(),
                    ["overrides"] = request["overrides"]?.DeepClone() ?? new JsonObject(),
                    ["tags"] = request["tags"]?.DeepClone() ?? new JsonArray(),
                    ["createdAt"] = Seconds(),
                    ["containers"] = new JsonArray([.. names.Select(n => (JsonNode)new JsonObject
                    {
                        ["containerArn"] = $"arn:aws:ecs:{Region}:{Account}:container/{cluster}/{Guid.NewGuid():N}",
                        ["taskArn"] = arn,
                        ["name"] = n,
                        ["lastStatus"] = "PENDING",
                    })]),
                };
                if (token is not null)
                {
                    _tokens[token] = arn;
                }

                Runs.Enqueue((JsonObject)request.DeepClone());
                var given = (JsonObject)request.DeepClone();
                _ = Task.Run(async () => _exits[arn] = await Execute(given, CancellationToken.None));
            }
        }

        var lose = false;
        lock (_gate)
        {
            if (LostRunAnswers > 0)
            {
                LostRunAnswers--;
                lose = true;
            }
        }

        await (lose
            ? JsonErrorAsync(context, 500, "ServerException", "Service Unavailable. Please try again later.")
            : JsonAsync(context, new JsonObject { ["tasks"] = new JsonArray(Snapshot(_tasks[arn])), ["failures"] = new JsonArray() }));
    }

    private async Task DescribeTasksAsync(HttpContext context, JsonObject request)
    {
        var tasks = new JsonArray();
        var failures = new JsonArray();
        var withTags = (request["include"] as JsonArray ?? []).Any(i => i?.GetValue<string>() == "TAGS");
        foreach (var arn in (request["tasks"] as JsonArray ?? []).Select(t => t!.GetValue<string>()))
        {
            if (!_tasks.TryGetValue(arn, out var task))
            {
                failures.Add(new JsonObject { ["arn"] = arn, ["reason"] = "MISSING" });
                continue;
            }

            lock (_gate)
            {
                Advance(arn, task);
                var shown = (JsonObject)task.DeepClone();
                if (!withTags)
                {
                    shown.Remove("tags");
                }

                tasks.Add(shown);
            }
        }

        await JsonAsync(context, new JsonObject { ["tasks"] = tasks, ["failures"] = failures });
    }

    /// <summary>One step on each read: PROVISIONING, PENDING, RUNNING; then STOPPED once the container has ended.</summary>
    private void Advance(string arn, JsonObject task)
    {
        switch (task["lastStatus"]!.GetValue<string>())
        {
            case "PROVISIONING":
                task["lastStatus"] = "PENDING";
                break;
            case "PENDING" when !HoldPending:
                task["lastStatus"] = "RUNNING";
                task["startedAt"] = Seconds();
                foreach (var container in task["containers"]!.AsArray())
                {
                    container!["lastStatus"] = "RUNNING";
                }

                break;
            case "RUNNING" when _exits.TryGetValue(arn, out var exit):
                task["lastStatus"] = "STOPPED";
                task["desiredStatus"] = "STOPPED";
                task["stopCode"] = "EssentialContainerExited";
                task["stoppedReason"] = exit.Reason ?? "Essential container in task exited";
                task["stoppedAt"] = Seconds();
                foreach (var container in task["containers"]!.AsArray())
                {
                    container!["lastStatus"] = "STOPPED";
                    container["exitCode"] = exit.ExitCode;
                }

                break;
        }
    }

    private async Task StopTaskAsync(HttpContext context, JsonObject request)
    {
        var arn = request["task"]?.GetValue<string>() ?? "";
        if (!_tasks.TryGetValue(arn, out var task))
        {
            await JsonErrorAsync(context, 400, "InvalidParameterException", "The referenced task was not found.");
            return;
        }

        var reason = request["reason"]?.GetValue<string>() ?? "Task stopped by user";
        lock (_gate)
        {
            if (task["lastStatus"]!.GetValue<string>() != "STOPPED")
            {
                task["lastStatus"] = "STOPPED";
                task["desiredStatus"] = "STOPPED";
                task["stopCode"] = "UserInitiated";
                task["stoppedReason"] = reason;
                task["stoppedAt"] = Seconds();
                foreach (var container in task["containers"]!.AsArray())
                {
                    container!["lastStatus"] = "STOPPED";
                    container["exitCode"] = 143;
                }
            }
        }

        Stopped.Enqueue((arn, reason));
        await JsonAsync(context, new JsonObject { ["task"] = Snapshot(task) });
    }

    private static string ClusterName(string cluster) => cluster[(cluster.LastIndexOf('/') + 1)..];

    private bool TakeThrottle(string action)
    {
        lock (_gate)
        {
            if (Throttles.GetValueOrDefault(action) <= 0)
            {
                return false;
            }

            Throttles[action]--;
            return true;
        }
    }

    private JsonObject Snapshot(JsonObject resource)
    {
        lock (_gate)
        {
            return (JsonObject)resource.DeepClone();
        }
    }

    private static double Seconds() => TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;

    private static Dictionary<string, string> QueryHelpers(string form) =>
        form.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p.Length > 1 ? p[1] : ""), StringComparer.Ordinal);

    private static async Task JsonAsync(HttpContext context, JsonObject body)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/x-amz-json-1.1";
        await context.Response.WriteAsync(body.ToJsonString());
    }

    private static async Task JsonErrorAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/x-amz-json-1.1";
        context.Response.Headers["x-amzn-ErrorType"] = code;
        await context.Response.WriteAsync(new JsonObject { ["__type"] = code, ["message"] = message }.ToJsonString());
    }

    /// <summary>EC2's error shape (<c>Response/Errors/Error</c>), or IAM's and STS's (<c>ErrorResponse/Error</c>).</summary>
    private static async Task XmlErrorAsync(HttpContext context, string service, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/xml";
        var error = new XElement("Error", new XElement("Code", code), new XElement("Message", message));
        var document = service == "ec2"
            ? new XElement("Response", new XElement("Errors", error), new XElement("RequestID", Guid.NewGuid()))
            : new XElement("ErrorResponse",
                new XElement("Error", new XElement("Type", status >= 500 ? "Receiver" : "Sender"), new XElement("Code", code), new XElement("Message", message)),
                new XElement("RequestId", Guid.NewGuid()));
        await context.Response.WriteAsync(document.ToString());
    }

    private static async Task XmlAsync(HttpContext context, XElement body)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/xml";
        await context.Response.WriteAsync(body.ToString());
    }

    private static string Id(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..17]}";

    private static string Text(IReadOnlyDictionary<string, string> form, string name) => form.GetValueOrDefault(name) ?? "";

    private static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
