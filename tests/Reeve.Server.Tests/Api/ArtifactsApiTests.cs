using System.Net;

namespace Reeve.Server.Tests.Api;

/// <summary>
/// <c>/api/artifacts</c> with the bodies Prefect's client sends (<c>client/orchestration.py</c> <c>create_artifact</c>,
/// <c>read_artifacts</c>, <c>read_latest_artifacts</c>) and its server's answers (<c>server/api/artifacts.py</c>):
/// versions by key, the latest read by key, 404 "Artifact not found.", keys of lowercase letters, digits and dashes.
/// </summary>
public abstract class ArtifactsApiTests(ServerFixture fixture)
{
    private HttpClient Http => fixture.Server.Http;

    [Fact]
    public async Task VersionsOfAKey_AreListedNewestFirst_TheLatestIsReadByKey_AndOneIsChangedAndDeleted()
    {
        var pool = await fixture.Server.Client.PoolAsync();
        var run = (await fixture.Server.DueRunsAsync(await fixture.Server.Client.DeploymentAsync(pool), 1)).Single();
        var key = "report-" + Guid.NewGuid().ToString("N")[..8];
        var first = await Http.PostJsonAsync("artifacts/", $$"""{"key": "{{key}}", "type": "markdown", "data": "# v1", "description": "d", "metadata_": {"rows": "3"}, "flow_run_id": "{{run.Id}}", "task_run_id": null}""");
        Assert.Equal(HttpStatusCode.Created, first.Status);
        var second = await Http.PostJsonAsync("artifacts/", $$"""{"key": "{{key}}", "type": "markdown", "data": "# v2", "flow_run_id": "{{run.Id}}"}""");
        Assert.Equal(HttpStatusCode.Created, second.Status);

        var latest = await Http.GetJsonAsync($"artifacts/{key}/latest");
        Assert.Equal("# v2", latest.Body!["data"]!.GetValue<string>());
        Assert.Equal("3", first.Body!["metadata_"]!["rows"]!.GetValue<string>());

        var ofRun = await Http.PostJsonAsync("artifacts/filter", $$"""{"artifacts": {"flow_run_id": {"any_": ["{{run.Id}}"]}, "key": {"exists_": true} }, "sort": "ID_DESC", "limit": null, "offset": null}""");
        Assert.Equal(["# v2", "# v1"], ofRun.Body!.AsArray().Select(a => a!["data"]!.GetValue<string>()));
        Assert.Equal("2", (await Http.PostJsonAsync("artifacts/count", $$"""{"artifacts": {"key": {"any_": ["{{key}}"]} } }""")).Text);

        var id = second.Body!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.NoContent, (await Http.PatchJsonAsync($"artifacts/{id}", """{"data": "# v2, fixed"}""")).Status);
        Assert.Equal("# v2, fixed", (await Http.GetJsonAsync($"artifacts/{id}")).Body!["data"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteJsonAsync($"artifacts/{id}")).Status);
        Assert.Equal("# v1", (await Http.GetJsonAsync($"artifacts/{key}/latest")).Body!["data"]!.GetValue<string>());
        var gone = await Http.GetJsonAsync($"artifacts/{id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
        Assert.Equal("Artifact not found.", gone.Detail);
    }

    /// <summary>Prefect's <c>read_latest_artifacts</c> (<c>POST /artifacts/latest/filter</c>, <c>server/api/artifacts.py</c>): one row per key, its latest version.</summary>
    [Fact]
    public async Task LatestFilter_GivesEachKeysLatestVersion_UnderTheFirstVersionsId()
    {
        var prefix = "latest-" + Guid.NewGuid().ToString("N")[..8];
        var a1 = await Http.PostJsonAsync("artifacts/", $$"""{"key": "{{prefix}}-a", "type": "markdown", "data": "a1"}""");
        var a2 = await Http.PostJsonAsync("artifacts/", $$"""{"key": "{{prefix}}-a", "type": "markdown", "data": "a2"}""");
        await Http.PostJsonAsync("artifacts/", $$"""{"key": "{{prefix}}-b", "type": "table", "data": [{"x": 1}]}""");
        await Http.PostJsonAsync("artifacts/", """{"type": "markdown", "data": "a one-off, no key"}""");

        var latest = await Http.PostJsonAsync("artifacts/latest/filter",
            $$"""{"artifacts": {"key": {"like_": "{{prefix}}"} }, "sort": "KEY_ASC", "limit": null, "offset": null}""");
        Assert.Equal(HttpStatusCode.OK, latest.Status);
        var rows = latest.Body!.AsArray();
        Assert.Equal([$"{prefix}-a", $"{prefix}-b"], rows.Select(r => r!["key"]!.GetValue<string>()));
        Assert.Equal("a2", rows[0]!["data"]!.GetValue<string>());
        Assert.Equal(a2.Body!["id"]!.GetValue<string>(), rows[0]!["latest_id"]!.GetValue<string>());
        Assert.Equal(a1.Body!["id"]!.GetValue<string>(), rows[0]!["id"]!.GetValue<string>());

        Assert.Equal("1", (await Http.PostJsonAsync("artifacts/latest/count",
            $$"""{"artifacts": {"key": {"like_": "{{prefix}}"}, "type": {"any_": ["table"]} } }""")).Text);
        var unknown = await Http.PostJsonAsync("artifacts/latest/filter", """{"artifacts": {"id": {"any_": []}}}""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown.Status);
    }

    [Theory]
    [InlineData("""{"key": "Has_Capitals", "data": "x"}""", "key")]
    [InlineData("""{"key": "", "data": "x"}""", "key")]
    [InlineData("""{"data": "x", "sort": "SIZE"}""", "sort")]
    public async Task BadArtifacts_Are422sNamingTheField(string body, string field)
    {
        var answer = body.Contains("sort", StringComparison.Ordinal)
            ? await Http.PostJsonAsync("artifacts/filter", """{"sort": "SIZE"}""")
            : await Http.PostJsonAsync("artifacts/", body);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.Status);
        Assert.StartsWith(field, answer.Field, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TooLargeContent_AndTooManyFacts_Are422s()
    {
        var big = await Http.PostJsonAsync("artifacts/", $$"""{"type": "markdown", "data": "{{new string('x', 1024 * 1024)}}"}""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, big.Status);
        Assert.Equal("data", big.Field);

        var facts = string.Join(", ", Enumerable.Range(0, 60).Select(i => $"\"k{i}\": \"v\""));
        var many = await Http.PostJsonAsync("artifacts/", $$"""{"type": "markdown", "data": "x", "metadata_": { {{facts}} } }""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, many.Status);
        Assert.Equal("metadata_", many.Field);
    }
}

public sealed class ArtifactsApiTests_Sqlite(SqliteServerFixture fixture) : ArtifactsApiTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class ArtifactsApiTests_Postgres(PostgresServerFixture fixture) : ArtifactsApiTests(fixture), IClassFixture<PostgresServerFixture>;
