namespace Reeve.Core.ConcurrencyLimits;

/// <summary>
/// How a global concurrency limit's slots change with time and use, as Prefect's server counts them: held slots
/// decay at the limit's rate since its last change, refused slots decay at that rate (or one per average occupancy),
/// and a refusal suggests waiting for as many slots as are queued, at the rate they free up.
/// </summary>
public static class SlotArithmetic
{
    /// <summary>How many samples (times the limit) the average occupancy is taken over.</summary>
    public const int OccupancySamplesPerSlot = 2;

    /// <summary>The least average occupancy counted, so that a wait is never zero.</summary>
    public const double MinimumOccupancySeconds = 0.1;

    /// <summary>The slots held <paramref name="elapsedSeconds"/> after a change that left <paramref name="activeSlots"/>.</summary>
    public static int ActiveAfterDecay(int activeSlots, double decayPerSecond, double elapsedSeconds) =>
        Math.Max(0, activeSlots - Floor(decayPerSecond * Math.Max(0, elapsedSeconds)));

    /// <summary>The slots refused lately, <paramref name="elapsedSeconds"/> after the last change.</summary>
    public static int DeniedAfterDecay(int deniedSlots, double decayPerSecond, double avgOccupancySeconds, double elapsedSeconds)
    {
        var rate = decayPerSecond > 0 ? decayPerSecond : 1.0 / Math.Max(MinimumOccupancySeconds, avgOccupancySeconds);
        return Math.Max(0, deniedSlots - Floor(rate * Math.Max(0, elapsedSeconds)));
    }

    /// <summary>The average occupancy once a release of <paramref name="slots"/> held for <paramref name="occupancySeconds"/> is counted.</summary>
    public static double AverageOccupancy(double average, int limit, int slots, double occupancySeconds)
    {
        var perSlot = Math.Max(occupancySeconds / Math.Max(1, slots), MinimumOccupancySeconds);
        var samples = Math.Max(1, limit) * OccupancySamplesPerSlot;
        return average + (perSlot / samples) - (average / samples);
    }

    /// <summary>How many seconds a refused request for <paramref name="slots"/> should wait before asking again.</summary>
    public static double RetryAfterSeconds(int slots, int deniedSlots, int limit, double decayPerSecond, double avgOccupancySeconds)
    {
        var blocking = decayPerSecond > 0 ? slots + deniedSlots : (slots + deniedSlots) / (double)Math.Max(1, limit);
        var perSlot = decayPerSecond > 0 ? 1.0 / decayPerSecond : Math.Max(MinimumOccupancySeconds, avgOccupancySeconds);
        return Math.Min(perSlot * blocking, 3600);
    }

    private static int Floor(double value) => value >= int.MaxValue ? int.MaxValue : (int)Math.Floor(value);
}
