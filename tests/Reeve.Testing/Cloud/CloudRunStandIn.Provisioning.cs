using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Reeve.Testing.Cloud;

/// <summary>
/// The stand-in's part for <c>--provision-infra</c>, written from Google's REST references: the Service Usage API
/// (a service's state, enable as a long-running operation), the IAM API (service accounts, keys), the Resource Manager
/// API (a project's IAM policy, read and written with its etag) and the Artifact Registry API (repositories, created
/// as a long-running operation); the OAuth refresh-token grant of a user's application default credentials. Projects
/// exist as soon as they are named. A job is created in a project this part knows only by an account holding
/// <c>roles/run.developer</c> there.
/// </summary>
public sealed partial class CloudRunStandIn
{
    private const string UserClientId = "764086051850-stand-in.apps.googleusercontent.com";
    private const string UserClientSecret = "stand-in-client-secret";
    private const string UserRefreshToken = "1//stand-in-refresh-token";

    private readonly ConcurrentDictionary<string, RSA> _accounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, JsonObject> _operations = new(StringComparer.Ordinal);

    /// <summary>The person whose application default credentials <see cref="UserCredentials"/> are.</summary>
    public string User { get; } = "user:owner@example.com";

    /// <summary>What provisioning has made, by project id.</summary>
    public ConcurrentDictionary<string, GoogleProjectStandIn> Projects { get; } = new(StringComparer.Ordinal);

    /// <summary>Permissions refused to everyone (<c>resourcemanager.projects.setIamPolicy</c>...): their calls are PERMISSION_DENIED.</summary>
    public ConcurrentDictionary<string, bool> DeniedPermissions { get; } = new(StringComparer.Ordinal);

    /// <summary>Every call that changed something (<c>enable run.googleapis.com</c>, <c>create key</c>...), in order.</summary>
    public ConcurrentQueue<string> Changes { get; } = new();

    /// <summary>A user's application default credentials, as <c>gcloud auth application-default login</c> writes them, whose token_uri is this stand-in.</summary>
    public JsonObject UserCredentials(string? quotaProject = null)
    {
        var file = new JsonObject
        {
            ["type"] = "authorized_user",
            ["client_id"] = UserClientId,
            ["client_secret"] = UserClientSecret,
            ["refresh_token"] = UserRefreshToken,
            ["token_uri"] = Url + "token",
        };
        if (quotaProject is not null)
        {
            file["quota_project_id"] = quotaProject;
        }

        return file;
    }

    private GoogleProjectStandIn Project(string id) => Projects.GetOrAdd(id, _ => new GoogleProjectStandIn());

    /// <summary>Whether <paramref name="principal"/> lacks <paramref name="role"/> in a project provisioning made (others are not checked).</summary>
    private bool Lacks(string project, string principal, string role) =>
        Projects.TryGetValue(project, out var known) && !known.Holds(principal, role);

    private async Task RefreshAsync(HttpContext context, IFormCollection form)
    {
        if (form["client_id"] != UserClientId || form["client_secret"] != UserClientSecret || form["refresh_token"] != UserRefreshToken)
        {
            await JsonAsync(context, 400, new JsonObject { ["error"] = "invalid_grant", ["error_description"] = "Bad Request" });
            return;
        }

        await IssueAsync(context, User);
    }

    private async Task AnswerProvisioningAsync(HttpContext context, string path, string principal, JsonObject? body)
    {
        var method = context.Request.Method;
        var parts = path.Split('/');
        if (method == "GET" && _operations.TryGetValue(path, out var operation))
        {
            await JsonAsync(context, 200, operation);
            return;
        }

        if (parts.Length < 2 || parts[0] != "projects")
        {
            await ErrorAsync(context, 404, "NOT_FOUND", $"The requested URL /v1/{path} was not found on this server.");
            return;
        }

        var id = parts[1].Split(':')[0];
        var project = Project(id);
        switch (parts.Length, method)
        {
            case (2, "POST") when parts[1].EndsWith(":getIamPolicy", StringComparison.Ordinal):
                await JsonAsync(context, 200, project.Policy());
                break;
            case (2, "POST") when parts[1].EndsWith(":setIamPolicy", StringComparison.Ordinal):
                await SetPolicyAsync(context, id, project, body?["policy"] as JsonObject);
                break;
            case (4, "GET") when parts[2] == "services":
                await JsonAsync(context, 200, new JsonObject
                {
                    ["name"] = $"projects/123456789/services/{parts[3]}",
                    ["state"] = project.Services.ContainsKey(parts[3]) ? "ENABLED" : "DISABLED",
                });
                break;
            case (4, "POST") when parts[2] == "services" && parts[3].EndsWith(":enable", StringComparison.Ordinal):
                await EnableAsync(context, project, parts[3][..^":enable".Length]);
                break;
            case (3, "POST") when parts[2] == "serviceAccounts":
                await CreateAccountAsync(context, id, project, body);
                break;
            case (4, "GET") when parts[2] == "serviceAccounts":
                await (project.ServiceAccounts.TryGetValue(parts[3], out var account)
                    ? JsonAsync(context, 200, account)
                    : ErrorAsync(context, 404, "NOT_FOUND", $"Unknown service account {parts[3]}"));
                break;
            case (5, "POST") when parts[2] == "serviceAccounts" && parts[4] == "keys":
                await CreateKeyAsync(context, id, project, parts[3]);
                break;
            case (6, "GET") when parts[2] == "locations" && parts[4] == "repositories":
                await (project.Repositories.TryGetValue(parts[5], out var repository)
                    ? JsonAsync(context, 200, repository)
                    : ErrorAsync(context, 404, "NOT_FOUND", $"Requested entity was not found."));
                break;
            case (5, "POST") when parts[2] == "locations" && parts[4] == "repositories":
                await CreateRepositoryAsync(context, id, parts[3], project, body);
                break;
            default:
                await ErrorAsync(context, 404, "NOT_FOUND", $"The requested URL /v1/{path} was not found on this server.");
                break;
        }
    }

    private async Task<bool> DeniedAsync(HttpContext context, string permission, string resource)
    {
        if (!DeniedPermissions.ContainsKey(permission))
        {
            return false;
        }

        await ErrorAsync(context, 403, "PERMISSION_DENIED", $"Permission '{permission}' denied on resource '{resource}' (or it may not exist).");
        return true;
    }

    private async Task EnableAsync(HttpContext context, GoogleProjectStandIn project, string service)
    {
        if (await DeniedAsync(context, "serviceusage.services.enable", service))
        {
            return;
        }

        if (project.Services.TryAdd(service, true))
        {
            Changes.Enqueue($"enable {service}");
        }

        await JsonAsync(context, 200, Operation($"operations/acf.p2-{Guid.NewGuid():N}", new JsonObject { ["service"] = new JsonObject { ["name"] = service, ["state"] = "ENABLED" } }));
    }

    private async Task CreateAccountAsync(HttpContext context, string id, GoogleProjectStandIn project, JsonObject? body)
    {
        var accountId = body?["accountId"]?.GetValue<string>() ?? "";
        var email = $"{accountId}@{id}.iam.gserviceaccount.com";
        if (await DeniedAsync(context, "iam.serviceAccounts.create", $"projects/{id}"))
        {
            return;
        }

        var account = new JsonObject
        {
            ["name"] = $"projects/{id}/serviceAccounts/{email}",
            ["projectId"] = id,
            ["uniqueId"] = "10987654321",
            ["email"] = email,
            ["displayName"] = body?["serviceAccount"]?["displayName"]?.DeepClone(),
        };
        if (!project.ServiceAccounts.TryAdd(email, account))
        {
            await ErrorAsync(context, 409, "ALREADY_EXISTS", $"Service account {accountId} already exists within project projects/{id}.");
            return;
        }

        Changes.Enqueue($"create service account {accountId}");
        await JsonAsync(context, 200, account);
    }

    /// <summary>A new key of the account (its private half known to the token endpoint from now on), as a key file in <c>privateKeyData</c>.</summary>
    private async Task CreateKeyAsync(HttpContext context, string id, GoogleProjectStandIn project, string email)
    {
        if (await DeniedAsync(context, "iam.serviceAccountKeys.create", email))
        {
            return;
        }

        if (!project.ServiceAccounts.ContainsKey(email))
        {
            await ErrorAsync(context, 404, "NOT_FOUND", $"Unknown service account {email}");
            return;
        }

        var key = RSA.Create(2048);
        if (_accounts.TryGetValue(email, out var old))
        {
            // One live key per account here; enough to use the newest.
            old.Dispose();
        }

        _accounts[email] = key;
        var keyId = Guid.NewGuid().ToString("N");
        var file = new JsonObject
        {
            ["type"] = "service_account",
            ["project_id"] = id,
            ["private_key_id"] = keyId,
            ["private_key"] = key.ExportPkcs8PrivateKeyPem(),
            ["client_email"] = email,
            ["client_id"] = "10987654321",
            ["token_uri"] = Url + "token",
        };
        Changes.Enqueue($"create key {email}");
        await JsonAsync(context, 200, new JsonObject
        {
            ["name"] = $"projects/{id}/serviceAccounts/{email}/keys/{keyId}",
            ["privateKeyType"] = "TYPE_GOOGLE_CREDENTIALS_FILE",
            ["privateKeyData"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(file.ToJsonString())),
            ["keyAlgorithm"] = "KEY_ALG_RSA_2048",
        });
    }

    private async Task SetPolicyAsync(HttpContext context, string id, GoogleProjectStandIn project, JsonObject? policy)
    {
        if (await DeniedAsync(context, "resourcemanager.projects.setIamPolicy", $"projects/{id}"))
        {
            return;
        }

        if (policy is null || !project.TryReplacePolicy(policy))
        {
            await ErrorAsync(context, 409, "ABORTED", "There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.");
            return;
        }

        Changes.Enqueue("set iam policy");
        await JsonAsync(context, 200, project.Policy());
    }

    private async Task CreateRepositoryAsync(HttpContext context, string id, string location, GoogleProjectStandIn project, JsonObject? body)
    {
        var repositoryId = context.Request.Query["repositoryId"].ToString();
        if (await DeniedAsync(context, "artifactregistry.repositories.create", $"projects/{id}/locations/{location}"))
        {
            return;
        }

        if (!project.Services.ContainsKey("artifactregistry.googleapis.com"))
        {
            await ErrorAsync(context, 403, "PERMISSION_DENIED", $"Artifact Registry API has not been used in project {id} before or it is disabled.");
            return;
        }

        var repository = new JsonObject
        {
            ["name"] = $"projects/{id}/locations/{location}/repositories/{repositoryId}",
            ["format"] = body?["format"]?.DeepClone(),
            ["description"] = body?["description"]?.DeepClone(),
        };
        if (!project.Repositories.TryAdd(repositoryId, repository))
        {
            await ErrorAsync(context, 409, "ALREADY_EXISTS", $"the repository already exists");
            return;
        }

        Changes.Enqueue($"create repository {location}/{repositoryId}");
        await JsonAsync(context, 200, Operation($"projects/{id}/locations/{location}/operations/{Guid.NewGuid()}", repository));
    }

    /// <summary>A long-running operation: not done in the answer, done when read back.</summary>
    private JsonObject Operation(string name, JsonObject response)
    {
        _operations[name] = new JsonObject { ["name"] = name, ["done"] = true, ["response"] = response.DeepClone() };
        return new JsonObject { ["name"] = name, ["done"] = false };
    }
}

/// <summary>One project as the stand-in's provisioning part keeps it.</summary>
public sealed class GoogleProjectStandIn
{
    private readonly Lock _gate = new();
    private JsonArray _bindings = [];
    private int _version;

    /// <summary>The services turned on.</summary>
    public ConcurrentDictionary<string, bool> Services { get; } = new(StringComparer.Ordinal);

    /// <summary>The service accounts, by e-mail.</summary>
    public ConcurrentDictionary<string, JsonObject> ServiceAccounts { get; } = new(StringComparer.Ordinal);

    /// <summary>The Artifact Registry repositories, by id.</summary>
    public ConcurrentDictionary<string, JsonObject> Repositories { get; } = new(StringComparer.Ordinal);

    /// <summary>The policy, with an etag that changes with each write.</summary>
    public JsonObject Policy()
    {
        lock (_gate)
        {
            return new JsonObject
            {
                ["version"] = 3,
                ["etag"] = Convert.ToBase64String(BitConverter.GetBytes(_version)),
                ["bindings"] = _bindings.DeepClone(),
            };
        }
    }

    /// <summary>Whether a binding without condition gives <paramref name="role"/> to <paramref name="member"/>.</summary>
    public bool Holds(string member, string role)
    {
        lock (_gate)
        {
            return _bindings.OfType<JsonObject>().Any(b => b["role"]?.GetValue<string>() == role && b["condition"] is null
                && (b["members"] as JsonArray ?? []).Any(m => m?.GetValue<string>() == member));
        }
    }

    /// <summary>Writes the policy if its etag is the current one (false: someone wrote in between).</summary>
    internal bool TryReplacePolicy(JsonObject policy)
    {
        lock (_gate)
        {
            if (policy["etag"]?.GetValue<string>() != Convert.ToBase64String(BitConverter.GetBytes(_version)))
            {
                return false;
            }

            _bindings = policy["bindings"] as JsonArray is { } bindings ? (JsonArray)bindings.DeepClone() : [];
            _version++;
            return true;
        }
    }
}
