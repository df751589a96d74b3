using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Reeve.Testing.Cloud;

/// <summary>
/// A STAND-IN for Azure (no cloud is reachable from here), written from Microsoft's REST references, served over HTTPS
/// on loopback with a self-signed certificate made when it starts (<see cref="Certificate"/>; Azure.Identity and
/// Azure.Core speak only HTTPS): the Microsoft identity platform's token endpoint (<c>/{tenant}/oauth2/v2.0/token</c>,
/// client credentials grant, a wrong secret refused as AADSTS7000215), and Azure Resource Manager for resource groups
/// and <c>Microsoft.ContainerInstance/containerGroups</c> (PUT answered 201 with <c>Azure-AsyncOperation</c>, GET with
/// the container's <c>instanceView</c>, DELETE), bearer tokens checked, errors shaped <c>{"error": {"code", "message"}}</c>.
/// A group is provisioned on its second read; what its container does is the test's: <see cref="Execute"/> is given
/// the group's body and says the exit code it ends with. For provisioning it also keeps whatever other resource is
/// written (resource groups, container registries with their <c>loginServer</c>, user-assigned identities with their
/// <c>principalId</c>, role assignments) and answers Microsoft Graph's app registration calls (AzureStandIn.Graph.cs).
/// It starts with one resource group, <c>reeve-aci</c> (westeurope), in <see cref="SubscriptionId"/>.
/// </summary>
public sealed partial class AzureStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, JsonObject> _resources = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _reads = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Principal> _tokens = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private int _issued;

    private AzureStandIn(WebApplication app, X509Certificate2 certificate)
    {
        _app = app;
        Certificate = certificate;
    }

    /// <summary>A service principal the stand-in knows.</summary>
    public sealed record Principal(string TenantId, string ClientId, string ClientSecret, string ObjectId);

    /// <summary>Its base URL, <c>https://127.0.0.1:PORT/</c>.</summary>
    public string Url { get; private init; } = "";

    /// <summary>The certificate it serves (self-signed, for 127.0.0.1), to be trusted by thumbprint.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The subscription it knows.</summary>
    public string SubscriptionId { get; } = "5f1c3a92-8d4e-4b7a-9c21-3e6f0d8b7a14";

    /// <summary>The tenant it knows.</summary>
    public string TenantId { get; } = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    /// <summary>The service principal runs are created with.</summary>
    public Principal Runner { get; } = new("72f988bf-86f1-41af-91ab-2d7cd011db47", "0a5b1c6d-2e7f-4a8b-9c0d-1e2f3a4b5c6d", "stand-in-secret~value", "11111111-2222-3333-4444-555555555555");

    /// <summary>Service principals by client id (<see cref="Runner"/> and any the test or Graph adds).</summary>
    public ConcurrentDictionary<string, Principal> Principals { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Resource groups (by name) in which container groups may not be written (403 AuthorizationFailed).</summary>
    public ConcurrentDictionary<string, bool> DeniedResourceGroups { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How many container group writes to refuse with 429 (and Retry-After: 1) before taking them.</summary>
    public int Throttles { get; set; }

    /// <summary>When set, groups stay Pending: never provisioned (a region out of capacity).</summary>
    public bool NeverProvision { get; set; }

    /// <summary>When set, groups fail to provision, with this warning event (an image that cannot be pulled).</summary>
    public string? FailProvisioning { get; set; }

    /// <summary>What a group's container does, given the group's body: its exit code, and ACI's detail status. Exits 0 by default.</summary>
    public Func<JsonObject, CancellationToken, Task<(int ExitCode, string? Detail)>> Execute { get; set; } = (_, _) => Task.FromResult((0, (string?)"Completed"));

    /// <summary>The principal provisioning signs in as (AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_TENANT_ID of the CLI's user).</summary>
    public Principal Admin { get; } = new("72f988bf-86f1-41af-91ab-2d7cd011db47", "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b", "admin-secret~value", "99999999-8888-7777-6666-555555555555");

    /// <summary>Resource types (<c>Microsoft.Authorization/roleAssignments</c>) no one may write here (403 AuthorizationFailed).</summary>
    public ConcurrentDictionary<string, bool> DeniedTypes { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every container group body written, by resource id.</summary>
    public ConcurrentDictionary<string, JsonObject> Created { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The resource ids deleted.</summary>
    public ConcurrentQueue<string> Deleted { get; } = new();

    /// <summary>Every request, as <c>METHOD path</c>, in order (for a test's message when something unexpected was asked).</summary>
    public ConcurrentQueue<string> Journal { get; } = new();

    public static async Task<AzureStandIn> StartAsync()
    {
        var certificate = SelfSigned();
        AzureStandIn? standIn = null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        app.Run(context => standIn!.AnswerAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        standIn = new AzureStandIn(app, certificate) { Url = address.Replace("http://", "https://", StringComparison.Ordinal).TrimEnd('/') + "/" };
        standIn.Principals[standIn.Runner.ClientId] = standIn.Runner;
        standIn.Principals[standIn.Admin.ClientId] = standIn.Admin;
        standIn.Put(standIn.ResourceGroupId("reeve-aci"), new JsonObject { ["location"] = "westeurope", ["properties"] = new JsonObject() });
        return standIn;
    }

    /// <summary>The certificate as PEM, for a process that trusts it through <c>SSL_CERT_FILE</c>.</summary>
    public string CertificatePem() => Certificate.ExportCertificatePem();

    /// <summary><c>/subscriptions/S/resourceGroups/G</c>.</summary>
    public string ResourceGroupId(string name) => $"/subscriptions/{SubscriptionId}/resourceGroups/{name}";

    /// <summary>The resource at <paramref name="id"/>, as ARM would show it; null when there is none.</summary>
    public JsonObject? Resource(string id) => _resources.TryGetValue(id, out var resource) ? Snapshot(resource) : null;

    /// <summary>The ids of the resources of a type (<c>Microsoft.ContainerInstance/containerGroups</c>).</summary>
    public IReadOnlyList<string> ResourcesOfType(string type) =>
        [.. _resources.Where(r => string.Equals(r.Value["type"]?.GetValue<string>(), type, StringComparison.OrdinalIgnoreCase)).Select(r => r.Key)];

    /// <summary>Adds or replaces a resource, as ARM would keep it.</summary>
    public void Put(string id, JsonObject body)
    {
        var resource = (JsonObject)body.DeepClone();
        resource["id"] = id;
        resource["name"] = id.Split('/')[^1];
        resource["type"] = TypeOf(id);
        _resources[id] = resource;
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        var method = context.Request.Method;
        Journal.Enqueue($"{method} {path}");
        if (method == "POST" && path.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal))
        {
            await TokenAsync(context, path.Split('/')[1]);
            return;
        }

        if (path.StartsWith("/v1.0/", StringComparison.Ordinal))
        {
            await GraphAsync(context, method, path["/v1.0/".Length..]);
            return;
        }

        if (!Authenticated(context, "https://management.azure.com/.default", out var caller))
        {
            await ErrorAsync(context, 401, "InvalidAuthenticationToken", "The access token is invalid.");
            return;
        }

        if (context.Request.Query["api-version"].ToString() is not { Length: > 0 })
        {
            await ErrorAsync(context, 400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
            return;
        }

        var body = context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0
            ? JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync()) as JsonObject
            : null;
        await ArmAsync(context, method, path, body, caller);
    }

    private bool Authenticated(HttpContext context, string scope, out Principal caller)
    {
        var header = context.Request.Headers.Authorization.ToString();
        caller = null!;
        return header.StartsWith("Bearer ", StringComparison.Ordinal)
            && _tokens.TryGetValue(header["Bearer ".Length..] + " " + scope, out caller!);
    }

    private async Task TokenAsync(HttpContext context, string tenant)
    {
        var form = await context.Request.ReadFormAsync();
        var clientId = form["client_id"].ToString();
        var scope = form["scope"].ToString().Split(' ').FirstOrDefault(s => s.EndsWith("/.default", StringComparison.Ordinal)) ?? "";
        if (scope == "https://management.azure.com//.default")
        {
            // Entra takes the resource with its trailing slash too (the ARM audience is written both ways).
            scope = "https://management.azure.com/.default";
        }

        var trace = Guid.NewGuid();
        if (form["grant_type"] != "client_credentials")
        {
            await OAuthErrorAsync(context, 400, "unsupported_grant_type", 70003, $"AADSTS70003: The app requested an unsupported grant type '{form["grant_type"]}'.\r\nTrace ID: {trace}");
            return;
        }

        if (!Principals.TryGetValue(clientId, out var principal) || !string.Equals(principal.TenantId, tenant, StringComparison.OrdinalIgnoreCase))
        {
            await OAuthErrorAsync(context, 400, "unauthorized_client", 700016,
                $"AADSTS700016: Application with identifier '{clientId}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.\r\nTrace ID: {trace}");
            return;
        }

        if (form["client_secret"] != principal.ClientSecret)
        {
            await OAuthErrorAsync(context, 401, "invalid_client", 7000215,
                $"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{clientId}'.\r\nTrace ID: {trace}");
            return;
        }

        if (scope is not ("https://management.azure.com/.default" or "https://graph.microsoft.com/.default"))
        {
            await OAuthErrorAsync(context, 400, "invalid_scope", 70011, $"AADSTS70011: The provided value for scope {scope} is not valid.\r\nTrace ID: {trace}");
            return;
        }

        var token = $"eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.stand-in-{Interlocked.Increment(ref _issued)}";
        _tokens[token + " " + scope] = principal;
        await JsonAsync(context, 200, new JsonObject { ["token_type"] = "Bearer", ["expires_in"] = 3599, ["ext_expires_in"] = 3599, ["access_token"] = token });
    }

    private async Task ArmAsync(HttpContext context, string method, string path, JsonObject? body, Principal caller)
    {
        var parts = path.Trim('/').Split('/');
        if (parts.Length < 2 || !parts[0].Equals("subscriptions", StringComparison.OrdinalIgnoreCase) || parts[1] != SubscriptionId)
        {
            await ErrorAsync(context, 404, "SubscriptionNotFound", $"The subscription '{(parts.Length > 1 ? parts[1] : "")}' could not be found.");
            return;
        }

        var id = "/" + string.Join('/', parts);
        if (parts.Length == 8 && parts[4] == "providers" && parts[6] == "operations" && method == "GET")
        {
            await JsonAsync(context, 200, new JsonObject { ["id"] = id, ["name"] = parts[7], ["status"] = "Succeeded" });
            return;
        }

        if (parts.Length >= 4 && parts[2].Equals("resourceGroups", StringComparison.OrdinalIgnoreCase) && parts.Length != 4
            && !_resources.ContainsKey(ResourceGroupId(parts[3])))
        {
            await ErrorAsync(context, 404, "ResourceGroupNotFound", $"Resource group '{parts[3]}' could not be found.");
            return;
        }

        var type = TypeOf(id);
        if (type.Equals("Microsoft.ContainerInstance/containerGroups", StringComparison.OrdinalIgnoreCase))
        {
            await ContainerGroupAsync(context, method, id, parts[3], body, caller);
            return;
        }

        await GenericAsync(context, method, id, type, body, caller);
    }

    /// <summary>Resources the stand-in keeps as they are written: resource groups (and whatever a test adds).</summary>
    private async Task GenericAsync(HttpContext context, string method, string id, string type, JsonObject? body, Principal caller)
    {
        switch (method)
        {
            case "GET":
                await (_resources.TryGetValue(id, out var resource)
                    ? JsonAsync(context, 200, Snapshot(resource))
                    : type == "Microsoft.Resources/resourceGroups"
                        ? ErrorAsync(context, 404, "ResourceGroupNotFound", $"Resource group '{id.Split('/')[^1]}' could not be found.")
                        : ErrorAsync(context, 404, "ResourceNotFound", $"The Resource '{type}/{id.Split('/')[^1]}' under resource group '{id.Split('/').ElementAtOrDefault(4)}' was not found."));
                return;
            case "PUT" when body is not null && DeniedTypes.ContainsKey(type):
                await ErrorAsync(context, 403, "AuthorizationFailed",
                    $"The client '{caller.ClientId}' with object id '{caller.ObjectId}' does not have authorization to perform action '{type}/write' over scope '{id}' or the scope is invalid. If access was recently granted, please refresh your credentials.");
                return;
            case "PUT" when body is not null:
                var existed = _resources.ContainsKey(id);
                var kept = (JsonObject)body.DeepClone();
                if (kept["properties"] is not JsonObject)
                {
                    kept["properties"] = new JsonObject();
                }

                kept["properties"]!["provisioningState"] = "Succeeded";
                if (type == "Microsoft.ContainerRegistry/registries")
                {
                    kept["properties"]!["loginServer"] = $"{id.Split('/')[^1].ToLowerInvariant()}.azurecr.io";
                }
                else if (type == "Microsoft.ManagedIdentity/userAssignedIdentities")
                {
                    kept["properties"]!["principalId"] = Guid.NewGuid().ToString();
                    kept["properties"]!["clientId"] = Guid.NewGuid().ToString();
                    kept["properties"]!["tenantId"] = TenantId;
                }

                Put(id, kept);
                await JsonAsync(context, existed ? 200 : 201, Snapshot(_resources[id]));
                return;
            case "DELETE":
                if (_resources.TryRemove(id, out _))
                {
                    Deleted.Enqueue(id);
                    context.Response.StatusCode = 200;
                }
                else
                {
                    context.Response.StatusCode = 204;
                }

                return;
            default:
                await ErrorAsync(context, 405, "MethodNotAllowed", $"The method {method} is not allowed on {id}.");
                return;
        }
    }

    private async Task ContainerGroupAsync(HttpContext context, string method, string id, string resourceGroup, JsonObject? body, Principal caller)
    {
        if (method == "GET")
        {
            if (!_resources.TryGetValue(id, out var group))
            {
                await ErrorAsync(context, 404, "ResourceNotFound", $"The Resource 'Microsoft.ContainerInstance/containerGroups/{id.Split('/')[^1]}' under resource group '{resourceGroup}' was not found.");
                return;
            }

            if (_reads.AddOrUpdate(id, 1, (_, n) => n + 1) == 2 && !NeverProvision)
            {
                Provisioned(id, group);
            }

            await JsonAsync(context, 200, Snapshot(group));
            return;
        }

        if (method == "DELETE")
        {
            if (!_resources.TryRemove(id, out var gone))
            {
                context.Response.StatusCode = 204;
                return;
            }

            Deleted.Enqueue(id);
            if (_running.TryRemove(id, out var running))
            {
                await running.CancelAsync();
            }

            await JsonAsync(context, 200, Snapshot(gone));
            return;
        }

        if (method != "PUT" || body is null)
        {
            await ErrorAsync(context, 405, "MethodNotAllowed", $"The method {method} is not allowed on {id}.");
            return;
        }

        if (DeniedResourceGroups.ContainsKey(resourceGroup))
        {
            await ErrorAsync(context, 403, "AuthorizationFailed",
                $"The client '{caller.ClientId}' with object id '{caller.ObjectId}' does not have authorization to perform action 'Microsoft.ContainerInstance/containerGroups/write' over scope '{id}' or the scope is invalid. If access was recently granted, please refresh your credentials.");
            return;
        }

        if (TakeThrottle())
        {
            context.Response.Headers.RetryAfter = "1";
            await ErrorAsync(context, 429, "SubscriptionRequestsThrottled",
                $"Number of 'write' requests for subscription '{SubscriptionId}' actor '{caller.ObjectId}' exceeded. Please try again after '1' seconds after the last request.");
            return;
        }

        var containers = body["properties"]?["containers"] as JsonArray;
        if (containers is not { Count: > 0 } || containers[0]?["properties"]?["image"] is null || body["location"] is null)
        {
            await ErrorAsync(context, 400, "InvalidRequestContent", "The request content was invalid: location and properties.containers[0].properties.image are required.");
            return;
        }

        if (_resources.TryGetValue(id, out var existing))
        {
            // A PUT of a group that exists updates it; the stand-in keeps it as it is (a retried create).
            await JsonAsync(context, 200, Snapshot(existing));
            return;
        }

        Created[id] = (JsonObject)body.DeepClone();
        var made = (JsonObject)body.DeepClone();
        var properties = (JsonObject)made["properties"]!;
        properties["provisioningState"] = "Pending";
        properties["instanceView"] = new JsonObject { ["state"] = "Pending", ["events"] = new JsonArray() };
        // The API never gives secure values back.
        foreach (var variable in (properties["containers"]![0]!["properties"]!["environmentVariables"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            variable.Remove("secureValue");
        }

        Put(id, made);
        var location = body["location"]!.GetValue<string>();
        context.Response.Headers["Azure-AsyncOperation"] =
            $"{Url}subscriptions/{SubscriptionId}/providers/Microsoft.ContainerInstance/locations/{location}/operations/{Guid.NewGuid()}?api-version=2023-05-01";
        await JsonAsync(context, 201, Snapshot(made));
    }

    /// <summary>The group is provisioned and its container runs what the test says; then it is terminated with that exit code.</summary>
    private void Provisioned(string id, JsonObject group)
    {
        var now = Now();
        if (FailProvisioning is { } why)
        {
            lock (_gate)
            {
                group["properties"]!["provisioningState"] = "Failed";
                group["properties"]!["instanceView"]!["state"] = "Pending";
                ((JsonObject)group["properties"]!["containers"]![0]!["properties"]!)["instanceView"] = new JsonObject
                {
                    ["restartCount"] = 0,
                    ["currentState"] = new JsonObject { ["state"] = "Waiting", ["detailStatus"] = "ImagePullBackOff" },
                    ["events"] = new JsonArray(new JsonObject
                    {
                        ["count"] = 3, ["firstTimestamp"] = now, ["lastTimestamp"] = now, ["name"] = "Failed", ["message"] = why, ["type"] = "Warning",
                    }),
                };
            }

            return;
        }

        lock (_gate)
        {
            group["properties"]!["provisioningState"] = "Succeeded";
            group["properties"]!["instanceView"]!["state"] = "Running";
            var container = (JsonObject)group["properties"]!["containers"]![0]!["properties"]!;
            container["instanceView"] = new JsonObject
            {
                ["restartCount"] = 0,
                ["currentState"] = new JsonObject { ["state"] = "Running", ["startTime"] = now, ["detailStatus"] = "" },
                ["events"] = new JsonArray(
                    new JsonObject { ["count"] = 1, ["firstTimestamp"] = now, ["lastTimestamp"] = now, ["name"] = "Pulled", ["message"] = "Successfully pulled image", ["type"] = "Normal" },
                    new JsonObject { ["count"] = 1, ["firstTimestamp"] = now, ["lastTimestamp"] = now, ["name"] = "Started", ["message"] = "Started container", ["type"] = "Normal" }),
            };
        }

        var stop = new CancellationTokenSource();
        _running[id] = stop;
        var body = Created[id];
        _ = Task.Run(async () =>
        {
            (int ExitCode, string? Detail) outcome;
            try
            {
                outcome = await Execute((JsonObject)body.DeepClone(), stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            _running.TryRemove(id, out _);
            lock (_gate)
            {
                var container = (JsonObject)group["properties"]!["containers"]![0]!["properties"]!;
                container["instanceView"]!["currentState"] = new JsonObject
                {
                    ["state"] = "Terminated",
                    ["startTime"] = container["instanceView"]!["currentState"]!["startTime"]!.DeepClone(),
                    ["finishTime"] = Now(),
                    ["exitCode"] = outcome.ExitCode,
                    ["detailStatus"] = outcome.Detail ?? (outcome.ExitCode == 0 ? "Completed" : "Error"),
                };
                group["properties"]!["instanceView"]!["state"] = outcome.ExitCode == 0 ? "Succeeded" : "Failed";
            }
        });
    }

    private bool TakeThrottle()
    {
        lock (_gate)
        {
            if (Throttles <= 0)
            {
                return false;
            }

            Throttles--;
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

    /// <summary>A resource id's type: <c>Microsoft.Resources/resourceGroups</c>, or the provider's namespace and the types after it.</summary>
    private static string TypeOf(string id)
    {
        var parts = id.Trim('/').Split('/');
        var provider = Array.FindLastIndex(parts, p => p.Equals("providers", StringComparison.OrdinalIgnoreCase));
        if (provider < 0)
        {
            return parts.Length == 4 ? "Microsoft.Resources/resourceGroups" : parts.Length == 2 ? "Microsoft.Resources/subscriptions" : "";
        }

        var rest = parts[(provider + 1)..];
        return rest.Length < 2 ? "" : string.Join('/', [rest[0], .. rest.Skip(1).Where((_, i) => i % 2 == 0)]);
    }

    private static string Now() => TimeProvider.System.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", System.Globalization.CultureInfo.InvariantCulture);

    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.KeyCertSign, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = TimeProvider.System.GetUtcNow();
        using var made = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pfx), null);
    }

    private static Task OAuthErrorAsync(HttpContext context, int status, string error, int code, string description) =>
        JsonAsync(context, status, new JsonObject
        {
            ["error"] = error,
            ["error_description"] = description,
            ["error_codes"] = new JsonArray(code),
            ["timestamp"] = TimeProvider.System.GetUtcNow().ToString("yyyy-MM-dd HH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            ["trace_id"] = Guid.NewGuid().ToString(),
            ["correlation_id"] = Guid.NewGuid().ToString(),
        });

    private static Task ErrorAsync(HttpContext context, int status, string code, string message) =>
        JsonAsync(context, status, new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } });

    private static async Task JsonAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(body.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var running in _running.Values)
        {
            await running.CancelAsync();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
        Certificate.Dispose();
    }
}
