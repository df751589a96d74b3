using System.Text.Json.Nodes;
using Reeve.Core.Errors;
using Reeve.Core.JobTemplates;

namespace Reeve.Core.Tests.JobTemplates;

public class BaseJobTemplateRulesTests
{
    private static JsonObject Template(string json) => (JsonObject)JsonNode.Parse(json)!;

    private static ReeveValidationException Refused(string json) =>
        Assert.Throws<ReeveValidationException>(() => BaseJobTemplateRules.Validate(Template(json)));

    [Fact]
    public void Validate_DeclaredPlaceholders_Pass() =>
        BaseJobTemplateRules.Validate(Template("""
            {"job_configuration": {"command": "{{ command }}", "env": "{{ env }}"},
             "variables": {"type": "object", "properties": {"command": {"type": "string"}, "env": {"type": "object", "default": {"A": "1"}}}}}
            """));

    [Fact]
    public void Validate_UndeclaredPlaceholder_NamesIt()
    {
        var error = Refused("""
            {"job_configuration": {"command": "{{ command }}", "other": "{{ missing }}", "more": "{{ also_missing }}"},
             "variables": {"type": "object", "properties": {"command": {"type": "string"}}}}
            """);

        Assert.Equal("base_job_template.job_configuration", error.Field);
        Assert.EndsWith("undeclared variable(s): missing, also_missing.", error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"variables": {"type": "object"}}""")]
    [InlineData("""{"job_configuration": {}}""")]
    [InlineData("""{"job_configuration": "x", "variables": {}}""")]
    public void Validate_MissingParts_SaysBothAreNeeded(string json)
    {
        var error = Refused(json);
        Assert.Equal("base_job_template", error.Field);
        Assert.Contains("job_configuration", error.Reason, StringComparison.Ordinal);
        Assert.Contains("variables", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_InvalidJsonSchema_NamesTheSchemaLocation()
    {
        var error = Refused("""{"job_configuration": {}, "variables": {"type": "object", "properties": {"x": {"type": "strin"}}}}""");
        Assert.StartsWith("base_job_template.variables", error.Field, StringComparison.Ordinal);
        Assert.Contains("not a valid JSON Schema", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_VariablesNotAnObjectSchema_IsRefused()
    {
        var error = Refused("""{"job_configuration": {}, "variables": {"type": "string"}}""");
        Assert.Equal("base_job_template.variables.type", error.Field);
    }

    [Fact]
    public void Validate_DefaultThatBreaksItsSchema_NamesTheVariable()
    {
        var error = Refused("""
            {"job_configuration": {"n": "{{ n }}"},
             "variables": {"type": "object", "required": ["other"], "properties": {"n": {"type": "integer", "default": "five"}, "other": {"type": "string"}}}}
            """);
        Assert.Equal("base_job_template.variables.properties.n.default", error.Field);
    }

    [Fact]
    public void Validate_RequiredVariableWithoutDefault_Passes() =>
        BaseJobTemplateRules.Validate(Template("""
            {"job_configuration": {"image": "{{ image }}"},
             "variables": {"type": "object", "required": ["image"], "properties": {"image": {"type": "string"}, "n": {"type": "integer", "default": 3}}}}
            """));

    [Theory]
    [InlineData(null)]
    [InlineData("{}")]
    public void IsEmpty_NullOrEmptyObject_StandsForTheDefault(string? json) =>
        Assert.True(BaseJobTemplateRules.IsEmpty(json is null ? null : Template(json)));
}
