using System.Diagnostics;
using System.Text.Json.Nodes;
using Reeve.Core.Deployments;
using Reeve.Core.FlowRuns;
using Reeve.Core.Logs;
using Reeve.Core.States;
using Reeve.Flows;
using Reeve.Serving;

namespace Reeve.Tests.Serving;

public sealed class ServeTests : IClassFixture<SdkServerFixture>
{
    private readonly SdkServerFixture _fixture;

    public ServeTests(SdkServerFixture fixture)
    {
        _fixture = fixture;
        fixture.Use();
    }

    private RunningServer Server => _fixture.Server;

    private static int _greetings;

    [Flow(LogPrints = true)]
    private static void Greet(string who = "world")
    {
        Interlocked.Increment(ref _greetings);
        Console.WriteLine($"Hello {who}!");
    }

    [Flow]
    private static async Task LongRunningAsync(CancellationToken cancellationToken) => await Task.Delay(TimeSpan.FromMinutes(10), cancellationToken);

    /// <summary>Serves in the background until the test is done; returns the deployment once it exists.</summary>
    private async Task<(Deployment Deployment, CancellationTokenSource Stop, Task Serving)> ServeAsync(FlowDefinition flow, string name, string? cron = null)
    {
        var stop = new CancellationTokenSource();
        var serving = flow.ServeAsync(name, cron: cron, options: new ServeOptions { Output = TextWriter.Null }, cancellationToken: stop.Token);
        return (await WaitForDeploymentAsync(flow.Name, name, serving), stop, serving);
    }

    /// <summary>The served deployment, once serving has created it.</summary>
    private async Task<Deployment> WaitForDeploymentAsync(string flow, string name, Task serving)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var deployment = await Server.Client.ReadDeploymentByNameAsync(flow, name);
                if (deployment.Status == DeploymentStatus.Ready)
                {
                    return deployment;
                }
            }
            catch (Client.ReeveApiException)
            {
                // Not created yet.
            }

            Assert.False(serving.IsCompleted, "Serving stopped early.");
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "The served deployment did not appear.");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task ServedFlow_WithAnRRuleInAZone_HasThatSchedule_AndItsRunsArePlanned()
    {
        var name = Names.Unique("served-rrule");
        using var stop = new CancellationTokenSource();
        var flow = Flow.Define(Greet);
        var serving = flow.ServeAsync(name, rrule: "FREQ=DAILY;BYHOUR=7;BYMINUTE=30", timezone: "Europe/London",
            options: new ServeOptions { Output = TextWriter.Null }, cancellationToken: stop.Token);
        var deployment = await WaitForDeploymentAsync(flow.Name, name, serving);

        Assert.Equal("""{"rrule":"FREQ=DAILY;BYHOUR=7;BYMINUTE=30","timezone":"Europe/London"}""", deployment.Schedules.Single().Schedule.ToJsonString());
        var runs = await Server.Client.WaitForRunsAsync(deployment.Id, 3);
        var london = Core.Schedules.ScheduleTime.FindZone("Europe/London")!;
        Assert.All(runs, r => Assert.Equal(new TimeSpan(7, 30, 0), TimeZoneInfo.ConvertTime(r.ExpectedStartTime!.Value, london).TimeOfDay));

        await stop.CancelAsync();
        await serving;
        Assert.Empty(await Server.Client.FilterFlowRunsAsync(new FlowRunFilterRequest { FlowRuns = new() { DeploymentId = new() { Any = [deployment.Id] } } }));
    }

    [Fact]
    public async Task ServedFlow_RunsATriggeredRun_WithItsParameters_AndPrintsIntoItsLogs()
    {
        var name = Names.Unique("served");
        var (deployment, stop, serving) = await ServeAsync(Flow.Define(Greet), name, cron: "0 1 * * *");
        using (stop)
        {
            Assert.Null(deployment.WorkPoolName);
            Assert.Equal("string", deployment.ParameterOpenapiSchema["properties"]!["who"]!["type"]!.GetValue<string>());
            Assert.Equal("0 1 * * *", deployment.Schedules.Single().Schedule["cron"]!.GetValue<string>());

            var run = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id, new DeploymentFlowRunCreate { Parameters = new JsonObject { ["who"] = "Reeve" } });
            var finished = await Server.Client.WaitForEndAsync(run.Id);

            Assert.Equal(StateType.Completed, finished.StateType);
            var logs = await Server.Client.FilterLogsAsync(new LogFilterRequest { Logs = new() { FlowRunId = new() { Any = [run.Id] } } });
            Assert.Contains(logs, l => l.Message == "Hello Reeve!");
            await stop.CancelAsync();
            await serving;
        }

        Assert.True((await Server.Client.ReadDeploymentAsync(deployment.Id)).Paused, "Serving should pause the deployment when it stops.");
    }

    [Fact]
    public async Task CancellingALongServedRun_EndsItCancelledWithinTwoSeconds()
    {
        var (deployment, stop, serving) = await ServeAsync(Flow.Define(LongRunningAsync), Names.Unique("long"));
        using (stop)
        {
            var run = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id);
            await Server.Client.WaitForStateAsync(run.Id, StateType.Running);

            var clock = Stopwatch.StartNew();
            await Server.Client.SetFlowRunStateAsync(run.Id, new StateCreate { Type = StateType.Cancelling });
            var ended = await Server.Client.WaitForEndAsync(run.Id, TimeSpan.FromSeconds(10));
            clock.Stop();

            Assert.Equal(StateType.Cancelled, ended.StateType);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"Cancelling took {clock.Elapsed.TotalMilliseconds:F0} ms.");
            await stop.CancelAsync();
            await serving;
        }
    }

    [Fact]
    public async Task BadParameters_AreRefusedBeforeTheFlowStarts()
    {
        _greetings = 0;
        var (deployment, stop, serving) = await ServeAsync(Flow.Define(Greet), Names.Unique("strict"));
        using (stop)
        {
            var run = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id, new DeploymentFlowRunCreate
            {
                Parameters = new JsonObject { ["who"] = 5 },
                EnforceParameterSchema = false,
            });
            var ended = await Server.Client.WaitForEndAsync(run.Id);

            Assert.Equal(StateType.Failed, ended.StateType);
            Assert.Contains("Parameter 'who' expected a string", ended.State!.Message, StringComparison.Ordinal);
            Assert.Equal(0, _greetings);
            await stop.CancelAsync();
            await serving;
        }
    }

    [Fact]
    public async Task StoppingTheServer_CancelsItsRunningFlowsCleanly()
    {
        var (deployment, stop, serving) = await ServeAsync(Flow.Define(LongRunningAsync), Names.Unique("stopped"));
        using (stop)
        {
            var run = await Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id);
            await Server.Client.WaitForStateAsync(run.Id, StateType.Running);

            await stop.CancelAsync();
            await serving;

            var ended = await Server.Client.ReadFlowRunAsync(run.Id);
            Assert.Equal(StateType.Cancelled, ended.StateType);
        }
    }

    [Flow]
    private static int Instant(int n) => n;

    [Fact]
    public async Task RunsThatEndAtOnce_FreeTheirPlace_SoALimitOfOneKeepsServing_AndShutdownIsClean()
    {
        var name = Names.Unique("instant");
        using var stop = new CancellationTokenSource();
        var serving = Flow.Define(Instant).ServeAsync(name, options: new ServeOptions { Limit = 1, Output = TextWriter.Null }, cancellationToken: stop.Token);
        var deployment = await WaitForDeploymentAsync(Flow.Define(Instant).Name, name, serving);

        // Many runs due at once, each over in microseconds: each must leave the single place to the next.
        var runs = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            Server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id, new DeploymentFlowRunCreate { Parameters = new JsonObject { ["n"] = i } })));
        foreach (var run in runs)
        {
            Assert.Equal(StateType.Completed, (await Server.Client.WaitForEndAsync(run.Id, TimeSpan.FromSeconds(30))).StateType);
        }

        await stop.CancelAsync();
        await serving;
    }

    [Fact]
    public async Task ServingWithoutAServer_SaysWhatToSet()
    {
        ReeveSdk.UseNoServer();
        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Flow.Define(Greet).ServeAsync("x", cancellationToken: CancellationToken.None.WithTimeout()));
            Assert.Contains("REEVE_API_URL", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            _fixture.Use();
        }
    }
}

internal static class TokenExtensions
{
    public static CancellationToken WithTimeout(this CancellationToken _) => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;
}
