using System.Diagnostics;
using Reeve.Core.TaskRuns;
using Reeve.Flows;
using Reeve.Tasks;

namespace Reeve.Bench.Scenarios;

/// <summary>
/// The SDK's cost per task: one flow runs 10,000 trivial tasks, awaited one after the other (and, as a second
/// figure, all at once), untracked and then tracked against a real server. A tracked flow's time includes
/// sending every task run to the server before the run ends.
/// </summary>
internal sealed class TasksScenario : IScenario
{
    private static readonly TaskDefinition Add = FlowTask.Define((int a, int b) => a + b, new FlowTaskOptions { Name = "add" });

    public string Name => "tasks";

    public string Description => "10,000 trivial tasks in one flow: time per task, untracked and tracked";

    public async Task<IReadOnlyList<Measurement>> RunAsync(BenchOptions options)
    {
        // The engine echoes each run's log lines to the console; not what is measured here.
        using var quiet = Quiet.Console();
        const int Tasks = 10_000;
        var sequential = Flow.Define(async (int n) =>
        {
            var total = 0;
            for (var i = 0; i < n; i++)
            {
                total = await Add.RunAsync<int>(total, 1);
            }

            return total;
        }, new FlowOptions { Name = "bench-tasks-sequential" });
        var parallel = Flow.Define(async (int n) =>
            (await Task.WhenAll(Enumerable.Range(0, n).Select(i => Add.RunAsync<int>(i, 1)))).Length,
            new FlowOptions { Name = "bench-tasks-parallel" });

        await using var server = await ServerProcess.StartAsync(options.Storage);
        var results = new List<Measurement>();
        foreach (var tracked in new[] { false, true })
        {
            if (tracked)
            {
                ReeveSdk.UseServer(server.ApiUrl);
            }
            else
            {
                ReeveSdk.UseNoServer();
            }

            var label = tracked ? "tracked" : "untracked";
            var warmUp = Stopwatch.StartNew();
            while (warmUp.Elapsed < options.WarmUp)
            {
                await sequential.RunAsync(1_000);
                await parallel.RunAsync(1_000);
            }

            var rounds = options.Quick ? 1 : 5;
            var perTaskSequential = new List<double>();
            var perTaskParallel = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                var clock = Stopwatch.StartNew();
                var total = await sequential.RunAsync<int>(Tasks);
                perTaskSequential.Add(clock.Elapsed.TotalMicroseconds / Tasks);
                if (total != Tasks)
                {
                    throw new InvalidOperationException($"The flow added up to {total}, not {Tasks}.");
                }

                clock.Restart();
                await parallel.RunAsync(Tasks);
                perTaskParallel.Add(clock.Elapsed.TotalMicroseconds / Tasks);
            }

            if (tracked)
            {
                await CheckEveryTaskRunIsStoredAsync(server, Tasks);
            }

            results.Add(new(Name, $"{label}: per task, awaited one by one", Stats.Median(perTaskSequential), "µs", options.Storage));
            results.Add(new(Name, $"{label}: per task, all at once", Stats.Median(perTaskParallel), "µs", options.Storage));
        }

        ReeveSdk.UseNoServer();
        return results;
    }

    /// <summary>The figure counts only if the task runs really reached the server, each COMPLETED.</summary>
    private static async Task CheckEveryTaskRunIsStoredAsync(ServerProcess server, int tasks)
    {
        using var client = new Client.ReeveClient(new Client.ReeveClientOptions { ApiUrl = server.ApiUrl });
        var runs = await client.FilterFlowRunsAsync(new() { Flows = new() { Name = new() { Any = ["bench-tasks-sequential"] } }, Sort = Core.FlowRuns.FlowRunSort.ExpectedStartTimeDesc, Limit = 1 });
        var completed = await client.CountTaskRunsAsync(new TaskRunFilterRequest
        {
            TaskRuns = new() { FlowRunId = new() { Any = [runs[0].Id] }, State = new() { Type = new() { Any = [Core.States.StateType.Completed] } } },
        });
        if (completed != tasks)
        {
            throw new InvalidOperationException($"The last tracked flow run has {completed} completed task runs on the server, not {tasks}.");
        }
    }
}
