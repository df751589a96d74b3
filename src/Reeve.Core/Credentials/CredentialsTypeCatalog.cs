using static Reeve.Core.Credentials.CredentialsFieldKind;

namespace Reeve.Core.Credentials;

/// <summary>
/// The credentials types Reeve knows: what push pools and job templates need, under Prefect's block type slugs and
/// field names, so that a template written for Prefect reads the same values.
/// </summary>
public static class CredentialsTypeCatalog
{
    /// <summary>Every known type.</summary>
    public static IReadOnlyList<CredentialsType> All { get; } =
    [
        new("secret", "One secret value (Prefect's Secret block).",
        [
            new("value", SecretText, true, "The secret."),
        ]),
        new("docker-registry-credentials", "A login to a Docker registry, for pushing and pulling images.",
        [
            new("username", Text, true, "The user name."),
            new("password", SecretText, true, "The password or access token."),
            new("registry_url", Text, true, "The registry's address (host[:port])."),
            new("reauth", Flag, false, "Log in again even when logged in already."),
        ]),
        new("kubernetes-cluster-config", "How to reach a Kubernetes cluster: a kubeconfig and the context to use.",
        [
            new("config", SecretObject, true, "The kubeconfig, as a JSON object."),
            new("context_name", Text, true, "The kubeconfig's context to use."),
        ]),
        new("gcp-credentials", "A Google Cloud service account.",
        [
            new("service_account_info", SecretObject, false, "The service account's JSON key."),
            new("service_account_file", Text, false, "A path to the key file, where the runs read it."),
            new("project", Text, false, "The project; the key's own when absent."),
        ]),
        new("aws-credentials", "An AWS access key.",
        [
            new("aws_access_key_id", Text, false, "The access key's id."),
            new("aws_secret_access_key", SecretText, false, "The secret access key."),
            new("aws_session_token", SecretText, false, "A session token, for temporary credentials."),
            new("profile_name", Text, false, "A profile of the shared credentials file instead."),
            new("region_name", Text, false, "The region."),
        ]),
        new("azure-container-instance-credentials", "An Azure service principal.",
        [
            new("client_id", Text, true, "The application (client) id."),
            new("tenant_id", Text, true, "The directory (tenant) id."),
            new("client_secret", SecretText, true, "The client secret."),
        ]),
    ];

    /// <summary>The known type slugs, for error messages and help.</summary>
    public static string KnownTypes { get; } = string.Join(", ", All.Select(t => t.Slug));

    /// <summary>The type named <paramref name="slug"/>, or null.</summary>
    public static CredentialsType? Find(string? slug) => All.FirstOrDefault(t => t.Slug == slug);
}
