using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Reeve.Core.Schedules;
using Reeve.Server.Hosting;
using Reeve.Server.Storage;

namespace Reeve.Server.Services;

/// <summary>
/// Keeps every active schedule of every unpaused deployment planned ahead (<see cref="SchedulerLimits"/>: at least
/// 3 runs and an hour, at most 100 runs, 100 days, and the schedule's <c>max_scheduled_runs</c>). A pass reads the
/// schedules and settles most of them from the schedule alone (each remembers how far it is planned); only those
/// that need runs are written, a batch of deployments per transaction. Runs at start, every
/// <see cref="ReeveServerOptions.SchedulerInterval"/>, and at once when a deployment's schedules change.
/// </summary>
internal sealed class Scheduler(IServiceScopeFactory scopes, ReeveServerOptions options, ScheduleChanges changes, ILogger<Scheduler> logger, Hosting.StorageReady storage, Telemetry.ReeveMetrics metrics)
    : ServiceLoop(logger, options.Clock, storage, metrics)
{
    private const int DeploymentsPerBatch = 500;
    private readonly ConcurrentDictionary<Guid, (DateTime Updated, Schedule Schedule)> _parsed = new();
    private readonly ConcurrentDictionary<Guid, DateTime> _failing = new();

    protected override string Name => "Scheduler";

    protected override TimeSpan Interval => options.SchedulerInterval;

    protected override bool PassAtStart => true;

    protected override Task WaitAsync(CancellationToken stoppingToken) => changes.WaitAsync(Interval, options.Clock, stoppingToken);

    protected override async Task<PassOutcome> RunPassAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<SchedulerStore>();
        var schedules = await store.ActiveSchedulesAsync(cancellationToken);
        var now = options.Clock.GetUtcNow();
        var due = new HashSet<Guid>();
        var routine = true;
        foreach (var schedule in schedules)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!due.Contains(schedule.DeploymentId) && Plan(schedule, now) is { Plan.Dates.Count: > 0 })
            {
                due.Add(schedule.DeploymentId);

                // Topping up a schedule already planned ahead is the scheduler at rest; planning a new or changed one is news.
                routine &= schedule.PlannedUntil is { } until && StorageTime.ToWire(until) >= now;
            }
        }

        // In a random order, so that replicas sharing the database start on different deployments and share the work.
        var order = due.ToArray();
        Random.Shared.Shuffle(order);
        var made = 0;
        foreach (var batch in order.Chunk(DeploymentsPerBatch))
        {
            made += await store.ScheduleAsync(batch, Plan, cancellationToken);
        }

        Forget(schedules);
        return new PassOutcome(made, $"made {Plural(made, "run")} for the schedules of {Plural(due.Count, "deployment")} ({Plural(schedules.Count, "active schedule")} in all)",
            Routine: routine);
    }

    /// <summary>
    /// The runs a stored schedule needs at <paramref name="now"/>, or null when it cannot be planned (its rule is refused
    /// today, or its next instant cannot be found within an evaluation's bounds). Such a schedule is logged once per
    /// change and skipped: it never stops the other schedules of the pass.
    /// </summary>
    private (Schedule Schedule, SchedulePlan Plan)? Plan(ActiveSchedule row, DateTimeOffset now)
    {
        try
        {
            var schedule = Parse(row);
            var plan = SchedulePlanner.Plan(schedule, now, StorageTime.ToWire(row.PlannedUntil), row.MaxScheduledRuns, options.SchedulerLimits);
            _failing.TryRemove(row.Id, out _);
            return (schedule, plan);
        }
        catch (Exception e) when (e is Core.Errors.ReeveValidationException or ScheduleEvaluationException or ArgumentException or OverflowException or FormatException or InvalidOperationException)
        {
            if (!_failing.TryGetValue(row.Id, out var updated) || updated != row.Updated)
            {
                _failing[row.Id] = row.Updated;
                logger.LogWarning("Schedule {ScheduleId} of deployment {DeploymentId} is skipped: it cannot be planned ({Reason})", row.Id, row.DeploymentId, e.Message);
            }

            return null;
        }
    }

    /// <summary>A stored schedule, parsed once per change.</summary>
    private Schedule Parse(ActiveSchedule row)
    {
        if (_parsed.TryGetValue(row.Id, out var cached) && cached.Updated == row.Updated)
        {
            return cached.Schedule;
        }

        var schedule = Schedule.Parse(Storage.JsonText.Object(row.Schedule), options.Clock.GetUtcNow());
        _parsed[row.Id] = (row.Updated, schedule);
        return schedule;
    }

    private void Forget(List<ActiveSchedule> active)
    {
        if (_parsed.Count > active.Count * 2)
        {
            var keep = active.Select(a => a.Id).ToHashSet();
            foreach (var id in _parsed.Keys.Where(id => !keep.Contains(id)))
            {
                _parsed.TryRemove(id, out _);
                _failing.TryRemove(id, out _);
            }
        }
    }
}
