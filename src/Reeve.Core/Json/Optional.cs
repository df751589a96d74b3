using System.Text.Json.Serialization;

namespace Reeve.Core.Json;

/// <summary>
/// A field of a partial update: either absent from the request, or present with a value that may be
/// <see langword="null"/> (which clears the field, e.g. <c>{"concurrency_limit": null}</c>).
/// </summary>
/// <typeparam name="T">The field's type.</typeparam>
/// <remarks>
/// Mark properties of this type with <c>[JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]</c>
/// so that absent fields stay absent when the update is sent.
/// </remarks>
[JsonConverter(typeof(OptionalConverterFactory))]
public readonly record struct Optional<T>
{
    private readonly T _value;

    /// <summary>Creates a present value.</summary>
    public Optional(T value)
    {
        _value = value;
        IsSet = true;
    }

    /// <summary>Whether the field was present.</summary>
    public bool IsSet { get; }

    /// <summary>The value; only meaningful when <see cref="IsSet"/>.</summary>
    public T Value => IsSet ? _value : throw new InvalidOperationException("The optional value is not set.");

    /// <summary>The value when set, otherwise <paramref name="fallback"/>.</summary>
    public T GetValueOrDefault(T fallback) => IsSet ? _value : fallback;

#pragma warning disable CA2225 // The constructor is the named alternative.
    /// <summary>Wraps a value as a present field.</summary>
    public static implicit operator Optional<T>(T value) => new(value);
#pragma warning restore CA2225

    /// <inheritdoc />
    public override string ToString() => IsSet ? $"{_value}" : "(unset)";
}
