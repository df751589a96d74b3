using System.Text.Json.Nodes;
using Reeve.Core.JobTemplates;

namespace Reeve.Core.Tests.JobTemplates;

public class PlaceholdersTests
{
    [Fact]
    public void FindIn_NestedObjectsAndArrays_FindsEachNameOnce()
    {
        var configuration = JsonNode.Parse("""
            {
              "command": "{{ command }}",
              "spec": { "containers": [ { "image": "{{image}}", "args": ["--name", "{{ name }}-{{ image }}"] } ] },
              "{{ not_a_key_placeholder }}": 1,
              "plain": "no placeholder here",
              "number": 5
            }
            """);

        Assert.Equal(["command", "image", "name"], Placeholders.FindIn(configuration));
    }

    [Fact]
    public void FindIn_NoPlaceholders_IsEmpty() => Assert.Empty(Placeholders.FindIn(JsonNode.Parse("""{"a": "{ x }", "b": "{{ }}"}""")));
}
