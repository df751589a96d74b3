using System.Text.Json.Nodes;
using Reeve.Core.Blocks;
using Reeve.Core.Errors;

namespace Reeve.Core.Tests.Blocks;

public sealed class BlockRulesTests
{
    /// <summary>The schema Prefect 2.20's client sends for LocalFileSystem (its default result storage).</summary>
    private const string LocalFileSystem = """
        {"title": "LocalFileSystem", "description": "Store data as a file on a local file system.", "type": "object",
         "properties": {"basepath": {"title": "Basepath", "description": "Default local path for this block to write to.", "type": "string"}},
         "block_type_slug": "local-file-system", "secret_fields": [], "block_schema_references": {}}
        """;

    /// <summary>The schema Prefect 2.20's client sends for Secret.</summary>
    private const string Secret = """
        {"title": "Secret", "description": "A block that represents a secret value. The value stored in this block will be obfuscated when\nthis block is logged or shown in the UI.",
         "type": "object", "properties": {"value": {"title": "Value", "description": "A string value that should be kept secret.", "type": "string", "writeOnly": true, "format": "password"}},
         "required": ["value"], "block_type_slug": "secret", "secret_fields": ["value"], "block_schema_references": {}}
        """;

    /// <summary>
    /// The checksums a Prefect 2.20 server stored for these two schemas (<c>Block._calculate_schema_checksum</c>):
    /// Prefect's client finds a schema by the checksum it computes itself, so Reeve's must be the same.
    /// </summary>
    [Theory]
    [InlineData(LocalFileSystem, "sha256:6db1ab242e7b2b88a52dc137a7da3a373af63e0a103b9a91e060ed54a26f395a")]
    [InlineData(Secret, "sha256:e6b26e0a0240eb112e604608338f863e5ca2f137936e310014bfa2139d0a9b6c")]
    public void Checksum_IsPrefects(string fields, string expected) =>
        Assert.Equal(expected, BlockRules.Checksum(JsonNode.Parse(fields)!.AsObject()));

    [Fact]
    public void Checksum_IgnoresKeyOrderAndSecretFields_ButNotValues()
    {
        var a = BlockRules.Checksum(JsonNode.Parse("""{"b": 1, "a": [1.5, "é"], "secret_fields": ["x"]}""")!.AsObject());
        var b = BlockRules.Checksum(JsonNode.Parse("""{"a": [1.5, "é"], "b": 1}""")!.AsObject());
        var c = BlockRules.Checksum(JsonNode.Parse("""{"a": [1.5, "e"], "b": 1}""")!.AsObject());
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Mask_HidesEachSecretPath_AndAStarHidesEveryFieldUnderIt()
    {
        var data = JsonNode.Parse("""{"user": "u", "password": "p4ss", "nested": {"token": "t0k3n", "keep": 1}, "headers": {"a": "1", "b": {"c": "2"}}, "none": null}""")!.AsObject();
        var masked = BlockRules.Mask(data, ["password", "nested.token", "headers.*", "none", "missing.path"]);
        Assert.Equal("""{"user":"u","password":"********","nested":{"token":"********","keep":1},"headers":{"a":"********","b":"********"},"none":null}""", masked.ToJsonString());
        Assert.Equal(["p4ss", "t0k3n", "1", "2"], BlockRules.SecretStrings(data, ["password", "nested.token", "headers.*"]));
    }

    [Fact]
    public void KeepMaskedSecrets_PutsBackWhatWasSentBackMasked_AndTakesNewValues()
    {
        var stored = JsonNode.Parse("""{"password": "old", "nested": {"token": "t"}, "headers": {"a": "1"}}""")!.AsObject();
        var changed = JsonNode.Parse("""{"password": "********", "nested": {"token": "new"}, "headers": {"a": "********", "z": "********"}}""")!.AsObject();
        BlockRules.KeepMaskedSecrets(changed, stored, ["password", "nested.token", "headers.*"]);
        Assert.Equal("""{"password":"old","nested":{"token":"new"},"headers":{"a":"1","z":"********"}}""", changed.ToJsonString());
    }

    [Theory]
    [InlineData("My Type", "Bad_Slug", "slug")]
    [InlineData("A/B", "ok", "name")]
    [InlineData("", "ok", "name")]
    public void BadTypes_NameTheField(string name, string slug, string field) =>
        Assert.Equal(field, Assert.Throws<ReeveValidationException>(() => BlockRules.ValidateType(name, slug)).Field);

    [Fact]
    public void DocumentNames_AreSlugs_AndOnlyAnonymousOnesMayHaveNone()
    {
        BlockRules.ValidateDocumentName(null, anonymous: true);
        BlockRules.ValidateDocumentName("my-secret-1", anonymous: false);
        Assert.Equal("Names must be provided for block documents.", Assert.Throws<ReeveValidationException>(() => BlockRules.ValidateDocumentName(null, anonymous: false)).Reason);
        Assert.Throws<ReeveValidationException>(() => BlockRules.ValidateDocumentName("My Secret", anonymous: false));
    }
}
