using System.Text.Json;
using System.Text.Json.Serialization;

namespace Reeve.Core.Json;

/// <summary>
/// The JSON conventions of Reeve's wire format, which are Prefect 3's: snake_case names, enums as
/// strings, ISO 8601 times.
/// </summary>
public static class ReeveJson
{
    /// <summary>
    /// Options for writing, and for reading where unknown fields must be tolerated (a client reading a
    /// newer server's answers).
    /// </summary>
    public static JsonSerializerOptions Default { get; } = Create(strict: false);

    /// <summary>
    /// Options for reading requests: unknown fields, nulls in non-nullable fields, missing required
    /// fields and numbers written as strings are all errors, as in Prefect's action schemas; so are a key
    /// given twice, a NUL character and a lone surrogate, anywhere.
    /// </summary>
    public static JsonSerializerOptions Strict { get; } = Create(strict: true);

    /// <summary>Applies Reeve's conventions to <paramref name="options"/> (for hosts that own the options object).</summary>
    /// <param name="options">The options to change.</param>
    /// <param name="strict">Whether unknown fields are refused when reading.</param>
    public static void Configure(JsonSerializerOptions options, bool strict)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.PropertyNameCaseInsensitive = false;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.RespectNullableAnnotations = true;
        options.RespectRequiredConstructorParameters = true;
        options.UnmappedMemberHandling = strict ? JsonUnmappedMemberHandling.Disallow : JsonUnmappedMemberHandling.Skip;
        options.MaxDepth = 64;

        // Reeve's JSON is read by programs and people, never embedded in HTML: keep quotes and accents as they are.
        options.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        if (!options.Converters.OfType<OptionalConverterFactory>().Any())
        {
            options.Converters.Add(new OptionalConverterFactory());
            options.Converters.Add(new WholeNumberConverter<int>());
            options.Converters.Add(new WholeNumberConverter<long>());
        }

        if (strict)
        {
            options.AllowDuplicateProperties = false;
            if (!options.Converters.OfType<StrictTextConverter>().Any())
            {
                options.Converters.Add(new StrictTextConverter());
                options.Converters.Add(new StrictNodeConverterFactory());
            }
        }
    }

    private static JsonSerializerOptions Create(bool strict)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.General);
        Configure(options, strict);
        options.TypeInfoResolver = System.Text.Json.Serialization.Metadata.JsonTypeInfoResolver.Combine(
            ReeveJsonContext.Default, new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver());
        options.MakeReadOnly();
        return options;
    }
}
