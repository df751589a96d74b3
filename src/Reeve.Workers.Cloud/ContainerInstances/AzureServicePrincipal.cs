using System.Text.Json.Nodes;
using Reeve.Core.JobTemplates;

namespace Reeve.Workers.ContainerInstances;

/// <summary>A Microsoft Entra service principal's client secret login: the resolved <c>azure-container-instance-credentials</c>.</summary>
internal sealed record AzureServicePrincipal(string TenantId, string ClientId, string ClientSecret)
{
    /// <exception cref="ArgumentException">A field is missing, saying which.</exception>
    public static AzureServicePrincipal From(JsonObject credentials)
    {
        string Field(string name) => JobConfiguration.Text(credentials, name) is { Length: > 0 } value ? value.Trim()
            : throw new ArgumentException($"The job variable 'aci_credentials' has no {name} (azure-container-instance-credentials need client_id, tenant_id and client_secret).", nameof(credentials));
        return new AzureServicePrincipal(Field("tenant_id"), Field("client_id"), Field("client_secret"));
    }

    /// <summary>Never the secret.</summary>
    public override string ToString() => $"{ClientId} (tenant {TenantId})";
}
