using System.Threading.Channels;
using Reeve.Client;
using Reeve.Core.Flows;
using Reeve.Core.FlowRuns;
using Reeve.Engine;

namespace Reeve.Tests.Flows;

/// <summary>
/// An engine's first heartbeat rides on its RUNNING proposal: once RUNNING is accepted the server has counted a beat,
/// so no heartbeat request follows until an interval (30 s by default) has passed; any other answer beats at once.
/// </summary>
public sealed class RunHeartbeatTests(SdkServerFixture fixture) : IClassFixture<SdkServerFixture>
{
    [Fact]
    public async Task AnAcceptedRunning_IsTheFirstBeat_SoNoHeartbeatRequestFollowsAtOnce()
    {
        var (run, beats, client) = await StartAsync();
        using var _ = client;
        await using (var heartbeat = new RunHeartbeat(client, run))
        {
            heartbeat.Answered(accepted: true);
            // The interval is 30 s: a beat sent now would arrive well within this second.
            var early = beats.Reader.WaitToReadAsync(TestContext.Current.CancellationToken).AsTask();
            Assert.NotSame(early, await Task.WhenAny(early, Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken)));
        }
    }

    [Fact]
    public async Task AnyOtherAnswer_SendsABeatAtOnce()
    {
        var (run, beats, client) = await StartAsync();
        using var _ = client;
        await using var heartbeat = new RunHeartbeat(client, run);
        Assert.False(beats.Reader.TryRead(out var _), "A beat went out before the RUNNING proposal was answered.");

        heartbeat.Answered(accepted: false);

        Assert.Equal(run, await beats.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
    }

    private async Task<(Guid Run, Channel<Guid> Beats, ReeveClient Client)> StartAsync()
    {
        var server = fixture.Server;
        var flow = await server.Client.CreateFlowAsync(new FlowCreate { Name = Names.Unique("beats") }, TestContext.Current.CancellationToken);
        var run = await server.Client.CreateFlowRunAsync(new FlowRunCreate { FlowId = flow.Id }, TestContext.Current.CancellationToken);
        var beats = Channel.CreateUnbounded<Guid>();
        var client = new ReeveClient(new ReeveClientOptions { ApiUrl = server.ApiUrl }, new HttpClient(new CountingHandler(beats) { InnerHandler = new SocketsHttpHandler() }));
        return (run.Id, beats, client);
    }

    /// <summary>Writes the run of every heartbeat request that goes by.</summary>
    private sealed class CountingHandler(Channel<Guid> beats) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            if (path.EndsWith("/heartbeat", StringComparison.Ordinal))
            {
                beats.Writer.TryWrite(Guid.Parse(path.Split('/')[^2]));
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
