namespace Reeve.Core.Schedules;

/// <summary>
/// A schedule whose next instants cannot be found within Reeve's bounds on the work one evaluation may do (a rule
/// that almost never matches, or that matches so rarely at its frequency that finding the next instant would take
/// minutes). The scheduler logs it and skips the schedule; a new or changed schedule is refused with it.
/// </summary>
public sealed class ScheduleEvaluationException : Exception
{
    /// <summary>Creates the exception with the reason, in words for the user.</summary>
    public ScheduleEvaluationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with no reason.</summary>
    public ScheduleEvaluationException()
    {
    }

    /// <summary>Creates the exception with the reason and its cause.</summary>
    public ScheduleEvaluationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
