using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Reeve.Core.JobTemplates;
using Reeve.Core.Orchestration;
using Reeve.Core.PoolTypes;
using Reeve.Core.Schedules;
using Reeve.Core.States;

namespace Reeve.Bench.Micro;

/// <summary>The pure code every request or pass goes through: deciding a transition, rendering a job, planning a schedule.</summary>
[MemoryDiagnoser]
public class CoreBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private readonly RunFacts _running = new() { State = StateFactory.Of(StateType.Running, Now), RunCount = 1, StartTime = Now };
    private readonly State _completed = StateFactory.Of(StateType.Completed, Now);
    private readonly RunFacts _scheduled = new() { State = StateFactory.Of(StateType.Scheduled, Now) };
    private readonly State _pending = StateFactory.Of(StateType.Pending, Now);
    private readonly JsonObject _template = (JsonObject)PoolTypeCatalog.Find("process")!.DefaultBaseJobTemplate.DeepClone();
    private readonly JsonObject _deploymentVariables = new() { ["env"] = new JsonObject { ["GITHUB_TOKEN"] = "token", ["LEVEL"] = "info" }, ["working_dir"] = "/srv/flows" };
    private readonly JsonObject _runVariables = new() { ["env"] = new JsonObject { ["LEVEL"] = "debug" } };
    private readonly CronSchedule _cron = CronSchedule.Create("*/5 9-17 * * 1-5", ScheduleTime.FindZone("Europe/London"));

    [Benchmark(Description = "orchestration: RUNNING → COMPLETED, every rule")]
    public OrchestrationOutcome DecideCompleted() => Orchestrator.FlowRuns.Decide(_running, _completed, Now);

    [Benchmark(Description = "orchestration: SCHEDULED → PENDING (a claim), every rule")]
    public OrchestrationOutcome DecideClaim() => Orchestrator.FlowRuns.Decide(_scheduled, _pending, Now);

    [Benchmark(Description = "job template: render the process pool's default with deployment and run variables")]
    public JsonObject RenderJob() => JobConfiguration.Render(_template, _deploymentVariables, _runVariables);

    [Benchmark(Description = "cron: next 100 occurrences, weekdays 9-17 every 5 minutes, Europe/London")]
    public DateTimeOffset Next100Cron()
    {
        var last = default(DateTimeOffset);
        foreach (var at in _cron.Occurrences(Now).Take(100))
        {
            last = at;
        }

        return last;
    }
}
