using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using Azure.Identity;
using Azure.ResourceManager;
using Azure.ResourceManager.Resources;
using Reeve.Client;
using Reeve.Core.Credentials;
using Reeve.Workers.ContainerInstances;
using Reeve.Workers.Docker;

namespace Reeve.Cli.Provisioning;

/// <summary>
/// An <c>aci:push</c> pool's infrastructure, made as Prefect's provisioner makes it but through Azure's REST APIs
/// rather than the <c>az</c> command, with the CLI user's own credentials (Azure.Identity's environment credential:
/// <c>AZURE_CLIENT_ID</c>, <c>AZURE_CLIENT_SECRET</c>, <c>AZURE_TENANT_ID</c>): a resource group; an app registration
/// with its service principal and a client secret, stored as azure-container-instance-credentials; the Contributor
/// role for it on the resource group; an Azure Container Registry (the CLI's default Docker build namespace), which
/// Docker is logged in to as that service principal (AcrPush, kept as <c>docker login</c> keeps it, so that
/// <c>reeve deploy --image</c> pushes there as Prefect's <c>az acr login</c> step allows); and a user-assigned identity
/// that may pull from it (AcrPull). Each step finds what exists and makes only what is missing; a secret is made only
/// when neither the credentials nor Docker's login hold one.
/// </summary>
internal sealed class AciPushProvisioner(string pool, ProvisioningOptions options, CliContext context) : Provisioner
{
    public const string DefaultResourceGroup = "reeve-aci-push-pool-rg";
    public const string AppName = "reeve-aci-push-pool-app";
    public const string IdentityName = "reeve-acr-identity";
    private const string ContributorRole = "b24988ac-6180-42a0-ab88-20f7382dd24c";
    private const string AcrPullRole = "7f951dda-4ed3-4680-a7ca-43fe172d538d";
    private const string AcrPushRole = "8311e382-0749-4cb8-b61a-304f252e45ec";

    private AzureEndpoints? _endpoints;
    private TokenCredential? _credential;
    private ArmClient? _arm;
    private AzureRest? _graph;
    private AzureRest? _rest;
    private string? _appId;
    private string? _appObjectId;
    private string? _principalId;
    private Guid? _credentials;
    private string? _secret;
    private string? _registryId;
    private string? _loginServer;
    private string? _identityId;

    private string Subscription => (options.Subscription ?? context.Environment("AZURE_SUBSCRIPTION_ID")) is { Length: > 0 } s
        ? Guid.TryParse(s.Trim(), out _) ? s.Trim() : throw new CliException($"The Azure subscription '{s}' is not a subscription id (a GUID).")
        : throw new CliException("--provision-infra for aci:push needs the Azure subscription: give --subscription or set AZURE_SUBSCRIPTION_ID.");

    private string Location => _location ?? options.Region ?? "eastus";

    private string? _location;

    private string ResourceGroup => options.ResourceGroup ?? DefaultResourceGroup;

    private string ResourceGroupId => $"/subscriptions/{Subscription}/resourceGroups/{ResourceGroup}";

    private string CredentialsName => $"{pool}-push-pool-credentials";

    /// <summary>
    /// The registry's name: "reeve" and ten hex digits of the subscription and resource group, so that provisioning
    /// again finds the same registry (registry names are global: letters and digits, 5 to 50).
    /// </summary>
    private string RegistryName => "reeve" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{Subscription}/{ResourceGroup}".ToLowerInvariant())))[..10];

    public override IReadOnlyList<string> Plan =>
    [
        $"Updates in Azure subscription {Subscription}",
        $"    - Create a resource group {ResourceGroup} in location {Location}",
        $"    - Create an app registration {AppName} and its service principal",
        "    - Generate a secret for the app registration (only when the credentials below do not exist)",
        $"    - Create an Azure Container Registry {RegistryName}",
        $"    - Assign the Contributor role on {ResourceGroup} and AcrPush on the registry to the service principal",
        $"    - Create an identity {IdentityName} that may pull from the registry (AcrPull)",
        "Updates in Reeve",
        $"    - Create azure-container-instance-credentials {CredentialsName}",
        "Updates on this machine",
        $"    - Log Docker in to {RegistryName}.azurecr.io as the service principal (kept as docker login keeps it), unless it has a login there",
        $"    - Set the default Docker build namespace to {RegistryName}.azurecr.io",
    ];

    public override IReadOnlyList<ProvisioningStep> Steps =>
    [
        new("Creating resource group", Guarded(CreateResourceGroupAsync)),
        new("Creating app registration", Guarded(CreateAppAsync)),
        new("Creating Azure Container Registry", Guarded(CreateRegistryAsync)),
        new("Creating ACI credentials", Guarded(StoreCredentialsAsync)),
        new("Configuring authentication to the registry", Guarded(LogInAsync)),
        new("Assigning Contributor role to the service principal", Guarded(AssignContributorAsync)),
        new("Letting the service principal push to the registry", Guarded(AssignPushAsync)),
        new("Creating identity", Guarded(CreateIdentityAsync)),
    ];

    /// <summary>A step whose refusals from Azure (already one line) end the command as the CLI's own errors do.</summary>
    private static Func<CancellationToken, Task<string>> Guarded(Func<CancellationToken, Task<string>> step) => async ct =>
    {
        try
        {
            return await step(ct);
        }
        catch (AzureException e)
        {
            throw new CliException(e.Message);
        }
    };

    public override JsonObject Template() => TemplateWith("aci:push", new Dictionary<string, JsonNode>
    {
        ["aci_credentials"] = Reference(_credentials ?? throw new InvalidOperationException("The credentials step has not run.")),
        ["resource_group_name"] = JsonValue.Create(ResourceGroup),
        ["subscription_id"] = JsonValue.Create(Subscription),
        ["image_registry"] = new JsonObject { ["registry_url"] = _loginServer, ["identity"] = _identityId },
        ["identities"] = new JsonArray(JsonValue.Create(_identityId)),
    });

    private AzureEndpoints Endpoints
    {
        get
        {
            try
            {
                return _endpoints ??= AzureEndpoints.FromEnvironment(context.Environment);
            }
            catch (InvalidOperationException e)
            {
                throw new CliException(e.Message);
            }
        }
    }

    /// <summary>The user's credential: a service principal's secret from AZURE_CLIENT_ID, AZURE_CLIENT_SECRET and AZURE_TENANT_ID.</summary>
    private TokenCredential Credential => _credential ??= NewCredential();

    private ClientSecretCredential NewCredential()
    {
        string Variable(string name) => context.Environment(name) is { Length: > 0 } value ? value
            : throw new CliException($"--provision-infra for aci:push signs in to Azure with AZURE_CLIENT_ID, AZURE_CLIENT_SECRET and AZURE_TENANT_ID; {name} is not set.");
        var credentialOptions = new ClientSecretCredentialOptions { AuthorityHost = Endpoints.AuthorityHost, DisableInstanceDiscovery = Endpoints.IsStandIn };
        if (Endpoints.Transport() is { } transport)
        {
            credentialOptions.Transport = transport;
        }

        return new ClientSecretCredential(Variable("AZURE_TENANT_ID"), Variable("AZURE_CLIENT_ID"), Variable("AZURE_CLIENT_SECRET"), credentialOptions);
    }

    private ArmClient Arm => _arm ??= Endpoints.Arm(Credential, Subscription);

    private AzureRest Graph => _graph ??= AzureRest.Graph(Credential, Endpoints);

    private AzureRest Rest => _rest ??= AzureRest.ResourceManager(Credential, Endpoints);

    /// <summary>Runs a call to Azure; a refusal ends the command in one line.</summary>
    private static async Task<T> CallAsync<T>(string what, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is not OperationCanceledException && AzureException.From(e, what) is { } refused)
        {
            throw new CliException(refused.Message);
        }
    }

    /// <summary>A generic resource's properties, or null when it does not exist.</summary>
    private async Task<JsonObject?> ReadAsync(string id, string what, CancellationToken ct)
    {
        try
        {
            var found = await Arm.GetGenericResource(new ResourceIdentifier(id)).GetAsync(ct);
            return found.Value.Data.Properties is { } properties ? JsonNode.Parse(properties.ToString()) as JsonObject ?? [] : [];
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException && AzureException.From(e, what) is { } refused)
        {
            throw new CliException(refused.Message);
        }
    }

    /// <summary>Creates a generic resource (waiting for ARM to finish), returning its properties.</summary>
    private async Task<JsonObject> CreateAsync(string id, GenericResourceData data, string what, CancellationToken ct)
    {
        var made = await CallAsync(what, () => Arm.GetGenericResources().CreateOrUpdateAsync(WaitUntil.Completed, new ResourceIdentifier(id), data, ct));
        return made.Value.Data.Properties is { } properties ? JsonNode.Parse(properties.ToString()) as JsonObject ?? [] : [];
    }

    private async Task<string> CreateResourceGroupAsync(CancellationToken ct)
    {
        var groups = Arm.GetSubscriptionResource(SubscriptionResource.CreateResourceIdentifier(Subscription)).GetResourceGroups();
        if ((await CallAsync($"read resource group {ResourceGroup}", () => groups.ExistsAsync(ResourceGroup, ct))).Value)
        {
            // What goes in it goes where it is.
            var existing = await CallAsync($"read resource group {ResourceGroup}", () => groups.GetAsync(ResourceGroup, ct));
            _location = existing.Value.Data.Location.Name;
            return $"Resource group {ResourceGroup} exists (in {_location})";
        }

        await CallAsync($"create resource group {ResourceGroup}", () => groups.CreateOrUpdateAsync(WaitUntil.Completed, ResourceGroup, new ResourceGroupData(new AzureLocation(Location)), ct));
        return $"Created resource group {ResourceGroup} in {Location}";
    }

    private async Task<string> CreateAppAsync(CancellationToken ct)
    {
        var made = new List<string>();
        var app = await Graph.FindAsync("applications", $"displayName eq '{AppName}'", $"read app registration {AppName}", ct);
        if (app is null)
        {
            app = await Graph.CreateAsync("applications", new JsonObject
            {
                ["displayName"] = AppName,
                ["description"] = "App registration created by Reeve for an Azure Container Instances push work pool",
            }, $"create app registration {AppName}", ct);
            made.Add("app registration");
        }

        _appId = app["appId"]?.GetValue<string>() ?? throw new CliException($"Microsoft Graph gave app registration {AppName} no appId.");
        _appObjectId = app["id"]?.GetValue<string>();
        var principal = await Graph.FindAsync("servicePrincipals", $"appId eq '{_appId}'", $"read the service principal of {AppName}", ct);
        if (principal is null)
        {
            principal = await Graph.CreateAsync("servicePrincipals", new JsonObject { ["appId"] = _appId }, $"create the service principal of {AppName}", ct);
            made.Add("service principal");
        }

        _principalId = principal["id"]?.GetValue<string>() ?? throw new CliException($"Microsoft Graph gave the service principal of {AppName} no id.");
        return made.Count == 0
            ? $"App registration {AppName} ({_appId}) and its service principal exist"
            : $"Created {string.Join(" and ", made)} for {AppName} ({_appId})";
    }

    /// <summary>A secret is made only when the credentials are not stored yet (Graph never shows a secret again).</summary>
    private async Task<string> StoreCredentialsAsync(CancellationToken ct)
    {
        using var client = context.CreateClient();
        try
        {
            _credentials = (await client.ReadCredentialsAsync("azure-container-instance-credentials", CredentialsName, ct)).Id;
            return $"ACI credentials {CredentialsName} exist";
        }
        catch (ReeveApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            var secret = _secret = await AddSecretAsync($"reeve {pool}", ct);
            _credentials = (await client.CreateCredentialsAsync(new CredentialsCreate
            {
                Type = "azure-container-instance-credentials",
                Name = CredentialsName,
                Data = new JsonObject
                {
                    ["client_id"] = _appId,
                    ["tenant_id"] = context.Environment("AZURE_TENANT_ID"),
                    ["client_secret"] = secret,
                },
            }, ct)).Id;
            return $"Generated a secret for {AppName} and created ACI credentials {CredentialsName}";
        }
    }

    private async Task<string> AddSecretAsync(string name, CancellationToken ct)
    {
        var password = await Graph.CreateAsync($"applications/{_appObjectId}/addPassword",
            new JsonObject { ["passwordCredential"] = new JsonObject { ["displayName"] = name } },
            $"add a client secret to {AppName}", ct);
        return password["secretText"]?.GetValue<string>() ?? throw new CliException($"Microsoft Graph gave {AppName} no secretText.");
    }

    /// <summary>
    /// Docker's login to the registry as the service principal (its app id and a secret), kept as <c>docker login</c>
    /// keeps it, unless Docker has one there already (<c>az acr login</c>'s, say). The secret just stored as the
    /// credentials is used; a new one is made only when the credentials existed and Docker's login did not.
    /// </summary>
    private Task<string> LogInAsync(CancellationToken ct) =>
        KeepDockerLoginAsync(context, _loginServer!, $"the service principal of {AppName}",
            async () => (_appId!, _secret ?? await AddSecretAsync($"reeve {pool} docker login", ct)), ct);

    private async Task<string> AssignPushAsync(CancellationToken ct) =>
        await AssignRoleAsync(_registryId!, AcrPushRole, "AcrPush", _principalId!, ct)
            ? $"Assigned AcrPush on {RegistryName} to the service principal of {AppName}"
            : $"The service principal of {AppName} has AcrPush on {RegistryName}";

    private async Task<string> AssignContributorAsync(CancellationToken ct) =>
        await AssignRoleAsync(ResourceGroupId, ContributorRole, "Contributor", _principalId!, ct)
            ? $"Assigned Contributor on {ResourceGroup} to the service principal of {AppName}"
            : $"The service principal of {AppName} has Contributor on {ResourceGroup}";

    /// <summary>
    /// Gives <paramref name="principal"/> the role on <paramref name="scope"/>, under a name made of the three, so that
    /// provisioning again finds the assignment it made; false when it existed.
    /// </summary>
    private async Task<bool> AssignRoleAsync(string scope, string role, string roleName, string principal, CancellationToken ct)
    {
        var name = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes($"{scope}|{role}|{principal}".ToLowerInvariant()))[..16]);
        var path = $"{scope.TrimStart('/')}/providers/Microsoft.Authorization/roleAssignments/{name}?api-version=2022-04-01";
        if (await Rest.GetAsync(path, $"read the {roleName} role assignment", ct) is not null)
        {
            return false;
        }

        await Rest.PutAsync(path, new JsonObject
        {
            ["properties"] = new JsonObject
            {
                ["roleDefinitionId"] = $"/subscriptions/{Subscription}/providers/Microsoft.Authorization/roleDefinitions/{role}",
                ["principalId"] = principal,
                ["principalType"] = "ServicePrincipal",
            },
        }, $"assign the {roleName} role on {scope.Split('/')[^1]}", ct);
        return true;
    }

    private async Task<string> CreateRegistryAsync(CancellationToken ct)
    {
        _registryId = $"{ResourceGroupId}/providers/Microsoft.ContainerRegistry/registries/{RegistryName}";
        var registry = await ReadAsync(_registryId, $"read registry {RegistryName}", ct);
        var existed = registry is not null;
        registry ??= await CreateAsync(_registryId, new GenericResourceData(new AzureLocation(Location))
        {
            Sku = new Azure.ResourceManager.Resources.Models.ResourcesSku { Name = "Basic" },
            Properties = BinaryData.FromString(new JsonObject { ["adminUserEnabled"] = false }.ToJsonString()),
        }, $"create registry {RegistryName}", ct);
        _loginServer = registry["loginServer"]?.GetValue<string>() ?? $"{RegistryName}.azurecr.io";
        SetBuildNamespace(context, _loginServer);
        return existed
            ? $"Registry {_loginServer} exists; default Docker build namespace: {_loginServer}"
            : $"Created registry {_loginServer}; default Docker build namespace: {_loginServer}";
    }

    private async Task<string> CreateIdentityAsync(CancellationToken ct)
    {
        _identityId = $"{ResourceGroupId}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{IdentityName}";
        var identity = await ReadAsync(_identityId, $"read identity {IdentityName}", ct);
        var existed = identity is not null;
        identity ??= await CreateAsync(_identityId, new GenericResourceData(new AzureLocation(Location)), $"create identity {IdentityName}", ct);
        var principal = identity["principalId"]?.GetValue<string>() ?? throw new CliException($"Azure gave identity {IdentityName} no principalId.");
        var assigned = await AssignRoleAsync(_registryId!, AcrPullRole, "AcrPull", principal, ct);
        return (existed, assigned) switch
        {
            (false, _) => $"Created identity {IdentityName} and gave it AcrPull on {RegistryName}",
            (true, true) => $"Identity {IdentityName} exists; gave it AcrPull on {RegistryName}",
            _ => $"Identity {IdentityName} exists with AcrPull on {RegistryName}",
        };
    }
}
