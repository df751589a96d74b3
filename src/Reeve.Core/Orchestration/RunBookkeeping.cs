using Reeve.Core.States;

namespace Reeve.Core.Orchestration;

/// <summary>
/// What every written state changes on its run, whatever the rules decided: start and end times, time spent
/// running, the run count, the expected and next scheduled start times.
/// </summary>
public static class RunBookkeeping
{
    /// <summary>The run after <paramref name="written"/> replaces <paramref name="initial"/>.</summary>
    public static RunFacts Apply(RunFacts run, State? initial, State written)
    {
        var startTime = run.StartTime;
        if (written.Type == StateType.Running && startTime is null)
        {
            startTime = written.Timestamp;
        }

        var endTime = run.EndTime;
        if (initial is not null && initial.Type.IsTerminal() && !written.Type.IsTerminal())
        {
            endTime = null;
        }
        else if (written.Type.IsTerminal() && startTime is not null && endTime is null)
        {
            endTime = written.Timestamp;
        }

        var totalRunTime = run.TotalRunTime;
        if (initial?.Type == StateType.Running)
        {
            totalRunTime += Math.Max(0, (written.Timestamp - initial.Timestamp).TotalSeconds);
        }

        var expected = run.ExpectedStartTime
            ?? (written.Type == StateType.Scheduled ? written.StateDetails.ScheduledTime ?? written.Timestamp : written.Timestamp);

        var runCount = run.RunCount;
        var flowPolicy = run.FlowPolicy;
        if (written.Type == StateType.Running && flowPolicy?.Resuming != true)
        {
            runCount++;
        }

        if (flowPolicy is { Resuming: true } && (written.Type == StateType.Running || written.Type.IsTerminal()))
        {
            flowPolicy = flowPolicy with { Resuming = false };
        }

        return run with
        {
            State = written,
            StartTime = startTime,
            EndTime = endTime,
            TotalRunTime = totalRunTime,
            ExpectedStartTime = expected,
            NextScheduledStartTime = written.Type == StateType.Scheduled ? written.StateDetails.ScheduledTime : null,
            RunCount = runCount,
            FlowPolicy = flowPolicy,
        };
    }

    /// <summary>
    /// How late a run is, in seconds: how long after its expected start it started, or, if it has not started
    /// and is not over, how long past its expected start it is now.
    /// </summary>
    public static double Lateness(RunFacts run, DateTimeOffset now)
    {
        if (run.ExpectedStartTime is not { } expected)
        {
            return 0;
        }

        if (run.StartTime is { } start)
        {
            return start > expected ? (start - expected).TotalSeconds : 0;
        }

        return expected < now && run.State?.Type.IsTerminal() != true ? (now - expected).TotalSeconds : 0;
    }

    /// <summary>Seconds spent running, counting the current stretch of a RUNNING run.</summary>
    public static double EstimatedRunTime(RunFacts run, DateTimeOffset now) =>
        run.TotalRunTime + (run.State is { Type: StateType.Running } s ? Math.Max(0, (now - s.Timestamp).TotalSeconds) : 0);
}
