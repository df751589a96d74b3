using System.Text.Json.Serialization;

namespace Reeve.Core.Json;

/// <summary>An enum read and written by its name only: <c>"SCHEDULED"</c>, never a number such as <c>-1</c>.</summary>
/// <typeparam name="TEnum">The enum.</typeparam>
public sealed class StrictEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(namingPolicy: null, allowIntegerValues: false)
    where TEnum : struct, Enum;
