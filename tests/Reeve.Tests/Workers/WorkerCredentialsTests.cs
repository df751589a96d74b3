using System.Text.Json.Nodes;
using Reeve.Core.Credentials;
using Reeve.Core.Deployments;
using Reeve.Core.FlowRuns;
using Reeve.Core.States;
using Reeve.Core.WorkPools;
using Reeve.Workers;
using Reeve.Workers.Infrastructure;

namespace Reeve.Tests.Workers;

/// <summary>
/// A worker resolves a run's credentials references just before it submits the run, and only then; an env entry
/// that refers to a secret is secret (masked in the run's logs).
/// </summary>
public sealed class WorkerCredentialsTests : IAsyncLifetime
{
    private RunningServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await RunningServer.StartAsync(TestStorage.Sqlite, realClock: true);

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task TheInfrastructureGetsTheSecretsValue_WhileThePoolAndTheDeploymentKeepOnlyTheReference()
    {
        var token = "tok-" + Guid.NewGuid().ToString("N");
        var name = Names.Unique("api-token");
        await _server.Client.CreateCredentialsAsync(new CredentialsCreate { Name = name, Type = "secret", Data = Seed.Json($$"""{"value": "{{token}}"}""") });
        var reference = $"{{{{ prefect.blocks.secret.{name} }}}}";
        var (pool, deployment) = await DeploymentAsync(new JsonObject { ["env"] = new JsonObject { ["API_TOKEN"] = reference } });
        var run = await _server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id, new DeploymentFlowRunCreate());

        var submitted = await (await RunOnceAsync(pool)).Configuration.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(token, submitted["env"]!["API_TOKEN"]!.GetValue<string>());
        Assert.Equal(reference, (await _server.Client.ReadDeploymentAsync(deployment.Id)).JobVariables!["env"]!["API_TOKEN"]!.GetValue<string>());
        Assert.Equal(StateType.Completed, (await _server.Client.ReadFlowRunAsync(run.Id)).StateType);

        // The env entry is secret: a line of the run that prints it is stored masked.
        await _server.Client.CreateLogsAsync([new Core.Logs.LogCreate
        {
            Name = "flow", Level = 20, Message = $"API_TOKEN={token}", Timestamp = TimeProvider.System.GetUtcNow(), FlowRunId = run.Id,
        }]);
        var logs = await _server.Client.FilterLogsAsync(new Core.Logs.LogFilterRequest { Logs = new() { FlowRunId = new() { Any = [run.Id] } } });
        Assert.Equal("API_TOKEN=********", Assert.Single(logs).Message);
    }

    [Fact]
    public async Task ARunWhoseCredentialsDoNotExist_Crashes_SayingWhich()
    {
        var (pool, deployment) = await DeploymentAsync(new JsonObject { ["env"] = new JsonObject { ["API_TOKEN"] = "{{ prefect.blocks.secret.deleted-long-ago }}" } });
        var run = await _server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id, new DeploymentFlowRunCreate());

        var infrastructure = await RunOnceAsync(pool);

        Assert.False(infrastructure.Configuration.Task.IsCompleted, "nothing was submitted");

        var crashed = await _server.Client.ReadFlowRunAsync(run.Id);
        Assert.Equal(StateType.Crashed, crashed.StateType);
        Assert.Contains("prefect.blocks.secret.deleted-long-ago", crashed.State!.Message, StringComparison.Ordinal);
    }

    private async Task<(string Pool, Deployment Deployment)> DeploymentAsync(JsonObject jobVariables)
    {
        var pool = await _server.Client.PoolAsync();
        return (pool, await _server.Client.DeploymentAsync(pool: pool, jobVariables: jobVariables));
    }

    /// <summary>Runs a worker once, until the runs it took ended; its infrastructure, which recorded what it was given.</summary>
    private async Task<Capture> RunOnceAsync(string pool)
    {
        var infrastructure = new Capture(_server.Client);
        var worker = new Worker(_server.Client, new WorkerOptions
        {
            PoolName = pool,
            RunOnce = true,
            Infrastructure = _ => infrastructure,
            Output = TextWriter.Null,
        });
        await worker.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
        return infrastructure;
    }

    /// <summary>Infrastructure that records the configuration it is given and ends the run as an engine would.</summary>
    private sealed class Capture(Client.ReeveClient client) : IInfrastructure
    {
        public TaskCompletionSource<JsonObject> Configuration { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<InfrastructureResult> RunAsync(FlowRun run, JsonObject configuration, Func<string, Task> started, CancellationToken cancellationToken)
        {
            await started("captured");
            await client.SetFlowRunStateAsync(run.Id, new StateCreate { Type = StateType.Running }, cancellationToken: cancellationToken);
            await client.SetFlowRunStateAsync(run.Id, new StateCreate { Type = StateType.Completed }, cancellationToken: cancellationToken);
            Configuration.TrySetResult(configuration);
            return new InfrastructureResult(0);
        }
    }
}
