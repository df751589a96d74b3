using System.Text.Json;
using System.Text.Json.Nodes;
using Reeve.Core.Blocks;
using Reeve.Core.Credentials;
using Reeve.Server.Storage.Entities;

namespace Reeve.Server.Storage;

/// <summary>
/// How a block document's (credentials') fields are kept in its row, in one place: the fields as answers show them
/// (secrets masked) in plaintext, every field encrypted, the secret paths beside them. Reads answer from the plaintext
/// without decrypting; only <see cref="Full"/> decrypts.
/// </summary>
internal sealed class SecretRows(CredentialsProtector protector)
{
    /// <summary>Writes <paramref name="data"/> into <paramref name="row"/>, the fields at <paramref name="secretPaths"/> secret.</summary>
    public void Write(CredentialsRecord row, JsonObject data, IReadOnlyCollection<string> secretPaths)
    {
        row.PlainData = BlockRules.Mask(data, secretPaths).ToJsonString();
        row.SecretData = protector.Protect(data.ToJsonString());
        row.SecretNames = JsonSerializer.Serialize(secretPaths);
    }

    /// <summary>Every field, secrets in plaintext.</summary>
    public JsonObject Full(CredentialsRecord row)
    {
        // Rows written before block documents keep only the secret fields encrypted: lay them over the plain ones.
        var data = JsonNode.Parse(row.PlainData) as JsonObject ?? [];
        if (JsonNode.Parse(protector.Unprotect(row.SecretData)) is JsonObject all)
        {
            foreach (var (name, value) in all)
            {
                data[name] = value?.DeepClone();
            }
        }

        return data;
    }

    /// <summary>The fields as answers show them, secrets masked; nothing is decrypted.</summary>
    public static JsonObject Shown(CredentialsRecord row)
    {
        var data = JsonNode.Parse(row.PlainData) as JsonObject ?? [];

        // Rows written before block documents leave the secret fields out of the plaintext: show them masked.
        foreach (var name in Paths(row))
        {
            if (!name.Contains('.') && name != "*" && !data.ContainsKey(name))
            {
                data[name] = CredentialsData.Masked;
            }
        }

        return data;
    }

    /// <summary>The secret paths of the row.</summary>
    public static IReadOnlyList<string> Paths(CredentialsRecord row) => JsonSerializer.Deserialize<string[]>(row.SecretNames) ?? [];
}
