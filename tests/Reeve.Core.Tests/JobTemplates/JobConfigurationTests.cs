using System.Text.Json.Nodes;
using Reeve.Core.JobTemplates;
using Reeve.Core.PoolTypes;

namespace Reeve.Core.Tests.JobTemplates;

public class JobConfigurationTests
{
    private static JsonObject O(string json) => (JsonObject)JsonNode.Parse(json)!;

    private static JsonObject Process => (JsonObject)PoolTypeCatalog.Find("process")!.DefaultBaseJobTemplate.DeepClone();

    [Fact]
    public void Render_ResolvesDefaults_ThenDeployment_ThenRun_AndMergesEnvAtEveryLevel()
    {
        var template = Process;
        template["variables"]!["properties"]!["env"]!["default"] = O("""{"POOL": "1", "SHARED": "pool"}""");

        var rendered = JobConfiguration.Render(template,
            O("""{"env": {"DEPLOYMENT": "2", "SHARED": "deployment"}, "working_dir": "/srv/a"}"""),
            O("""{"env": {"RUN": "3"}, "working_dir": "/srv/b"}"""));

        Assert.True(JsonNode.DeepEquals(O("""{"POOL": "1", "SHARED": "deployment", "DEPLOYMENT": "2", "RUN": "3"}"""), rendered["env"]));
        Assert.Equal("/srv/b", JobConfiguration.Text(rendered, "working_dir"));
        Assert.True(JobConfiguration.Flag(rendered, "stream_output"));
    }

    [Fact]
    public void Render_DropsKeysWhoseOnlyPlaceholderHasNoValue()
    {
        var rendered = JobConfiguration.Render(Process, null, null);

        Assert.False(rendered.ContainsKey("command"));
        Assert.False(rendered.ContainsKey("working_dir"));
        Assert.True(rendered.ContainsKey("stream_output"));
    }

    [Fact]
    public void Apply_WholePlaceholder_KeepsTheValuesType()
    {
        var rendered = JobConfiguration.Apply(O("""{"n": "{{ n }}", "flag": " {{flag}} ", "obj": "{{ obj }}", "list": ["{{ n }}", "{{ gone }}", "x"]}"""),
            O("""{"n": 5, "flag": false, "obj": {"a": [1]}}"""));

        Assert.True(JsonNode.DeepEquals(O("""{"n": 5, "flag": false, "obj": {"a": [1]}, "list": [5, "x"]}"""), rendered));
    }

    [Fact]
    public void Apply_PlaceholdersInsideText_AreStringified_AndMissingOnesVanish()
    {
        var rendered = JobConfiguration.Apply(O("""{"s": "run {{ name }} x{{ n }} {{ flag }} {{ gone }}!"}"""),
            O("""{"name": "nightly", "n": 3, "flag": true}"""));

        Assert.Equal("run nightly x3 true !", rendered!["s"]!.GetValue<string>());
    }

    [Fact]
    public void Apply_DottedPlaceholder_ReadsIntoAnObject()
    {
        var rendered = JobConfiguration.Apply(O("""{"token": "{{ env.TOKEN }}"}"""), O("""{"env": {"TOKEN": "abc"}}"""));

        Assert.Equal("abc", rendered!["token"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("{{ secret }}")]
    [InlineData("{{ name }}{{ secret }}")]
    public void Apply_IsDataOnly_AValueThatLooksLikeAPlaceholderIsNotRenderedAgain(string value)
    {
        var variables = new JsonObject { ["name"] = value, ["secret"] = "hunter2" };

        var whole = JobConfiguration.Apply(O("""{"a": "{{ name }}", "b": "x {{ name }} y"}"""), variables)!;

        Assert.Equal(value, whole["a"]!.GetValue<string>());
        Assert.Equal($"x {value} y", whole["b"]!.GetValue<string>());
    }

    [Fact]
    public void Strings_ReadsEnv_NullMeansUnset()
    {
        var env = JobConfiguration.Strings(O("""{"env": {"A": "1", "B": null, "C": 2}}"""), "env");

        Assert.Equal(new Dictionary<string, string?> { ["A"] = "1", ["B"] = null, ["C"] = "2" }, env);
    }

    [Theory]
    [InlineData("echo {{ note }}", """{"note": "x /bin/sh -c 'id>/tmp/x'"}""", """["echo", "x /bin/sh -c 'id>/tmp/x'"]""")]
    [InlineData("run --flag={{ a }} {{ gone }} 'two words' end", """{"a": 1}""", """["run", "--flag=1", "two words", "end"]""")]
    [InlineData("{{ command }}", """{"command": "dotnet run --x 'a b'"}""", """["dotnet", "run", "--x", "a b"]""")]
    [InlineData("{{ command }}", """{"command": ["python", "a b", 3]}""", """["python", "a b", "3"]""")]
    public void Render_Command_FillsPlaceholdersArgumentByArgument(string command, string variables, string expected)
    {
        var template = O("""{"job_configuration": {"command": "", "nested": {"args": ""}}, "variables": {"type": "object"}}""");
        template["job_configuration"]!["command"] = command;
        template["job_configuration"]!["nested"]!["args"] = command;

        var rendered = JobConfiguration.Render(template, null, O(variables));

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), rendered["command"]), rendered.ToJsonString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), rendered["nested"]!["args"]), rendered.ToJsonString());
        Assert.Equal(JsonNode.Parse(expected)!.AsArray().Select(a => a!.GetValue<string>()), JobConfiguration.Arguments(rendered, "command"));
    }

    [Fact]
    public void Render_CommandListTemplate_KeepsEachItemOneArgument()
    {
        var template = O("""{"job_configuration": {"command": ["python", "{{ note }}", "{{ gone }}"]}, "variables": {"type": "object"}}""");

        var rendered = JobConfiguration.Render(template, null, O("""{"note": "a; rm -rf /"}"""));

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""["python", "a; rm -rf /"]"""), rendered["command"]));
    }
}
