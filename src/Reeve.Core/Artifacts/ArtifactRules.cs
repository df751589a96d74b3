using System.Text.Json.Nodes;
using Reeve.Core.Errors;

namespace Reeve.Core.Artifacts;

/// <summary>What an artifact may be: its key, its content's size, its facts.</summary>
public static class ArtifactRules
{
    /// <summary>The longest key.</summary>
    public const int MaxKeyLength = 255;

    /// <summary>The largest content, as JSON.</summary>
    public const int MaxDataLength = 1024 * 1024;

    /// <summary>The most facts, and the longest fact.</summary>
    public const int MaxMetadataEntries = 50;

    /// <summary>The longest fact (key or value).</summary>
    public const int MaxMetadataLength = 5000;

    /// <summary>Refuses a key that is not lowercase letters, digits and dashes (Prefect's rule).</summary>
    public static void ValidateKey(string? key)
    {
        if (key is null)
        {
            return;
        }

        if (key.Length is 0 or > MaxKeyLength || !key.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
        {
            throw new ReeveValidationException("key", "Artifact key must only contain lowercase letters, numbers, and dashes.");
        }
    }

    /// <summary>The content as stored (JSON, or null), refused when larger than <see cref="MaxDataLength"/>.</summary>
    public static string? DataJson(JsonNode? data)
    {
        if (data is null)
        {
            return null;
        }

        var json = data.ToJsonString();
        return json.Length > MaxDataLength ? throw new ReeveValidationException("data", $"at most {MaxDataLength:N0} characters as JSON (got {json.Length:N0}).") : json;
    }

    /// <summary>Refuses too many or too long facts.</summary>
    public static void ValidateMetadata(IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null)
        {
            return;
        }

        if (metadata.Count > MaxMetadataEntries)
        {
            throw new ReeveValidationException("metadata_", $"at most {MaxMetadataEntries} entries (got {metadata.Count}).");
        }

        foreach (var (key, value) in metadata)
        {
            if (key.Length > MaxMetadataLength || value is null || value.Length > MaxMetadataLength)
            {
                throw new ReeveValidationException($"metadata_.{(key.Length > 40 ? key[..40] : key)}", $"a string of at most {MaxMetadataLength} characters.");
            }
        }
    }
}
