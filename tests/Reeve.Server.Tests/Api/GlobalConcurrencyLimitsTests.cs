using System.Net;
using System.Text.Json.Nodes;

namespace Reeve.Server.Tests.Api;

/// <summary>
/// <c>/api/v2/concurrency_limits</c> with the bodies Prefect's client sends (<c>client/orchestration.py</c>:
/// <c>increment_concurrency_slots</c>, <c>release_concurrency_slots</c>, and the CRUD of <c>prefect gcl</c>) and
/// the answers of its server (<c>server/api/concurrency_limits_v2.py</c>: 423 with Retry-After when the slots are
/// taken, 422 for more slots than the limit, limits created inactive when missing); racing holders never exceed a limit.
/// </summary>
public abstract class GlobalConcurrencyLimitsTests(ServerFixture fixture)
{
    private HttpClient Http => fixture.Server.Http;

    private static string Name() => Names.Unique("gcl");

    private async Task<JsonNode> CreateAsync(string name, int limit, double decay = 0)
    {
        var created = await Http.PostJsonAsync("v2/concurrency_limits/", $$"""{"name": "{{name}}", "limit": {{limit}}, "slot_decay_per_second": {{decay}}}""");
        Assert.Equal(HttpStatusCode.Created, created.Status);
        return created.Body!;
    }

    private static string Increment(string name, int slots = 1, string mode = "concurrency") =>
        $$"""{"names": ["{{name}}"], "slots": {{slots}}, "mode": "{{mode}}", "create_if_missing": true}""";

    [Fact]
    public async Task Slots_AreTakenUpToTheLimit_ThenRefusedWith423AndRetryAfter_AndGivenBack()
    {
        var name = Name();
        await CreateAsync(name, 2);

        Assert.Equal(HttpStatusCode.OK, (await Http.PostJsonAsync("v2/concurrency_limits/increment", Increment(name))).Status);
        Assert.Equal(HttpStatusCode.OK, (await Http.PostJsonAsync("v2/concurrency_limits/increment", Increment(name))).Status);
        using var refused = await Http.PostAsync("v2/concurrency_limits/increment", new StringContent(Increment(name), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Locked, refused.StatusCode);
        Assert.True(double.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) > 0);

        var read = await Http.GetJsonAsync($"v2/concurrency_limits/{name}");
        Assert.Equal(2, read.Body!["active_slots"]!.GetValue<int>());
        Assert.Equal(1, read.Body["denied_slots"]!.GetValue<int>());

        var released = await Http.PostJsonAsync("v2/concurrency_limits/decrement", $$"""{"names": ["{{name}}"], "slots": 1, "occupancy_seconds": 4.0}""");
        Assert.Equal(HttpStatusCode.OK, released.Status);
        Assert.Equal(name, released.Body![0]!["name"]!.GetValue<string>());
        Assert.Equal(1, (await Http.GetJsonAsync($"v2/concurrency_limits/{name}")).Body!["active_slots"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.OK, (await Http.PostJsonAsync("v2/concurrency_limits/increment", Increment(name))).Status);
    }

    [Fact]
    public async Task AMissingLimit_IsCreatedInactive_AndLimitsNothing()
    {
        var name = Name();

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await Http.PostJsonAsync("v2/concurrency_limits/increment", Increment(name))).Status);
        }

        var read = await Http.GetJsonAsync($"v2/concurrency_limits/{name}");
        Assert.False(read.Body!["active"]!.GetValue<bool>());
        Assert.Equal(1, read.Body["limit"]!.GetValue<int>());
    }

    [Fact]
    public async Task TooManySlots_AndRateLimitingWithoutDecay_Are422s()
    {
        var name = Name();
        await CreateAsync(name, 2);

        var tooMany = await Http.PostJsonAsync("v2/concurrency_limits/increment", Increment(name, slots: 3));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooMany.Status);
        Assert.Contains("greater than the limit", tooMany.Detail, StringComparison.Ordinal);

        var rate = await Http.PostJsonAsync("v2/concurrency_limits/increment", Increment(name, mode: "rate_limit"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, rate.Status);
        Assert.Contains("slot decay", rate.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v2/concurrency_limits/", """{"name": "x", "limit": -1}""", "limit")]
    [InlineData("v2/concurrency_limits/", """{"name": "x", "limit": 1, "slot_decay_per_second": -2}""", "slot_decay_per_second")]
    [InlineData("v2/concurrency_limits/", """{"name": "a/b", "limit": 1}""", "name")]
    [InlineData("v2/concurrency_limits/increment", """{"names": [], "slots": 1}""", "names")]
    [InlineData("v2/concurrency_limits/increment", """{"names": ["x"], "slots": 0}""", "slots")]
    [InlineData("v2/concurrency_limits/increment", """{"names": ["x"], "slots": 1, "mode": "fast"}""", "mode")]
    [InlineData("v2/concurrency_limits/decrement", """{"names": ["x"], "slots": 1, "occupancy_seconds": -1}""", "occupancy_seconds")]
    public async Task BadBodies_Are422sNamingTheField(string path, string body, string field)
    {
        var answer = await Http.PostJsonAsync(path, body);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.Status);
        Assert.StartsWith(field, answer.Field, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALimit_IsReadChangedAndDeleted_ByIdOrName()
    {
        var name = Name();
        var id = (await CreateAsync(name, 1))["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.Conflict, (await Http.PostJsonAsync("v2/concurrency_limits/", $$"""{"name": "{{name}}", "limit": 1}""")).Status);

        Assert.Equal(HttpStatusCode.NoContent, (await Http.PatchJsonAsync($"v2/concurrency_limits/{id}", """{"limit": 5, "active": false}""")).Status);
        var read = await Http.GetJsonAsync($"v2/concurrency_limits/{name}");
        Assert.Equal(5, read.Body!["limit"]!.GetValue<int>());
        Assert.False(read.Body["active"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await Http.PatchJsonAsync($"v2/concurrency_limits/{name}", """{"limit": null}""")).Status);

        var listed = await Http.PostJsonAsync("v2/concurrency_limits/filter", """{"offset": null, "limit": null}""");
        Assert.Contains(listed.Body!.AsArray(), l => l!["name"]!.GetValue<string>() == name);

        Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteJsonAsync($"v2/concurrency_limits/{name}")).Status);
        var gone = await Http.GetJsonAsync($"v2/concurrency_limits/{id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
        Assert.Equal("Concurrency Limit not found", gone.Detail);
    }

    [Fact]
    public async Task TwentyRacingHolders_GetExactlyTheLimitsSlots()
    {
        var name = Name();
        await CreateAsync(name, 3);
        using var start = new SemaphoreSlim(0);

        var racers = Enumerable.Range(0, 20).Select(_ => Task.Run(async () =>
        {
            await start.WaitAsync();
            return (await Http.PostJsonAsync("v2/concurrency_limits/increment", Increment(name))).Status;
        })).ToList();
        start.Release(20);
        var answers = await Task.WhenAll(racers);

        Assert.Equal(3, answers.Count(a => a == HttpStatusCode.OK));
        Assert.Equal(17, answers.Count(a => a == HttpStatusCode.Locked));
        Assert.Equal(3, (await Http.GetJsonAsync($"v2/concurrency_limits/{name}")).Body!["active_slots"]!.GetValue<int>());
    }
}

public sealed class GlobalConcurrencyLimitsTests_Sqlite(SqliteServerFixture fixture) : GlobalConcurrencyLimitsTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class GlobalConcurrencyLimitsTests_Postgres(PostgresServerFixture fixture) : GlobalConcurrencyLimitsTests(fixture), IClassFixture<PostgresServerFixture>;
