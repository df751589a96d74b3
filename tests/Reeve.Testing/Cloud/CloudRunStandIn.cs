using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Reeve.Testing.Cloud;

/// <summary>
/// A STAND-IN for Google Cloud (no cloud is reachable from here), written from Google's API references: the OAuth 2.0
/// token endpoint's JWT bearer grant (the assertion's RS256 signature checked with the service account's public key),
/// and the part of the Cloud Run Admin API v2 a Cloud Run worker uses — jobs (create as a long-running operation, get,
/// run, delete) and executions (get, cancel) — with Google's error shape (<c>{"error": {"code", "message", "status"}}</c>).
/// A job is ready on its second read, as a reconciling job becomes. What an execution's container does is the test's:
/// <see cref="Execute"/> is given the job body and says how the execution ends.
/// </summary>
public sealed partial class CloudRunStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly RSA _key = RSA.Create(2048);
    private readonly ConcurrentDictionary<string, JsonObject> _jobs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, JsonObject> _executions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _reads = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _tokens = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private int _issued;

    private CloudRunStandIn(WebApplication app)
    {
        _app = app;
        _accounts[Email] = _key;
    }

    /// <summary>Its base URL, <c>http://127.0.0.1:PORT/</c>.</summary>
    public string Url { get; private init; } = "";

    /// <summary>The service account whose key the stand-in knows.</summary>
    public string Email { get; } = "reeve-push@stand-in-project.iam.gserviceaccount.com";

    /// <summary>Projects the account may not create jobs in (PERMISSION_DENIED).</summary>
    public ConcurrentDictionary<string, bool> DeniedProjects { get; } = new(StringComparer.Ordinal);

    /// <summary>How many creates and runs to refuse with 429 RESOURCE_EXHAUSTED before taking them.</summary>
    public int QuotaRefusals { get; set; }

    /// <summary>What an execution's container does, given the job's body: whether it succeeded and, if not, why. Succeeds by default.</summary>
    public Func<JsonObject, CancellationToken, Task<(bool Succeeded, string? Message)>> Execute { get; set; } = (_, _) => Task.FromResult((true, (string?)null));

    /// <summary>Every job body created, by job name.</summary>
    public ConcurrentDictionary<string, JsonObject> Created { get; } = new(StringComparer.Ordinal);

    /// <summary>The names of the jobs deleted.</summary>
    public ConcurrentQueue<string> Deleted { get; } = new();

    /// <summary>The names of the executions started.</summary>
    public ConcurrentQueue<string> Started { get; } = new();

    public static async Task<CloudRunStandIn> StartAsync()
    {
        CloudRunStandIn? standIn = null;
        var (app, url) = await LoopbackHttpServer.StartAppAsync(context => standIn!.AnswerAsync(context));
        standIn = new CloudRunStandIn(app) { Url = url + "/" };
        return standIn;
    }

    /// <summary>A JSON key for <see cref="Email"/>, as the IAM API hands out, whose token_uri is this stand-in.</summary>
    public JsonObject ServiceAccountKey(string project = "stand-in-project") => new()
    {
        ["type"] = "service_account",
        ["project_id"] = project,
        ["private_key_id"] = "0123456789abcdef",
        ["private_key"] = _key.ExportPkcs8PrivateKeyPem(),
        ["client_email"] = Email,
        ["client_id"] = "123456789",
        ["token_uri"] = Url + "token",
    };

    /// <summary>A key with the right e-mail and another private key: its tokens are refused.</summary>
    public JsonObject ForgedKey()
    {
        using var other = RSA.Create(2048);
        var key = ServiceAccountKey();
        key["private_key"] = other.ExportPkcs8PrivateKeyPem();
        return key;
    }

    /// <summary>The executions, by name, as the API would show them.</summary>
    public IReadOnlyDictionary<string, JsonObject> Executions => _executions;

    private async Task AnswerAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        var method = context.Request.Method;
        if (path == "/token" && method == "POST")
        {
            await TokenAsync(context);
            return;
        }

        var token = context.Request.Headers.Authorization.ToString();
        if (!token.StartsWith("Bearer ", StringComparison.Ordinal) || !_tokens.TryGetValue(token["Bearer ".Length..], out var principal))
        {
            await ErrorAsync(context, 401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token.");
            return;
        }

        var body = context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0
            ? JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync()) as JsonObject
            : null;
        if (path.StartsWith("/v1/", StringComparison.Ordinal))
        {
            await AnswerProvisioningAsync(context, path["/v1/".Length..], principal, body);
            return;
        }

        var name = path.StartsWith("/v2/", StringComparison.Ordinal) ? path["/v2/".Length..] : "";
        var parts = name.Split('/');
        if (parts.Length < 4 || parts[0] != "projects" || parts[2] != "locations")
        {
            await ErrorAsync(context, 404, "NOT_FOUND", $"The requested URL {path} was not found on this server.");
            return;
        }

        if (method == "POST" && parts.Length == 5 && parts[4] == "jobs" && Lacks(parts[1], principal, "roles/run.developer"))
        {
            await ErrorAsync(context, 403, "PERMISSION_DENIED", $"Permission 'run.jobs.create' denied on resource '{name}' (or it may not exist).");
        }
        else if (method == "POST" && parts.Length == 5 && parts[4] == "jobs")
        {
            await CreateJobAsync(context, name[..^"/jobs".Length], parts[1], body);
        }
        else if (method == "GET" && parts.Length == 6 && parts[4] == "jobs")
        {
            await GetJobAsync(context, name);
        }
        else if (method == "POST" && parts.Length == 6 && parts[4] == "jobs" && name.EndsWith(":run", StringComparison.Ordinal))
        {
            await RunJobAsync(context, name[..^":run".Length]);
        }
        else if (method == "DELETE" && parts.Length == 6 && parts[4] == "jobs")
        {
            await DeleteJobAsync(context, name);
        }
        else if (method == "GET" && parts.Length == 8 && parts[6] == "executions")
        {
            await (_executions.TryGetValue(name, out var execution)
                ? JsonAsync(context, 200, Snapshot(execution))
                : ErrorAsync(context, 404, "NOT_FOUND", $"Resource '{parts[7]}' of kind 'EXECUTION' in region '{parts[3]}' in project '{parts[1]}' does not exist."));
        }
        else if (method == "POST" && parts.Length == 8 && parts[6] == "executions" && name.EndsWith(":cancel", StringComparison.Ordinal))
        {
            await CancelAsync(context, name[..^":cancel".Length]);
        }
        else
        {
            await ErrorAsync(context, 404, "NOT_FOUND", $"The requested URL {path} was not found on this server.");
        }
    }

    private async Task TokenAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync();
        if (form["grant_type"] == "refresh_token")
        {
            await RefreshAsync(context, form);
            return;
        }

        var assertion = form["assertion"].ToString().Split('.');
        if (form["grant_type"] != "urn:ietf:params:oauth:grant-type:jwt-bearer" || assertion.Length != 3)
        {
            await JsonAsync(context, 400, new JsonObject { ["error"] = "unsupported_grant_type", ["error_description"] = "Invalid grant_type or assertion." });
            return;
        }

        var signed = Encoding.ASCII.GetBytes($"{assertion[0]}.{assertion[1]}");
        var claims = JsonNode.Parse(FromBase64Url(assertion[1])) as JsonObject;
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds();
        var issuer = claims?["iss"]?.GetValue<string>() ?? "";
        if (!_accounts.TryGetValue(issuer, out var key)
            || !key.VerifyData(signed, FromBase64Url(assertion[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            || claims!["aud"]?.GetValue<string>() != Url + "token"
            || claims["exp"]?.GetValue<long>() is not { } exp || exp < now || exp > now + 3700
            || claims["scope"]?.GetValue<string>() != "https://www.googleapis.com/auth/cloud-platform")
        {
            await JsonAsync(context, 400, new JsonObject { ["error"] = "invalid_grant", ["error_description"] = "Invalid JWT Signature." });
            return;
        }

        await IssueAsync(context, $"serviceAccount:{issuer}");
    }

    private async Task IssueAsync(HttpContext context, string principal)
    {
        var token = $"ya29.stand-in-{Interlocked.Increment(ref _issued)}";
        _tokens[token] = principal;
        await JsonAsync(context, 200, new JsonObject { ["access_token"] = token, ["expires_in"] = 3599, ["token_type"] = "Bearer" });
    }

    private async Task CreateJobAsync(HttpContext context, string parent, string project, JsonObject? body)
    {
        var jobId = context.Request.Query["jobId"].ToString();
        var name = $"{parent}/jobs/{jobId}";
        if (DeniedProjects.ContainsKey(project))
        {
            await ErrorAsync(context, 403, "PERMISSION_DENIED", $"Permission 'run.jobs.create' denied on resource '{name}' (or it may not exist).");
            return;
        }

        if (TakeQuotaRefusal())
        {
            await ErrorAsync(context, 429, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Job write requests' and limit 'Job write requests per minute per region'.");
            return;
        }

        if (body?["template"]?["template"]?["containers"] is not JsonArray { Count: > 0 } containers || containers[0]?["image"] is null)
        {
            await ErrorAsync(context, 400, "INVALID_ARGUMENT", "template.template.containers[0].image: must be set.");
            return;
        }

        var job = new JsonObject
        {
            ["name"] = name,
            ["uid"] = Guid.NewGuid().ToString(),
            ["generation"] = "1",
            ["labels"] = body["labels"]?.DeepClone(),
            ["createTime"] = Now(),
            ["updateTime"] = Now(),
            ["launchStage"] = body["launchStage"]?.DeepClone() ?? "GA",
            ["client"] = body["client"]?.DeepClone(),
            ["template"] = body["template"]!.DeepClone(),
            ["terminalCondition"] = new JsonObject { ["type"] = "Ready", ["state"] = "CONDITION_PENDING" },
            ["executionCount"] = 0,
            ["latestCreatedExecution"] = new JsonObject(),
            ["reconciling"] = true,
            ["etag"] = "\"stand-in\"",
        };
        if (!_jobs.TryAdd(name, job))
        {
            await ErrorAsync(context, 409, "ALREADY_EXISTS", $"Resource '{jobId}' already exists.");
            return;
        }

        Created[name] = (JsonObject)body.DeepClone();
        await JsonAsync(context, 200, Operation(parent, job, done: false));
    }

    private async Task GetJobAsync(HttpContext context, string name)
    {
        if (!_jobs.TryGetValue(name, out var job))
        {
            await ErrorAsync(context, 404, "NOT_FOUND", $"Resource '{name.Split('/')[^1]}' of kind 'JOB' does not exist.");
            return;
        }

        if (_reads.AddOrUpdate(name, 1, (_, n) => n + 1) >= 2)
        {
            lock (_gate)
            {
                job["terminalCondition"] = new JsonObject { ["type"] = "Ready", ["state"] = "CONDITION_SUCCEEDED", ["lastTransitionTime"] = Now() };
                job["reconciling"] = false;
            }
        }

        await JsonAsync(context, 200, Snapshot(job));
    }

    private async Task RunJobAsync(HttpContext context, string name)
    {
        if (!_jobs.TryGetValue(name, out var job))
        {
            await ErrorAsync(context, 404, "NOT_FOUND", $"Resource '{name.Split('/')[^1]}' of kind 'JOB' does not exist.");
            return;
        }

        if (TakeQuotaRefusal())
        {
            await ErrorAsync(context, 429, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Job run requests'.");
            return;
        }

        var executionName = $"{name}/executions/{name.Split('/')[^1]}-{Guid.NewGuid().ToString("N")[..5]}";
        var execution = new JsonObject
        {
            ["name"] = executionName,
            ["uid"] = Guid.NewGuid().ToString(),
            ["generation"] = "1",
            ["job"] = name.Split('/')[^1],
            ["createTime"] = Now(),
            ["startTime"] = Now(),
            ["parallelism"] = 1,
            ["taskCount"] = 1,
            ["runningCount"] = 1,
            ["template"] = job["template"]?["template"]?.DeepClone(),
            ["conditions"] = new JsonArray(),
            ["logUri"] = $"https://console.cloud.google.com/logs/viewer?stand-in={Uri.EscapeDataString(executionName)}",
            ["etag"] = "\"stand-in\"",
        };
        _executions[executionName] = execution;
        lock (_gate)
        {
            job["latestCreatedExecution"] = new JsonObject { ["name"] = executionName, ["createTime"] = Now() };
            job["executionCount"] = (job["executionCount"]?.GetValue<int>() ?? 0) + 1;
        }

        Started.Enqueue(executionName);
        var body = (JsonObject)(Created.TryGetValue(name, out var created) ? created : job).DeepClone();
        _ = Task.Run(async () =>
        {
            var (succeeded, message) = await Execute(body, CancellationToken.None);
            Complete(executionName, succeeded ? "CONDITION_SUCCEEDED" : "CONDITION_FAILED", message ?? (succeeded ? null : "Task failed."), cancelled: false);
        });
        await JsonAsync(context, 200, Operation(name, Snapshot(execution), done: false));
    }

    private async Task CancelAsync(HttpContext context, string name)
    {
        if (!_executions.TryGetValue(name, out var execution))
        {
            await ErrorAsync(context, 404, "NOT_FOUND", $"Resource '{name.Split('/')[^1]}' of kind 'EXECUTION' does not exist.");
            return;
        }

        Complete(name, "CONDITION_FAILED", "The execution was cancelled.", cancelled: true);
        await JsonAsync(context, 200, Operation(name, Snapshot(execution), done: true));
    }

    private async Task DeleteJobAsync(HttpContext context, string name)
    {
        if (!_jobs.TryRemove(name, out var job))
        {
            await ErrorAsync(context, 404, "NOT_FOUND", $"Resource '{name.Split('/')[^1]}' of kind 'JOB' does not exist.");
            return;
        }

        Deleted.Enqueue(name);
        foreach (var execution in _executions.Keys.Where(e => e.StartsWith(name + "/executions/", StringComparison.Ordinal)))
        {
            _executions.TryRemove(execution, out _);
        }

        await JsonAsync(context, 200, Operation(name, job, done: true));
    }

    /// <summary>Ends an execution once: a cancel after it completed changes nothing.</summary>
    private void Complete(string name, string state, string? message, bool cancelled)
    {
        if (!_executions.TryGetValue(name, out var execution))
        {
            return;
        }

        lock (_gate)
        {
            if (execution["completionTime"] is not null)
            {
                return;
            }

            execution["completionTime"] = Now();
            execution["runningCount"] = 0;
            execution[state == "CONDITION_SUCCEEDED" ? "succeededCount" : cancelled ? "cancelledCount" : "failedCount"] = 1;
            var condition = new JsonObject { ["type"] = "Completed", ["state"] = state, ["lastTransitionTime"] = Now() };
            if (message is not null)
            {
                condition["message"] = message;
            }

            ((JsonArray)execution["conditions"]!).Add(condition);
        }
    }

    private bool TakeQuotaRefusal()
    {
        lock (_gate)
        {
            if (QuotaRefusals <= 0)
            {
                return false;
            }

            QuotaRefusals--;
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

    private static JsonObject Operation(string about, JsonObject metadata, bool done) => new()
    {
        ["name"] = $"{string.Join('/', about.Split('/').Take(4))}/operations/{Guid.NewGuid()}",
        ["metadata"] = metadata.DeepClone(),
        ["done"] = done,
    };

    private static string Now() => TimeProvider.System.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", System.Globalization.CultureInfo.InvariantCulture);

    private static byte[] FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded + new string('=', (4 - (padded.Length % 4)) % 4));
    }

    private static Task ErrorAsync(HttpContext context, int code, string status, string message) =>
        JsonAsync(context, code, new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message, ["status"] = status } });

    private static async Task JsonAsync(HttpContext context, int code, JsonObject body)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(body.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        foreach (var key in _accounts.Values)
        {
            key.Dispose();
        }
    }
}
