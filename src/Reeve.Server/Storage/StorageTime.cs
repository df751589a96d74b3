namespace Reeve.Server.Storage;

/// <summary>
/// Times as stored: UTC <see cref="DateTime"/>, cut to whole microseconds so that SQLite (100 ns) and
/// PostgreSQL (1 µs) hand back the same value that was written.
/// </summary>
internal static class StorageTime
{
    public static DateTime Now(TimeProvider clock) => ToStorage(clock.GetUtcNow());

    public static DateTime ToStorage(DateTimeOffset value)
    {
        var utc = value.UtcDateTime;
        return new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMicrosecond), DateTimeKind.Utc);
    }

    public static DateTimeOffset ToWire(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc), TimeSpan.Zero);

    public static DateTime? ToStorage(DateTimeOffset? value) => value is { } v ? ToStorage(v) : null;

    public static DateTimeOffset? ToWire(DateTime? value) => value is { } v ? ToWire(v) : null;
}
