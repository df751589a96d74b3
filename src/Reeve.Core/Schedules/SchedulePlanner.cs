namespace Reeve.Core.Schedules;

/// <summary>How far ahead the scheduler keeps each schedule (Prefect's defaults).</summary>
public sealed record SchedulerLimits
{
    /// <summary>At least this many future runs per schedule.</summary>
    public int MinRuns { get; init; } = 3;

    /// <summary>And runs at least this far ahead.</summary>
    public TimeSpan MinTime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>At most this many future runs per schedule.</summary>
    public int MaxRuns { get; init; } = 100;

    /// <summary>And none further ahead than this.</summary>
    public TimeSpan MaxTime { get; init; } = TimeSpan.FromDays(100);
}

/// <summary>What one schedule needs next: the instants of the runs to create, and how far it is then planned.</summary>
/// <param name="Dates">The new runs' instants, earliest first; empty when the schedule is far enough ahead.</param>
/// <param name="PlannedUntil">The instant of the latest run made for the schedule, after these.</param>
public readonly record struct SchedulePlan(IReadOnlyList<DateTimeOffset> Dates, DateTimeOffset? PlannedUntil);

/// <summary>
/// Decides which runs a schedule needs: enough that at least <see cref="SchedulerLimits.MinRuns"/> future runs exist
/// and the latest is at least <see cref="SchedulerLimits.MinTime"/> ahead, never more than
/// <see cref="SchedulerLimits.MaxRuns"/> nor the schedule's own <c>max_scheduled_runs</c>, and none beyond
/// <see cref="SchedulerLimits.MaxTime"/>. A schedule remembers how far it was planned (the instant of its latest
/// run), so the runs it already has are the schedule's instants from now to there: a schedule with enough of them
/// is settled from the schedule alone, without reading any run.
/// </summary>
public static class SchedulePlanner
{
    /// <summary>The runs <paramref name="schedule"/> needs at <paramref name="now"/>, planned until <paramref name="plannedUntil"/> so far.</summary>
    public static SchedulePlan Plan(Schedule schedule, DateTimeOffset now, DateTimeOffset? plannedUntil, int? maxScheduledRuns, SchedulerLimits limits)
    {
        var cap = Math.Min(limits.MaxRuns, maxScheduledRuns ?? int.MaxValue);
        var minRuns = Math.Min(limits.MinRuns, cap);
        var minUntil = now + limits.MinTime;
        var end = now + limits.MaxTime;

        // The runs already made: the schedule's instants from now until it was planned.
        var existing = 0;
        DateTimeOffset? last = null;
        if (plannedUntil is { } until && until >= now)
        {
            foreach (var at in schedule.Occurrences(now))
            {
                if (at > until || existing >= cap)
                {
                    break;
                }

                existing++;
                last = at;
            }

            if (existing >= cap || (existing >= minRuns && until >= minUntil))
            {
                return new SchedulePlan([], plannedUntil);
            }
        }

        var dates = new List<DateTimeOffset>();
        var from = plannedUntil is { } p && p >= now ? p.AddTicks(1) : now;
        foreach (var at in schedule.Occurrences(from))
        {
            if (existing + dates.Count >= cap || at > end)
            {
                break;
            }

            dates.Add(at);
            last = at;
            if (existing + dates.Count >= minRuns && at >= minUntil)
            {
                break;
            }
        }

        return new SchedulePlan(dates, dates.Count > 0 ? last : plannedUntil);
    }
}
