using System.Security.Cryptography.X509Certificates;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using Azure.ResourceManager;

namespace Reeve.Workers.ContainerInstances;

/// <summary>
/// Where Azure is: Microsoft Entra ID (tokens), Azure Resource Manager and Microsoft Graph — the public cloud's by
/// default; tests point them at a stand-in on loopback, whose self-signed certificate <see cref="TrustedCertificate"/>
/// names (Azure.Identity and Azure.Core speak only HTTPS).
/// </summary>
public sealed record AzureEndpoints
{
    /// <summary>The Microsoft Entra authority host (<c>https://login.microsoftonline.com/</c>); <c>AZURE_AUTHORITY_HOST</c> overrides it.</summary>
    public Uri AuthorityHost { get; init; } = AzureAuthorityHosts.AzurePublicCloud;

    /// <summary>Azure Resource Manager (<c>https://management.azure.com/</c>).</summary>
    public Uri ResourceManager { get; init; } = new("https://management.azure.com/");

    /// <summary>Microsoft Graph (<c>https://graph.microsoft.com/</c>), for app registrations and service principals.</summary>
    public Uri Graph { get; init; } = new("https://graph.microsoft.com/");

    /// <summary>
    /// A certificate to trust, by thumbprint, instead of the system's (a stand-in's self-signed one); null for the
    /// system's trust. Only this certificate is then accepted.
    /// </summary>
    public X509Certificate2? TrustedCertificate { get; init; }

    /// <summary>The ARM scope tokens are asked for: the public cloud's audience, whatever endpoint ARM is reached at.</summary>
    public const string ResourceManagerScope = "https://management.azure.com/.default";

    /// <summary>The Graph scope.</summary>
    public const string GraphScope = "https://graph.microsoft.com/.default";

    /// <summary>
    /// The endpoints named by <c>AZURE_AUTHORITY_HOST</c> (Azure.Identity's own), <c>REEVE_AZURE_RESOURCE_MANAGER_ENDPOINT</c>
    /// and <c>REEVE_AZURE_GRAPH_ENDPOINT</c>, each the public cloud's when unset.
    /// </summary>
    /// <exception cref="InvalidOperationException">A variable is not an https address, saying which.</exception>
    public static AzureEndpoints FromEnvironment(Func<string, string?> environment)
    {
        Uri? Address(string variable) => environment(variable) is { Length: > 0 } value
            ? Uri.TryCreate(value.EndsWith('/') ? value : value + "/", UriKind.Absolute, out var uri) && uri.Scheme == "https" ? uri
                : throw new InvalidOperationException($"{variable} must be an https address, not '{value}'.")
            : null;
        var defaults = new AzureEndpoints();
        return new AzureEndpoints
        {
            AuthorityHost = Address("AZURE_AUTHORITY_HOST") ?? defaults.AuthorityHost,
            ResourceManager = Address("REEVE_AZURE_RESOURCE_MANAGER_ENDPOINT") ?? defaults.ResourceManager,
            Graph = Address("REEVE_AZURE_GRAPH_ENDPOINT") ?? defaults.Graph,
        };
    }

    /// <summary>The transport every client of these endpoints uses; null for Azure.Core's own.</summary>
    public HttpPipelineTransport? Transport() => TrustedCertificate is null ? null : _transport ??= TrustingTransport(TrustedCertificate);

    private HttpPipelineTransport? _transport;

    private static HttpClientTransport TrustingTransport(X509Certificate2 trusted)
    {

        var thumbprint = trusted.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256);
#pragma warning disable CA2000 // The handler lives as long as the transport that owns it.
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
                certificate is not null && certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256) == thumbprint,
        };
#pragma warning restore CA2000
        return new HttpClientTransport(handler);
    }

    /// <summary>A credential for a service principal's client secret, asking this authority.</summary>
    internal ClientSecretCredential Credential(AzureServicePrincipal principal)
    {
        var options = new ClientSecretCredentialOptions { AuthorityHost = AuthorityHost, DisableInstanceDiscovery = IsStandIn };
        if (Transport() is { } transport)
        {
            options.Transport = transport;
        }

        return new ClientSecretCredential(principal.TenantId, principal.ClientId, principal.ClientSecret, options);
    }

    /// <summary>An ARM client for this endpoint, with the API versions Reeve's calls use.</summary>
    public ArmClient Arm(TokenCredential credential, string? subscription = null)
    {
        var options = new ArmClientOptions { Environment = new ArmEnvironment(ResourceManager, "https://management.azure.com") };
        options.SetApiVersion(new ResourceType("Microsoft.ContainerInstance/containerGroups"), ContainerGroupsApiVersion);
        options.SetApiVersion(new ResourceType("Microsoft.Authorization/roleAssignments"), "2022-04-01");
        options.SetApiVersion(new ResourceType("Microsoft.ContainerRegistry/registries"), "2023-07-01");
        options.SetApiVersion(new ResourceType("Microsoft.ManagedIdentity/userAssignedIdentities"), "2023-01-31");
        if (Transport() is { } transport)
        {
            options.Transport = transport;
        }

        options.Retry.MaxRetries = 4;
        return new ArmClient(credential, subscription, options);
    }

    /// <summary>The Microsoft.ContainerInstance API version the calls are written against.</summary>
    public const string ContainerGroupsApiVersion = "2023-05-01";

    /// <summary>
    /// Whether the authority is not Microsoft's (a stand-in): instance discovery, which asks Microsoft's own host about
    /// the authority, is then not done.
    /// </summary>
    public bool IsStandIn => !AuthorityHost.Host.EndsWith(".microsoftonline.com", StringComparison.OrdinalIgnoreCase)
        && !AuthorityHost.Host.EndsWith(".microsoftonline.us", StringComparison.OrdinalIgnoreCase)
        && !AuthorityHost.Host.EndsWith(".chinacloudapi.cn", StringComparison.OrdinalIgnoreCase);
}
