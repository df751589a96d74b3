using System.Net;
using System.Text.Json.Nodes;

namespace Reeve.Server.Tests.Api;

/// <summary>
/// <c>/api/variables</c> with the bodies Prefect's clients send (<c>client/orchestration.py</c>: create, read by
/// name, filter, patch and delete by name) and the answers Prefect's server gives (<c>server/api/variables.py</c>:
/// 201, 204, 404 "Variable not found.", 409 on a taken name; names of lowercase letters, digits and underscores up to
/// 255 characters; values of any JSON up to 5,000 characters).
/// </summary>
public abstract class VariablesApiTests(ServerFixture fixture)
{
    private HttpClient Http => fixture.Server.Http;

    private static string Name() => "v_" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task ACreatedVariable_IsReadByIdAndName_Changed_AndDeleted_AsPrefectsClientDoesIt()
    {
        var name = Name();
        var created = await Http.PostJsonAsync("variables/", $$"""{"name": "{{name}}", "value": {"retries": 3, "regions": ["eu", "us"]}, "tags": ["prod"]}""");
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var id = created.Body!["id"]!.GetValue<string>();
        Assert.Equal(3, created.Body["value"]!["retries"]!.GetValue<int>());
        Assert.Equal("prod", created.Body["tags"]![0]!.GetValue<string>());

        Assert.Equal(name, (await Http.GetJsonAsync($"variables/{id}")).Body!["name"]!.GetValue<string>());
        Assert.Equal(id, (await Http.GetJsonAsync($"variables/name/{name}")).Body!["id"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NoContent, (await Http.PatchJsonAsync($"variables/name/{name}", """{"value": "plain text", "tags": null}""")).Status);
        var changed = await Http.GetJsonAsync($"variables/{id}");
        Assert.Equal("plain text", changed.Body!["value"]!.GetValue<string>());
        Assert.Empty(changed.Body["tags"]!.AsArray());

        Assert.Equal(HttpStatusCode.NoContent, (await Http.PatchJsonAsync($"variables/{id}", """{"value": null}""")).Status);
        Assert.Null((await Http.GetJsonAsync($"variables/{id}")).Body!["value"]);

        Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteJsonAsync($"variables/name/{name}")).Status);
        var gone = await Http.GetJsonAsync($"variables/name/{name}");
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
        Assert.Equal("Variable not found.", gone.Detail);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.DeleteJsonAsync($"variables/{id}")).Status);
    }

    [Fact]
    public async Task Filter_TakesPrefectsBody_WithNulls_AndFiltersByNameAndTags()
    {
        var tag = "t" + Guid.NewGuid().ToString("N")[..8];
        var names = new List<string>();
        foreach (var value in new[] { "1", "true", "\"x\"" })
        {
            var name = Name();
            names.Add(name);
            Assert.Equal(HttpStatusCode.Created, (await Http.PostJsonAsync("variables/", $$"""{"name": "{{name}}", "value": {{value}}, "tags": ["{{tag}}"]}""")).Status);
        }

        var filtered = await Http.PostJsonAsync("variables/filter", $$"""{"offset": null, "limit": null, "sort": "NAME_DESC", "variables": {"tags": {"all_": ["{{tag}}"]} } }""");
        Assert.Equal(HttpStatusCode.OK, filtered.Status);
        Assert.Equal(names.OrderDescending(), filtered.Body!.AsArray().Select(v => v!["name"]!.GetValue<string>()));

        var byName = await Http.PostJsonAsync("variables/filter", $$"""{"variables": {"name": {"like_": "{{names[1][2..]}}"} } }""");
        Assert.Equal(names[1], Assert.Single(byName.Body!.AsArray())!["name"]!.GetValue<string>());

        var counted = await Http.PostJsonAsync("variables/count", $$"""{"variables": {"tags": {"all_": ["{{tag}}"]} } }""");
        Assert.Equal("3", counted.Text);
    }

    [Theory]
    [InlineData("""{"name": "Has_Capitals", "value": 1}""", "name")]
    [InlineData("""{"name": "has space", "value": 1}""", "name")]
    [InlineData("""{"name": "has-dash", "value": 1}""", "name")]
    [InlineData("""{"name": "", "value": 1}""", "name")]
    [InlineData("""{"value": 1}""", "name")]
    [InlineData("""{"name": "no_value"}""", "value")]
    [InlineData("""{"name": "bad_tags", "value": 1, "tags": [null]}""", "tags")]
    public async Task ABadVariable_IsA422NamingTheField(string body, string field)
    {
        var answer = await Http.PostJsonAsync("variables/", body);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.Status);
        Assert.StartsWith(field, answer.Field, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TooLongANameOrValue_IsA422_AndATakenNameA409()
    {
        Assert.Equal("name", (await Http.PostJsonAsync("variables/", $$"""{"name": "{{new string('a', 256)}}", "value": 1}""")).Field);
        var big = await Http.PostJsonAsync("variables/", $$"""{"name": "{{Name()}}", "value": "{{new string('x', 5000)}}"}""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, big.Status);
        Assert.Equal("value", big.Field);

        var name = Name();
        Assert.Equal(HttpStatusCode.Created, (await Http.PostJsonAsync("variables/", $$"""{"name": "{{name}}", "value": 1}""")).Status);
        var again = await Http.PostJsonAsync("variables/", $$"""{"name": "{{name}}", "value": 2}""");
        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.Contains("already exists", again.Detail, StringComparison.Ordinal);

        var other = Name();
        Assert.Equal(HttpStatusCode.Created, (await Http.PostJsonAsync("variables/", $$"""{"name": "{{other}}", "value": 1}""")).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await Http.PatchJsonAsync($"variables/name/{other}", $$"""{"name": "{{name}}"}""")).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await Http.PatchJsonAsync($"variables/name/{other}", """{"name": "BAD"}""")).Status);
    }
}

public sealed class VariablesApiTests_Sqlite(SqliteServerFixture fixture) : VariablesApiTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class VariablesApiTests_Postgres(PostgresServerFixture fixture) : VariablesApiTests(fixture), IClassFixture<PostgresServerFixture>;
