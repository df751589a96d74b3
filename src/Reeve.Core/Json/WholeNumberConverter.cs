using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Reeve.Core.Json;

/// <summary>
/// Reads an integer as Prefect's server does (pydantic's lax mode): <c>30</c> and <c>30.0</c> alike — every Prefect
/// worker sends <c>heartbeat_interval_seconds: 30.0</c> — while <c>30.5</c>, a number out of the type's range and a
/// number written as a string are still refused. Nullable integers use it too.
/// </summary>
/// <typeparam name="T">The integer type.</typeparam>
internal sealed class WholeNumberConverter<T> : JsonConverter<T>
    where T : struct, IBinaryInteger<T>
{
    /// <inheritdoc />
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw new JsonException();
        }

        try
        {
            if (reader.TryGetInt64(out var whole))
            {
                return T.CreateChecked(whole);
            }

            // A fraction or an exponent: taken when it names a whole number (30.0, 3e1), refused otherwise.
            if (reader.TryGetDecimal(out var number) && number == decimal.Truncate(number))
            {
                return T.CreateChecked(number);
            }
        }
        catch (OverflowException)
        {
            // Out of the type's range: refused below, as any other value it cannot hold.
        }

        throw new JsonException();
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(long.CreateChecked(value));
}

/// <summary>
/// A field with a default that an explicit <c>null</c> leaves at its default, as Prefect's server (FastAPI) does for
/// <c>offset</c>: Prefect's client sends <c>"offset": null</c> on every filter it does not page.
/// </summary>
/// <typeparam name="T">The field's type.</typeparam>
internal sealed class DefaultWhenNullConverter<T> : JsonConverter<T>
    where T : struct
{
    /// <inheritdoc />
    public override bool HandleNull => true;

    /// <inheritdoc />
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? default : ((JsonConverter<T>)options.GetConverter(typeof(T))).Read(ref reader, typeToConvert, options);

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        ((JsonConverter<T>)options.GetConverter(typeof(T))).Write(writer, value, options);
}
