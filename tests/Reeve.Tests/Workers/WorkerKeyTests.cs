using Reeve.Core.Access;
using Reeve.Core.States;
using Reeve.Core.WorkPools;
using Reeve.Deployments;
using Reeve.Flows;

namespace Reeve.Tests.Workers;

/// <summary>
/// A worker with a worker key limited to its pool: everything a worker and the engines it starts do (claims,
/// heartbeats, states, task runs, logs) is within what that key may, so runs complete.
/// </summary>
public sealed class WorkerKeyTests : IAsyncLifetime
{
    private const string Admin = "bootstrap-admin-key-for-worker-tests";
    private RunningServer _server = null!;
    private FlowRepository _repository = null!;
    private readonly string _home = Path.Combine(Path.GetTempPath(), "reeve-worker-key-tests", Guid.NewGuid().ToString("N")[..12]);

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_home);
        _server = await RunningServer.StartAsync(TestStorage.Sqlite, apiKey: Admin, realClock: true);
        _repository = await FlowRepository.CreateAsync();
    }

    public async ValueTask DisposeAsync()
    {
        ReeveSdk.UseNoServer();
        await _repository.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Flow(Name = "wait-then-complete")]
    private static void WaitThenComplete(int seconds = 3) => throw new NotSupportedException($"Runs from the repository ({seconds}).");

    [Fact]
    public async Task AWorkerWithAKeyLimitedToItsPool_RunsAFlowToCompleted()
    {
        var pool = Names.Unique("keyed-pool");
        await _server.Client.CreateWorkPoolAsync(new WorkPoolCreate { Name = pool, Type = "process" });
        ReeveSdk.UseServer(_server.ApiUrl, Admin);
        var deployment = await Flow.Define(WaitThenComplete).FromSource(_repository.Url, "RepoInfo.csproj:RepoInfo.TestFlows.WaitThenComplete")
            .DeployAsync(Names.Unique("deployment"), pool, new DeployOptions { Parameters = new { seconds = 0 }, Output = TextWriter.Null });
        var key = await _server.Client.CreateApiKeyAsync(new ApiKeyCreate { Name = Names.Unique("worker"), Role = ApiRoles.Worker, WorkPools = [pool] });
        var cli = new CliProcess(_server.ApiUrl, _home);
        cli.Environment["REEVE_API_KEY"] = key.Key;
        cli.Environment["REEVE_WORKER_HEARTBEAT_SECONDS"] = "1";
        await using var worker = RunningCommand.Start(cli, ["worker", "start", "--pool", pool]);
        await worker.WaitForLineAsync("started!");

        var run = await _server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id);
        var ended = await _server.Client.WaitForEndAsync(run.Id, TimeSpan.FromSeconds(180));

        Assert.True(ended.StateType == StateType.Completed, $"{ended.StateType}: {ended.State?.Message}\n{worker.Output}");
        Assert.DoesNotContain("403", worker.Output, StringComparison.Ordinal);
    }
}
