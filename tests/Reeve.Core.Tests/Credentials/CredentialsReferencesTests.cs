using System.Text.Json.Nodes;
using Reeve.Core.Credentials;
using Reeve.Core.Errors;
using Reeve.Core.JobTemplates;

namespace Reeve.Core.Tests.Credentials;

public sealed class CredentialsReferencesTests
{
    private static JsonObject Json(string text) => (JsonObject)JsonNode.Parse(text)!;

    [Fact]
    public void Rendering_LeavesReferencesAsTheyAre_WhereverTheyComeFrom()
    {
        var template = Json("""
            {
              "job_configuration": {
                "cluster_config": "{{ cluster_config }}",
                "env": "{{ env }}",
                "token": "{{ prefect.blocks.secret.platform-token }}",
                "note": "user {{ user }} {{ prefect.blocks.secret.inline }}"
              },
              "variables": {"type": "object", "properties": {"cluster_config": {"type": "object"}, "env": {"type": "object"}, "user": {"type": "string"}}}
            }
            """);
        var id = Guid.NewGuid();
        var deployment = Json($$$"""{"cluster_config": {"$ref": {"block_document_id": "{{{id}}}"}}, "env": {"TOKEN": "{{ prefect.blocks.secret.app-token }}"}, "user": "ada"}""");

        var rendered = JobConfiguration.Render(template, deployment, null);

        Assert.Equal(id.ToString(), rendered["cluster_config"]!["$ref"]!["block_document_id"]!.GetValue<string>());
        Assert.Equal("{{ prefect.blocks.secret.app-token }}", rendered["env"]!["TOKEN"]!.GetValue<string>());
        Assert.Equal("{{ prefect.blocks.secret.platform-token }}", rendered["token"]!.GetValue<string>());
        Assert.Equal("user ada {{ prefect.blocks.secret.inline }}", rendered["note"]!.GetValue<string>());
    }

    [Fact]
    public void Find_ListsEachReferenceOnce_AndReplace_PutsTheValueOfASecretAndTheFieldsOfOthers()
    {
        var id = Guid.NewGuid();
        var configuration = Json($$$"""
            {
              "a": {"$ref": {"block_document_id": "{{{id}}}"}},
              "b": [{"$ref": {"block_document_id": "{{{id}}}"}}, "{{ prefect.blocks.secret.t }}"],
              "c": "{{ prefect.blocks.aws-credentials.prod }}"
            }
            """);

        var found = CredentialsReferences.Find(configuration);
        var replaced = CredentialsReferences.Replace(configuration, r => r.Id is not null
            ? Json("""{"username": "u"}""")
            : r.Type == "secret" ? Json("""{"value": "v"}""") : Json("""{"region_name": "eu"}"""))!;

        Assert.Equal(3, found.Count);
        Assert.Equal("u", replaced["a"]!["username"]!.GetValue<string>());
        Assert.Equal("v", replaced["b"]![1]!.GetValue<string>());
        Assert.Equal("eu", replaced["c"]!["region_name"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"x": "Bearer {{ prefect.blocks.secret.t }}"}""", "x")]
    [InlineData("""{"x": "{{ prefect.blocks.secret }}"}""", "x")]
    [InlineData("""{"x": ["{{ prefect.blocks.secret. }}"]}""", "x[0]")]
    [InlineData("""{"x": {"$ref": "not-an-object"}}""", "x.$ref")]
    [InlineData("""{"x": {"$ref": {"block_document_id": "nope"}}}""", "x.$ref")]
    public void Find_RefusesAMalformedReference_NamingItsPlace(string configuration, string place)
    {
        var e = Assert.Throws<ReeveValidationException>(() => CredentialsReferences.Find(Json(configuration)));

        Assert.Equal($"configuration.{place}", e.Field);
    }

    [Fact]
    public void Find_RefusesMoreThanTheMostReferences()
    {
        var configuration = new JsonObject();
        for (var i = 0; i <= CredentialsReferences.MaxReferences; i++)
        {
            configuration[$"k{i}"] = $"{{{{ prefect.blocks.secret.s{i} }}}}";
        }

        Assert.Throws<ReeveValidationException>(() => CredentialsReferences.Find(configuration));
    }

    [Fact]
    public void Merge_KeepsAMaskedSecret_ReplacesANewOne_AndDropsANull()
    {
        var stored = Json("""{"username": "u", "password": "p", "reauth": true}""");

        var merged = CredentialsData.Merge(stored, Json("""{"username": "w", "password": "********", "reauth": null}"""));

        Assert.Equal("""{"username":"w","password":"p"}""", merged.ToJsonString());
    }
}
