using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Reeve.Testing.Cloud;

/// <summary>The stand-in's Microsoft Graph v1.0: what provisioning an <c>aci:push</c> pool asks of it.</summary>
public sealed partial class AzureStandIn
{
    /// <summary>Microsoft Graph's app registrations, by object id.</summary>
    public ConcurrentDictionary<string, JsonObject> Applications { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Microsoft Graph's service principals, by object id.</summary>
    public ConcurrentDictionary<string, JsonObject> ServicePrincipals { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The client secrets added to app registrations (by app id), in order.</summary>
    public ConcurrentQueue<string> Passwords { get; } = new();

    /// <summary>Microsoft Graph v1.0: applications and service principals (list with <c>$filter</c>, create), and <c>addPassword</c>.</summary>
    private async Task GraphAsync(HttpContext context, string method, string path)
    {
        if (!Authenticated(context, "https://graph.microsoft.com/.default", out _))
        {
            await ErrorAsync(context, 401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.");
            return;
        }

        var body = method == "POST" ? JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync()) as JsonObject ?? [] : [];
        var parts = path.Split('/');
        var filter = context.Request.Query["$filter"].ToString();
        switch (method, parts)
        {
            case ("GET", ["applications"]):
                await ListAsync(context, Applications.Values, filter);
                return;
            case ("GET", ["servicePrincipals"]):
                await ListAsync(context, ServicePrincipals.Values, filter);
                return;
            case ("POST", ["applications"]):
            {
                var app = new JsonObject
                {
                    ["id"] = Guid.NewGuid().ToString(),
                    ["appId"] = Guid.NewGuid().ToString(),
                    ["displayName"] = body["displayName"]?.GetValue<string>(),
                    ["description"] = body["description"]?.GetValue<string>(),
                    ["passwordCredentials"] = new JsonArray(),
                };
                Applications[app["id"]!.GetValue<string>()] = app;
                await JsonAsync(context, 201, Snapshot(app));
                return;
            }

            case ("POST", ["servicePrincipals"]):
            {
                var appId = body["appId"]?.GetValue<string>();
                if (!Applications.Values.Any(a => a["appId"]?.GetValue<string>() == appId))
                {
                    await ErrorAsync(context, 400, "Request_BadRequest", $"The appId '{appId}' of the service principal does not reference a valid application object.");
                    return;
                }

                if (ServicePrincipals.Values.Any(p => p["appId"]?.GetValue<string>() == appId))
                {
                    await ErrorAsync(context, 409, "Request_MultipleObjectsWithSameKeyValue", "Another object with the same value for property servicePrincipalNames already exists.");
                    return;
                }

                var principal = new JsonObject { ["id"] = Guid.NewGuid().ToString(), ["appId"] = appId };
                ServicePrincipals[principal["id"]!.GetValue<string>()] = principal;
                await JsonAsync(context, 201, Snapshot(principal));
                return;
            }

            case ("POST", ["applications", var objectId, "addPassword"]) when Applications.TryGetValue(objectId, out var application):
            {
                var appId = application["appId"]!.GetValue<string>();
                var secret = $"Rv8~{Guid.NewGuid():N}";
                var principal = ServicePrincipals.Values.FirstOrDefault(p => p["appId"]?.GetValue<string>() == appId)?["id"]?.GetValue<string>() ?? Guid.NewGuid().ToString();
                Principals[appId] = new Principal(TenantId, appId, secret, principal);
                Passwords.Enqueue(appId);
                await JsonAsync(context, 200, new JsonObject
                {
                    ["keyId"] = Guid.NewGuid().ToString(),
                    ["displayName"] = body["passwordCredential"]?["displayName"]?.GetValue<string>(),
                    ["hint"] = secret[..3],
                    ["secretText"] = secret,
                    ["endDateTime"] = TimeProvider.System.GetUtcNow().AddYears(2).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
                });
                return;
            }

            default:
                await ErrorAsync(context, 404, "Request_ResourceNotFound", $"Resource '{path}' does not exist or one of its queried reference-property objects are not present.");
                return;
        }
    }

    /// <summary>A Graph list, filtered by the one <c>$filter</c> form provisioning uses: <c>property eq 'value'</c>.</summary>
    private Task ListAsync(HttpContext context, IEnumerable<JsonObject> objects, string filter)
    {
        var match = System.Text.RegularExpressions.Regex.Match(filter, "^(\\w+) eq '([^']*)'$");
        var found = objects.Where(o => !match.Success || o[match.Groups[1].Value]?.GetValue<string>() == match.Groups[2].Value);
        return JsonAsync(context, 200, new JsonObject { ["value"] = new JsonArray([.. found.Select(o => (JsonNode)Snapshot(o))]) });
    }
}
