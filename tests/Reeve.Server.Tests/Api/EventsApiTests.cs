using System.Net;
using System.Text.Json.Nodes;
using Reeve.Core.States;

namespace Reeve.Server.Tests.Api;

/// <summary><c>GET /api/events/flow_runs</c>, read as raw server-sent events over real HTTP.</summary>
public abstract class EventsApiTests(ServerFixture fixture)
{
    private RunningServer Server => fixture.Server;

    /// <summary>An open stream: its lines as they come.</summary>
    private sealed class EventStream : IAsyncDisposable
    {
        private readonly HttpResponseMessage _response;
        private readonly StreamReader _reader;
        private readonly CancellationTokenSource _deadline = new(TimeSpan.FromSeconds(20));

        private EventStream(HttpResponseMessage response, StreamReader reader)
        {
            _response = response;
            _reader = reader;
        }

        public static async Task<EventStream> OpenAsync(HttpClient http, string query)
        {
            var response = await http.GetAsync("events/flow_runs" + query, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
            return new EventStream(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
        }

        /// <summary>The next event: its type and data.</summary>
        public async Task<(string Type, string Data)> NextAsync()
        {
            string? type = null, data = null;
            while (await _reader.ReadLineAsync(_deadline.Token) is { } line)
            {
                if (line.Length == 0 && type is not null)
                {
                    return (type, data ?? "");
                }

                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    type = line["event: ".Length..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data = line["data: ".Length..];
                }
            }

            throw new InvalidOperationException("The stream ended.");
        }

        /// <summary>The next <c>flow_run</c> event, skipping heartbeats.</summary>
        public async Task<JsonObject> NextRunEventAsync()
        {
            while (true)
            {
                var (type, data) = await NextAsync();
                if (type == "flow_run")
                {
                    return JsonNode.Parse(data)!.AsObject();
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            _reader.Dispose();
            _response.Dispose();
            _deadline.Dispose();
            await Task.CompletedTask;
        }
    }

    [Fact]
    public async Task TheStream_StartsWithSubscribed_ThenCarriesTheChangesOfTheRunsItAsksFor()
    {
        var deployment = await Server.Client.DeploymentAsync();
        var watched = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id);
        var other = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id);
        await using var stream = await EventStream.OpenAsync(Server.Http, $"?flow_run_id={watched.Id}");

        Assert.Equal("subscribed", (await stream.NextAsync()).Type);

        await Server.Client.SetFlowRunStateAsync(other.Id, new StateCreate { Type = StateType.Pending });
        await Server.Client.SetFlowRunStateAsync(watched.Id, new StateCreate { Type = StateType.Pending });
        var change = await stream.NextRunEventAsync();

        Assert.Equal(watched.Id, change["flow_run_id"]!.GetValue<Guid>());
        Assert.Equal(deployment.Id, change["deployment_id"]!.GetValue<Guid>());
        Assert.Equal(("PENDING", "Pending"), (change["state_type"]!.GetValue<string>(), change["state_name"]!.GetValue<string>()));
        Assert.NotNull(change["occurred"]);
    }

    [Fact]
    public async Task ADeploymentFilter_BringsItsNewRuns_AndAPoolFilterThoseOfThePool()
    {
        var pool = await Server.Client.PoolAsync();
        var deployment = await Server.Client.DeploymentAsync(pool: pool);
        await using var byDeployment = await EventStream.OpenAsync(Server.Http, $"?deployment_id={deployment.Id}");
        await using var byPool = await EventStream.OpenAsync(Server.Http, $"?work_pool_name={pool}");
        Assert.Equal("subscribed", (await byDeployment.NextAsync()).Type);
        Assert.Equal("subscribed", (await byPool.NextAsync()).Type);

        var run = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id);

        var created = await byDeployment.NextRunEventAsync();
        Assert.Equal((run.Id, "SCHEDULED"), (created["flow_run_id"]!.GetValue<Guid>(), created["state_type"]!.GetValue<string>()));
        Assert.Equal(run.Id, (await byPool.NextRunEventAsync())["flow_run_id"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task AnUnknownPool_Is404NamingIt()
    {
        var response = await Server.Http.GetJsonAsync("events/flow_runs?work_pool_name=no-such-pool");

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Contains("no-such-pool", response.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheClient_YieldsNullOnceSubscribed_SoAReadAfterItMissesNothing()
    {
        var deployment = await Server.Client.DeploymentAsync();
        var run = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var events = Server.Client.SubscribeFlowRunEventsAsync(flowRunIds: [run.Id], cancellationToken: deadline.Token).GetAsyncEnumerator(deadline.Token);

        Assert.True(await events.MoveNextAsync());
        Assert.Null(events.Current);

        await Server.Client.SetFlowRunStateAsync(run.Id, new StateCreate { Type = StateType.Pending });
        Assert.True(await events.MoveNextAsync());
        Assert.Equal((run.Id, StateType.Pending), (events.Current!.FlowRunId, events.Current.StateType));
    }
}

public sealed class EventsApiTests_Sqlite(SqliteServerFixture fixture) : EventsApiTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class EventsApiTests_Postgres(PostgresServerFixture fixture) : EventsApiTests(fixture), IClassFixture<PostgresServerFixture>;
