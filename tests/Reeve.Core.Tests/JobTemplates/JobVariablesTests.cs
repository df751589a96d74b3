using System.Text.Json.Nodes;
using Reeve.Core.Errors;
using Reeve.Core.JobTemplates;
using Reeve.Core.PoolTypes;

namespace Reeve.Core.Tests.JobTemplates;

public class JobVariablesTests
{
    private static JsonObject O(string json) => (JsonObject)JsonNode.Parse(json)!;

    private static JsonObject ProcessVariables => (JsonObject)PoolTypeCatalog.Find("process")!.DefaultBaseJobTemplate["variables"]!;

    [Fact]
    public void Merge_LaterLayersWin_AndEnvMergesKeyByKey()
    {
        var merged = JobVariables.Merge(
            O("""{"env": {"A": "pool", "B": "pool"}, "name": "pool", "labels": {"x": "1"}}"""),
            O("""{"env": {"B": "deployment", "C": "deployment"}, "labels": {"y": "2"}}"""),
            O("""{"env": {"C": "run"}, "name": "run"}"""));

        Assert.True(JsonNode.DeepEquals(O("""
            {"env": {"A": "pool", "B": "deployment", "C": "run"}, "name": "run", "labels": {"y": "2"}}
            """), merged));
    }

    [Fact]
    public void Merge_DottedKeys_SetOneKeyInside()
    {
        var merged = JobVariables.Merge(O("""{"labels": {"x": "1"}}"""), O("""{"labels.y": "2", "env.FOO": "bar"}"""));

        Assert.True(JsonNode.DeepEquals(O("""{"labels": {"x": "1", "y": "2"}, "env": {"FOO": "bar"}}"""), merged));
    }

    [Fact]
    public void Defaults_AreTheSchemasDefaults() =>
        Assert.True(JsonNode.DeepEquals(O("""{"stream_output": true}"""), JobVariables.Defaults(ProcessVariables)));

    [Theory]
    [InlineData("""{"stream_output": "yes"}""", "job_variables.stream_output")]
    [InlineData("""{"env.FOO": 3}""", "job_variables.env.FOO")]
    [InlineData("""{"nmae": "x"}""", "job_variables.nmae")]
    public void Validate_BadVariables_AreNamed(string variables, string field)
    {
        var error = Assert.Throws<ReeveValidationException>(() => JobVariables.Validate(ProcessVariables, enforceRequired: false, O(variables)));
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void Validate_RequiredVariables_OnlyWhenEnforced()
    {
        var schema = O("""{"type": "object", "required": ["image"], "properties": {"image": {"type": "string"}}}""");

        JobVariables.Validate(schema, enforceRequired: false, O("{}"));
        var error = Assert.Throws<ReeveValidationException>(() => JobVariables.Validate(schema, enforceRequired: true, O("{}")));
        Assert.Equal("job_variables.image", error.Field);
        JobVariables.Validate(schema, enforceRequired: true, O("{}"), O("""{"image": "x"}"""));
    }

    [Theory]
    [InlineData("""{"cluster_config": {"$ref": {"block_document_id": "0b7c9b0e-7c4d-4d8f-9c1a-2f1d8c3e4a5b"}}}""")]
    [InlineData("""{"cluster_config": "{{ prefect.blocks.kubernetes-cluster-config.prod }}"}""")]
    public void Validate_AVariableHoldingACredentialsReference_IsCheckedOnlyOnceResolved(string variables)
    {
        var kubernetes = (JsonObject)PoolTypeCatalog.Find("kubernetes")!.DefaultBaseJobTemplate["variables"]!;

        JobVariables.Validate(kubernetes, enforceRequired: true, O(variables));

        var error = Assert.Throws<ReeveValidationException>(() => JobVariables.Validate(kubernetes, enforceRequired: true, O("""{"cluster_config": {"config": {}}}""")));
        Assert.StartsWith("job_variables.cluster_config", error.Field, StringComparison.Ordinal);
    }

    [Fact]
    public void ABaseJobTemplate_MayDefaultAVariableToACredentialsReference()
    {
        var template = PoolTypeCatalog.Find("kubernetes:push")!.DefaultBaseJobTemplate;
        template["variables"]!["properties"]!["cluster_config"]!["default"] = O("""{"$ref": {"block_document_id": "0b7c9b0e-7c4d-4d8f-9c1a-2f1d8c3e4a5b"}}""");

        BaseJobTemplateRules.Validate(template);

        template["variables"]!["properties"]!["cluster_config"]!["default"] = O("""{"config": {}}""");
        Assert.Throws<ReeveValidationException>(() => BaseJobTemplateRules.Validate(template));
    }
}
