using Reeve.Core.Errors;
using Reeve.Core.Orchestration;
using Reeve.Core.States;

namespace Reeve.Core.FlowRuns;

/// <summary>
/// The body of <c>POST /api/flow_runs/history</c>: the runs matching the filters whose expected start falls in
/// [<see cref="HistoryStart"/>, <see cref="HistoryEnd"/>), counted by state in intervals of
/// <see cref="HistoryIntervalSeconds"/>, as Prefect's endpoint of the same path.
/// </summary>
public sealed record FlowRunHistoryRequest
{
    /// <summary>The start of the first interval.</summary>
    public DateTimeOffset? HistoryStart { get; init; }

    /// <summary>The end of the history; the last interval stops here.</summary>
    public DateTimeOffset? HistoryEnd { get; init; }

    /// <summary>The length of each interval, in seconds; at least 1.</summary>
    public double? HistoryIntervalSeconds { get; init; }

    /// <summary>Criteria on the runs' flows.</summary>
    public Flows.FlowFilter? Flows { get; init; }

    /// <summary>Criteria on runs.</summary>
    public FlowRunFilter? FlowRuns { get; init; }

    /// <summary>Criteria on the runs' deployments.</summary>
    public Deployments.DeploymentFilter? Deployments { get; init; }

    /// <summary>Criteria on the runs' pools.</summary>
    public WorkPools.WorkPoolFilter? WorkPools { get; init; }

    /// <summary>Criteria on the runs' queues.</summary>
    public WorkQueues.WorkQueueFilter? WorkQueues { get; init; }

    /// <summary>The same filters as a <see cref="FlowRunFilterRequest"/>, for reading the runs.</summary>
    public FlowRunFilterRequest ToFilter() => new()
    {
        Flows = Flows,
        FlowRuns = FlowRuns,
        Deployments = Deployments,
        WorkPools = WorkPools,
        WorkPoolQueues = WorkQueues,
    };
}

/// <summary>One interval of a run history: how many runs expected to start in it are in each state.</summary>
public sealed record HistoryInterval
{
    /// <summary>The interval's start (included).</summary>
    public DateTimeOffset IntervalStart { get; init; }

    /// <summary>The interval's end (excluded).</summary>
    public DateTimeOffset IntervalEnd { get; init; }

    /// <summary>A line per state type and name that has runs in the interval; empty when none has.</summary>
    public List<HistoryState> States { get; init; } = [];
}

/// <summary>The runs of an interval that are in one state.</summary>
public sealed record HistoryState
{
    /// <summary>The state's type.</summary>
    public StateType StateType { get; init; }

    /// <summary>The state's name (<c>Late</c>, <c>AwaitingRetry</c>, or the type's own name).</summary>
    public required string StateName { get; init; }

    /// <summary>How many runs.</summary>
    public int CountRuns { get; init; }

    /// <summary>Their time spent running, in seconds, counting the current stretch of running ones.</summary>
    public double SumEstimatedRunTime { get; init; }

    /// <summary>How late they started (or, not started yet, how late they are now), in seconds.</summary>
    public double SumEstimatedLateness { get; init; }
}

/// <summary>Counts runs into the intervals of a history. Pure: the server reads the runs, this sorts them.</summary>
public static class RunHistory
{
    /// <summary>The most intervals a history may have, as Prefect's endpoint returns at most 500 bars.</summary>
    public const int MaxIntervals = 500;

    /// <summary>Checks a request's range and returns it, or says which field is wrong and why.</summary>
    public static (DateTimeOffset Start, DateTimeOffset End, TimeSpan Interval) Range(FlowRunHistoryRequest request)
    {
        var start = request.HistoryStart ?? throw new ReeveValidationException("history_start", "Field required.");
        var end = request.HistoryEnd ?? throw new ReeveValidationException("history_end", "Field required.");
        var seconds = request.HistoryIntervalSeconds ?? throw new ReeveValidationException("history_interval_seconds", "Field required.");
        if (!double.IsFinite(seconds) || seconds < 1)
        {
            throw new ReeveValidationException("history_interval_seconds", "History interval must not be less than 1 second.");
        }

        if (end <= start)
        {
            throw new ReeveValidationException("history_end", "History end must be after history start.");
        }

        // An interval longer than the whole range is the range (one interval), which also keeps huge numbers
        // (1e308 seconds) from overflowing a TimeSpan.
        var interval = seconds >= (end - start).TotalSeconds ? end - start : TimeSpan.FromSeconds(seconds);
        if ((end - start) / interval > MaxIntervals)
        {
            throw new ReeveValidationException("history_interval_seconds",
                $"The history from history_start to history_end would have more than {MaxIntervals} intervals of this length; choose a longer interval.");
        }

        return (start, end, interval);
    }

    /// <summary>
    /// Counts <paramref name="runs"/> into the intervals from <paramref name="start"/> to <paramref name="end"/>, by
    /// the state each is in now. Runs without an expected start, or whose expected start is outside the range, are
    /// left out. Every interval is returned, in order, with the last one cut at <paramref name="end"/>.
    /// </summary>
    public static List<HistoryInterval> Build(DateTimeOffset start, DateTimeOffset end, TimeSpan interval, IEnumerable<RunFacts> runs, DateTimeOffset now)
    {
        var count = (int)Math.Ceiling((end - start) / interval);
        var buckets = new Dictionary<(StateType, string), Tally>[count];
        foreach (var run in runs)
        {
            if (run.ExpectedStartTime is not { } expected || run.State is not { } state || expected < start || expected >= end)
            {
                continue;
            }

            var index = Math.Min(count - 1, (int)((expected - start) / interval));
            var states = buckets[index] ??= [];
            var key = (state.Type, state.Name);
            var tally = states.GetValueOrDefault(key);
            states[key] = new Tally(
                tally.Count + 1,
                tally.RunTime + Math.Max(0, RunBookkeeping.EstimatedRunTime(run, now)),
                tally.Lateness + Math.Max(0, RunBookkeeping.Lateness(run, now)));
        }

        var history = new List<HistoryInterval>(count);
        for (var i = 0; i < count; i++)
        {
            var intervalStart = start + (interval * i);
            var intervalEnd = i == count - 1 ? end : start + (interval * (i + 1));
            history.Add(new HistoryInterval
            {
                IntervalStart = intervalStart,
                IntervalEnd = intervalEnd,
                States = buckets[i] is { } states
                    ? [.. states.OrderBy(s => s.Key.Item1).ThenBy(s => s.Key.Item2, StringComparer.Ordinal).Select(s => new HistoryState
                    {
                        StateType = s.Key.Item1,
                        StateName = s.Key.Item2,
                        CountRuns = s.Value.Count,
                        SumEstimatedRunTime = s.Value.RunTime,
                        SumEstimatedLateness = s.Value.Lateness,
                    })]
                    : [],
            });
        }

        return history;
    }

    private readonly record struct Tally(int Count, double RunTime, double Lateness);
}
