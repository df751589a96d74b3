using System.Collections;
using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Reeve.Core.Errors;

namespace Reeve.Core.Json;

/// <summary>
/// The one check every request passes once it is read: no field is larger than its limit, and no list holds a null
/// item. A string may hold at most <see cref="DefaultTextLength"/> characters and a JSON value (parameters, job
/// variables, labels) at most <see cref="DefaultJsonLength"/> characters once written, unless its property says
/// otherwise with <see cref="MaxLengthAttribute"/> (descriptions, log lines, templates; on a list, the most items it may
/// hold, as the attribute means for collections). A refusal names the field
/// on the wire (<c>tags[2]</c>, <c>state.message</c>, <c>[0].message</c>) and the limit.
/// </summary>
public static class InputLimits
{
    /// <summary>The longest string a field holds unless it says otherwise: names, keys, tags, versions, paths.</summary>
    public const int DefaultTextLength = 5_000;

    /// <summary>The longest JSON value (written out) a field holds unless it says otherwise.</summary>
    public const int DefaultJsonLength = 64 * 1024;

    /// <summary>Free text meant to be read by people: descriptions, state messages.</summary>
    public const int LongTextLength = 100_000;

    /// <summary>One log line (Prefect's default limit on a log's size is a million).</summary>
    public const int LogMessageLength = 1_000_000;

    /// <summary>A flow's parameters, a run's job variables: data, but data that every run of a deployment copies.</summary>
    public const int DataJsonLength = 512 * 1024;

    /// <summary>The most tags a flow, deployment or run may carry (every run of a deployment copies them).</summary>
    public const int MaxTags = 200;

    /// <summary>Templates and schemas, which describe rather than carry data.</summary>
    public const int SchemaJsonLength = 1024 * 1024;

    private static readonly ConcurrentDictionary<Type, Member[]> Members = new();

    /// <summary>Checks a request's body (or any value of Reeve's types), naming fields under <paramref name="field"/> (empty for the body).</summary>
    /// <exception cref="ReeveValidationException">A field is over its limit, or a list holds a null item.</exception>
    public static void Check(object? value, string field = "") => Walk(value, new FieldPath(null, field, -1), null, 0);

    private static void Walk(object? value, FieldPath field, int? limit, int depth)
    {
        switch (value)
        {
            case null:
                return;
            case string text:
                var max = limit ?? DefaultTextLength;
                if (text.Length > max)
                {
                    throw Refused(field, $"at most {Count(max)} characters are allowed (got {Count(text.Length)})");
                }

                return;
            case JsonNode node:
                var maxJson = limit ?? DefaultJsonLength;
                var length = node is JsonObject { Count: 0 } or JsonArray { Count: 0 } ? 2 : JsonLength(node, maxJson);
                if (length > maxJson)
                {
                    throw Refused(field, $"at most {Count(maxJson)} bytes of JSON are allowed (got more)");
                }

                return;
            case IList list:
                if (limit is { } maxItems && list.Count > maxItems)
                {
                    throw Refused(field, $"at most {Count(maxItems)} items are allowed (got {Count(list.Count)})");
                }

                for (var i = 0; i < list.Count; i++)
                {
                    var item = list[i];
                    if (item is null)
                    {
                        throw Refused(new FieldPath(field, null, i), "a list here holds no null items");
                    }

                    Walk(item, new FieldPath(field, null, i), null, depth + 1);
                }

                return;
        }

        var type = value.GetType();
        if (depth > 16 || type.IsPrimitive || type.IsEnum || type.Namespace?.StartsWith("Reeve.Core", StringComparison.Ordinal) != true)
        {
            return;
        }

        foreach (var member in Members.GetOrAdd(type, Describe))
        {
            var inner = member.Get(value);
            if (member.Optional is { } optional)
            {
                if (inner is null || !(bool)optional.IsSet.GetValue(inner)!)
                {
                    continue;
                }

                inner = optional.Value.GetValue(inner);
            }

            Walk(inner, new FieldPath(field, member.Name, -1), member.MaxLength, depth + 1);
        }
    }

    /// <summary>The length of a node written out, counting no further than just past <paramref name="max"/>.</summary>
    private static long JsonLength(JsonNode node, int max)
    {
        using var counter = new CountingStream(max);
        using (var writer = new Utf8JsonWriter(counter))
        {
            try
            {
                node.WriteTo(writer);
                writer.Flush();
            }
            catch (CountingStream.FullException)
            {
                return long.MaxValue;
            }
        }

        return counter.Length;
    }

    private static ReeveValidationException Refused(FieldPath field, string reason) => new(field.ToString() is { Length: > 0 } name ? name : "body", reason);

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>
    /// The members worth a look: a property of a type that can hold nothing to check (a number, a time, an id, a state
    /// type) is left out, so its value is never boxed.
    /// </summary>
    private static Member[] Describe(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.GetMethod is not null
                && p.GetCustomAttribute<JsonIgnoreAttribute>() is not { Condition: JsonIgnoreCondition.Always }
                && MayHoldSomethingToCheck(p.PropertyType))
            .Select(p => new Member(
                p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name),
                p.GetValue,
                p.GetCustomAttribute<MaxLengthAttribute>()?.Length,
                p.PropertyType.IsGenericType && p.PropertyType.GetGenericTypeDefinition() == typeof(Optional<>)
                    ? new OptionalAccess(p.PropertyType.GetProperty(nameof(Optional<int>.IsSet))!, p.PropertyType.GetProperty(nameof(Optional<int>.Value))!)
                    : null))
            .ToArray();

    private static bool MayHoldSomethingToCheck(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return !type.IsValueType
            || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Optional<>) && MayHoldSomethingToCheck(type.GetGenericArguments()[0]))
            || (type.Namespace?.StartsWith("Reeve.Core", StringComparison.Ordinal) == true && !type.IsEnum);
    }

    /// <summary>Where a value sits in the body; written out only when a refusal names it.</summary>
    private sealed class FieldPath(FieldPath? parent, string? name, int index)
    {
        public override string ToString()
        {
            var start = parent?.ToString() ?? "";
            return name is null ? (index < 0 ? start : $"{start}[{index}]") : start.Length == 0 ? name : $"{start}.{name}";
        }
    }

    private sealed record Member(string Name, Func<object?, object?> Get, int? MaxLength, OptionalAccess? Optional);

    private sealed record OptionalAccess(PropertyInfo IsSet, PropertyInfo Value);

    /// <summary>A stream that only counts, and gives up once past a limit (so an 8 MB value is not written out whole).</summary>
    private sealed class CountingStream(long max) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Position;

        public override long Position { get; set; }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Position += buffer.Length;
            if (Position > max)
            {
                throw new FullException();
            }
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        internal sealed class FullException : Exception;
    }
}
