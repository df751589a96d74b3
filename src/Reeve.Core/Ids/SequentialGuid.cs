using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Reeve.Core.Ids;

/// <summary>
/// UUID version 7 ids that never go backwards within a process: an id made for the same millisecond as the
/// previous one (or an earlier one) is the previous id plus one (RFC 9562, section 6.2, method 2). Made from the
/// time of storing (never a timestamp a client sent), they make records sorted by (timestamp, id) — log lines,
/// states — keep the order they were stored in when two share a timestamp, which
/// <see cref="Guid.CreateVersion7(DateTimeOffset)"/> alone does not promise.
/// </summary>
public static class SequentialGuid
{
    private static readonly Lock Gate = new();
    private static long _lastMilliseconds = -1;
    private static ulong _randA;
    private static ulong _randB;

    /// <summary>The next id, for a record stamped <paramref name="timestamp"/>.</summary>
    public static Guid Next(DateTimeOffset timestamp)
    {
        var milliseconds = Math.Max(0, timestamp.ToUnixTimeMilliseconds());
        ulong a, b;
        lock (Gate)
        {
            if (milliseconds > _lastMilliseconds)
            {
                _lastMilliseconds = milliseconds;
                Span<byte> random = stackalloc byte[10];
                RandomNumberGenerator.Fill(random);
                // rand_a's top bit clear: room to count up within this millisecond.
                _randA = BinaryPrimitives.ReadUInt16BigEndian(random) & 0x07FFUL;
                _randB = BinaryPrimitives.ReadUInt64BigEndian(random[2..]) & 0x3FFF_FFFF_FFFF_FFFFUL;
            }
            else if (++_randB > 0x3FFF_FFFF_FFFF_FFFFUL)
            {
                _randB = 0;
                if (++_randA > 0x0FFFUL)
                {
                    // 2^74 ids in one millisecond: borrow the next millisecond.
                    _lastMilliseconds++;
                    _randA = 0;
                }
            }

            milliseconds = _lastMilliseconds;
            a = _randA;
            b = _randB;
        }

        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, ((ulong)milliseconds << 16) | 0x7000UL | a);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], 0x8000_0000_0000_0000UL | b);
        return new Guid(bytes, bigEndian: true);
    }
}
