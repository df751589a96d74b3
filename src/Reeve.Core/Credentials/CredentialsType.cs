namespace Reeve.Core.Credentials;

/// <summary>What a field of a credentials type holds.</summary>
public enum CredentialsFieldKind
{
    /// <summary>Text shown as it is.</summary>
    Text,

    /// <summary>Text kept encrypted and shown masked.</summary>
    SecretText,

    /// <summary>A JSON object kept encrypted and shown masked (a service-account key, a kubeconfig).</summary>
    SecretObject,

    /// <summary>true or false.</summary>
    Flag,
}

/// <summary>One field of a credentials type.</summary>
/// <param name="Name">The field's name on the wire (Prefect's block field name).</param>
/// <param name="Kind">What it holds; secret kinds are encrypted at rest and masked in every answer.</param>
/// <param name="Required">Whether credentials of the type must have it.</param>
/// <param name="Description">What it is, for help texts.</param>
public sealed record CredentialsField(string Name, CredentialsFieldKind Kind, bool Required, string Description)
{
    /// <summary>Whether the field is a secret.</summary>
    public bool IsSecret => Kind is CredentialsFieldKind.SecretText or CredentialsFieldKind.SecretObject;
}

/// <summary>A kind of credentials Reeve knows (Prefect's block type slug), and its fields.</summary>
/// <param name="Slug">The type's name, as Prefect's block type slug (<c>docker-registry-credentials</c>).</param>
/// <param name="Description">What the credentials are for.</param>
/// <param name="Fields">Its fields, in order.</param>
public sealed record CredentialsType(string Slug, string Description, IReadOnlyList<CredentialsField> Fields)
{
    /// <summary>The field named <paramref name="name"/>, or null.</summary>
    public CredentialsField? Field(string name) => Fields.FirstOrDefault(f => f.Name == name);
}
