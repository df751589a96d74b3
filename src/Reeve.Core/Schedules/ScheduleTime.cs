using System.Collections.Concurrent;

namespace Reeve.Core.Schedules;

/// <summary>Time zones by IANA name, and wall-clock times turned into instants across daylight-saving changes.</summary>
public static class ScheduleTime
{
    private static readonly ConcurrentDictionary<string, TimeZoneInfo?> Zones = new(StringComparer.Ordinal);

    /// <summary>The zone of an IANA name (<c>Europe/London</c>, <c>UTC</c>), or null when there is none.</summary>
    public static TimeZoneInfo? FindZone(string name) => Zones.GetOrAdd(name, static n =>
    {
        if (n is "UTC" or "Etc/UTC" or "Z")
        {
            return TimeZoneInfo.Utc;
        }

        try
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(n);
            return zone.HasIanaId ? zone : TimeZoneInfo.TryConvertWindowsIdToIanaId(n, out var iana) ? TimeZoneInfo.FindSystemTimeZoneById(iana) : null;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return null;
        }
    });

    /// <summary>
    /// The instant a wall-clock time names in a zone. A time that does not exist (skipped when clocks go
    /// forward) moves forward by the length of the gap, as the clock on the wall would read it; a time that
    /// happens twice (clocks go back) is its first, daylight-saving, instant.
    /// </summary>
    public static DateTimeOffset ToInstant(DateTime wall, TimeZoneInfo zone)
    {
        wall = DateTime.SpecifyKind(wall, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(wall))
        {
            // The offset in force before the gap, applied to the skipped time, lands as far past the gap's end.
            var before = zone.GetUtcOffset(wall.AddHours(-3));
            return new DateTimeOffset(wall, before).ToOffset(zone.GetUtcOffset(new DateTimeOffset(wall, before).UtcDateTime));
        }

        if (zone.IsAmbiguousTime(wall))
        {
            var offset = zone.GetAmbiguousTimeOffsets(wall).Max();
            return new DateTimeOffset(wall, offset);
        }

        return new DateTimeOffset(wall, zone.GetUtcOffset(wall));
    }
}
