namespace Reeve.Core.FlowRuns;

/// <summary>The orders flow runs can be listed in, as Prefect's <c>FlowRunSort</c>.</summary>
public static class FlowRunSort
{
    /// <summary>Newest id first (the default).</summary>
    public const string IdDesc = "ID_DESC";

    /// <summary>Start time (expected start before it starts), earliest first.</summary>
    public const string StartTimeAsc = "START_TIME_ASC";

    /// <summary>Start time, latest first.</summary>
    public const string StartTimeDesc = "START_TIME_DESC";

    /// <summary>Expected start time, earliest first.</summary>
    public const string ExpectedStartTimeAsc = "EXPECTED_START_TIME_ASC";

    /// <summary>Expected start time, latest first.</summary>
    public const string ExpectedStartTimeDesc = "EXPECTED_START_TIME_DESC";

    /// <summary>Name, A to Z.</summary>
    public const string NameAsc = "NAME_ASC";

    /// <summary>Name, Z to A.</summary>
    public const string NameDesc = "NAME_DESC";

    /// <summary>Next scheduled start time, earliest first.</summary>
    public const string NextScheduledStartTimeAsc = "NEXT_SCHEDULED_START_TIME_ASC";

    /// <summary>End time, latest first.</summary>
    public const string EndTimeDesc = "END_TIME_DESC";

    /// <summary>Every value.</summary>
    public static IReadOnlyList<string> All { get; } =
        [IdDesc, StartTimeAsc, StartTimeDesc, ExpectedStartTimeAsc, ExpectedStartTimeDesc, NameAsc, NameDesc, NextScheduledStartTimeAsc, EndTimeDesc];
}
