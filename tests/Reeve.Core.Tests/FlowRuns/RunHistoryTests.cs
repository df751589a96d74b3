using Reeve.Core.Errors;
using Reeve.Core.FlowRuns;
using Reeve.Core.Orchestration;
using Reeve.Core.States;

namespace Reeve.Core.Tests.FlowRuns;

public sealed class RunHistoryTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);

    private static RunFacts Run(TimeSpan after, StateType type, string? name = null, double runTime = 0, TimeSpan? startedLate = null) => new()
    {
        ExpectedStartTime = Start + after,
        StartTime = startedLate is { } late ? Start + after + late : null,
        State = new State { Type = type, Name = name ?? type.DefaultName(), Timestamp = Start },
        TotalRunTime = runTime,
    };

    [Fact]
    public void Runs_FallIntoTheIntervalOfTheirExpectedStart_StartIncludedEndExcluded()
    {
        var runs = new[]
        {
            Run(TimeSpan.Zero, StateType.Completed, runTime: 2),
            Run(TimeSpan.FromMinutes(59), StateType.Completed, runTime: 3, startedLate: TimeSpan.FromSeconds(4)),
            Run(TimeSpan.FromMinutes(60), StateType.Failed),
            Run(TimeSpan.FromMinutes(61), StateType.Scheduled, "Late"),
            Run(TimeSpan.FromMinutes(-1), StateType.Completed),
            Run(TimeSpan.FromMinutes(150), StateType.Completed),
        };

        var history = RunHistory.Build(Start, Start.AddMinutes(150), TimeSpan.FromHours(1), runs, Start.AddHours(3));

        Assert.Equal([Start, Start.AddHours(1), Start.AddHours(2)], history.Select(h => h.IntervalStart));
        Assert.Equal(Start.AddMinutes(150), history[^1].IntervalEnd);
        var first = Assert.Single(history[0].States);
        Assert.Equal((StateType.Completed, 2, 5.0, 4.0), (first.StateType, first.CountRuns, first.SumEstimatedRunTime, first.SumEstimatedLateness));
        Assert.Equal([("Scheduled", "Late", 1), ("Failed", "Failed", 1)],
            history[1].States.Select(s => (s.StateType.ToString(), s.StateName, s.CountRuns)));
        Assert.Equal(119 * 60, history[1].States[0].SumEstimatedLateness, precision: 6); // not started, due at +61 min, now +180
        Assert.Empty(history[2].States);
    }

    [Theory]
    [InlineData(null, "2026-11-28T00:00:00Z", 3600.0, "history_start")]
    [InlineData("2026-11-27T00:00:00Z", null, 3600.0, "history_end")]
    [InlineData("2026-11-27T00:00:00Z", "2026-11-28T00:00:00Z", null, "history_interval_seconds")]
    [InlineData("2026-11-27T00:00:00Z", "2026-11-28T00:00:00Z", 0.999, "history_interval_seconds")]
    [InlineData("2026-11-27T00:00:00Z", "2026-11-28T00:00:00Z", 172.0, "history_interval_seconds")]
    [InlineData("2026-11-27T00:00:00Z", "2026-11-27T00:00:00Z", 3600.0, "history_end")]
    public void ABadRange_NamesItsField(string? start, string? end, double? seconds, string field)
    {
        var request = new FlowRunHistoryRequest
        {
            HistoryStart = start is null ? null : DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture),
            HistoryEnd = end is null ? null : DateTimeOffset.Parse(end, System.Globalization.CultureInfo.InvariantCulture),
            HistoryIntervalSeconds = seconds,
        };

        var error = Assert.Throws<ReeveValidationException>(() => RunHistory.Range(request));

        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void FiveHundredIntervals_AreAllowed()
    {
        var (_, _, interval) = RunHistory.Range(new FlowRunHistoryRequest { HistoryStart = Start, HistoryEnd = Start.AddSeconds(500), HistoryIntervalSeconds = 1 });

        Assert.Equal(TimeSpan.FromSeconds(1), interval);
    }

    [Theory]
    [InlineData(1e308)]
    [InlineData(9223372036854775808d)]
    [InlineData(1e15)]
    public void AnIntervalLongerThanTheRange_IsOneIntervalOverTheWholeRange_WithoutOverflow(double seconds)
    {
        var start = DateTimeOffset.MinValue.AddDays(1);
        var end = DateTimeOffset.MaxValue.AddDays(-1);

        var (_, _, interval) = RunHistory.Range(new FlowRunHistoryRequest { HistoryStart = start, HistoryEnd = end, HistoryIntervalSeconds = seconds });

        Assert.Equal(end - start, interval);
        Assert.Single(RunHistory.Build(start, end, interval, [], Start));
    }
}
