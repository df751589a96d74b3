using System.Text.Json.Nodes;
using Reeve.Flows;

namespace Reeve.Tests.Flows;

public sealed class ParameterSchemaTests
{
    public enum Size
    {
        Small,
        Large,
    }

    public sealed record Options(string Label, int Count);

    [Flow]
    private static void Shape(string repoName, int retries = 3, bool dryRun = false, Size size = Size.Small, Options? extra = null, CancellationToken cancellationToken = default)
    {
    }

    [Fact]
    public void Schema_DescribesEveryParameterButTheCancellationToken()
    {
        var schema = Flow.Define(Shape).ParameterSchema;

        Assert.Equal("object", schema["type"]!.GetValue<string>());
        Assert.Equal(["repoName", "retries", "dryRun", "size", "extra"], schema["properties"]!.AsObject().Select(p => p.Key));
        Assert.Equal(["repoName"], schema["required"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Equal("integer", schema["properties"]!["retries"]!["type"]!.GetValue<string>());
        Assert.Equal(3, schema["properties"]!["retries"]!["default"]!.GetValue<int>());
        Assert.Equal("boolean", schema["properties"]!["dryRun"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public void Schema_IsAValidJsonSchemaTheServerAccepts() =>
        Core.Schemas.SchemaValidation.RequireValidSchema(Flow.Define(Shape).ParameterSchema, "parameter_openapi_schema");

    [Fact]
    public void Schema_RefusesWhatTheMethodCannotTake()
    {
        var schema = Flow.Define(Shape).ParameterSchema;

        Core.Schemas.ParameterRules.Validate(schema, (JsonObject)JsonNode.Parse("""{"repoName": "a/b", "retries": 1}""")!, enforceRequired: true);
        var error = Assert.Throws<Core.Errors.ReeveValidationException>(() =>
            Core.Schemas.ParameterRules.Validate(schema, (JsonObject)JsonNode.Parse("""{"repoName": "a/b", "retries": "x"}""")!, enforceRequired: true));
        Assert.Equal("parameters.retries", error.Field);
    }
}
