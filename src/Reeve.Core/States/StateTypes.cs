namespace Reeve.Core.States;

/// <summary>Facts about state types.</summary>
public static class StateTypes
{
    /// <summary>The states a run never leaves on its own.</summary>
    public static IReadOnlyList<StateType> Terminal { get; } = [StateType.Completed, StateType.Failed, StateType.Cancelled, StateType.Crashed];

    /// <summary>
    /// The states that hold a concurrency slot: the run's infrastructure exists or is being started
    /// or torn down.
    /// </summary>
    public static IReadOnlyList<StateType> Active { get; } = [StateType.Pending, StateType.Running, StateType.Cancelling];

    /// <summary>Whether <paramref name="type"/> is final.</summary>
    public static bool IsTerminal(this StateType type) => type is StateType.Completed or StateType.Failed or StateType.Cancelled or StateType.Crashed;

    /// <summary>Whether a run in <paramref name="type"/> holds a concurrency slot.</summary>
    public static bool IsActive(this StateType type) => type is StateType.Pending or StateType.Running or StateType.Cancelling;

    /// <summary>The wire name of a type (<c>SCHEDULED</c>).</summary>
    public static string WireName(this StateType type) => type switch
    {
        StateType.Scheduled => "SCHEDULED",
        StateType.Pending => "PENDING",
        StateType.Running => "RUNNING",
        StateType.Completed => "COMPLETED",
        StateType.Failed => "FAILED",
        StateType.Cancelled => "CANCELLED",
        StateType.Crashed => "CRASHED",
        StateType.Paused => "PAUSED",
        StateType.Cancelling => "CANCELLING",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>The name a state of <paramref name="type"/> gets when none is given (<c>Scheduled</c>).</summary>
    public static string DefaultName(this StateType type) => type switch
    {
        StateType.Scheduled => "Scheduled",
        StateType.Pending => "Pending",
        StateType.Running => "Running",
        StateType.Completed => "Completed",
        StateType.Failed => "Failed",
        StateType.Cancelled => "Cancelled",
        StateType.Crashed => "Crashed",
        StateType.Paused => "Paused",
        StateType.Cancelling => "Cancelling",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>Parses a wire name, ignoring case; null when unknown.</summary>
    public static StateType? Parse(string value) => value.ToUpperInvariant() switch
    {
        "SCHEDULED" => StateType.Scheduled,
        "PENDING" => StateType.Pending,
        "RUNNING" => StateType.Running,
        "COMPLETED" => StateType.Completed,
        "FAILED" => StateType.Failed,
        "CANCELLED" => StateType.Cancelled,
        "CRASHED" => StateType.Crashed,
        "PAUSED" => StateType.Paused,
        "CANCELLING" => StateType.Cancelling,
        _ => null,
    };
}
