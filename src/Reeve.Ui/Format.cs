using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Reeve.Ui;

/// <summary>How the UI writes times, durations and JSON: UTC, to the second, the same on every page.</summary>
internal static class Format
{
    /// <summary>
    /// Indented, and with characters as written: Blazor writes the text into the page as text (never as HTML), so
    /// the default escaping of <c>&lt;</c>, <c>&amp;</c>, quotes and non-ASCII (<c>\u003C</c>) would only garble what
    /// the user wrote.
    /// </summary>
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Time(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + (time is null ? "—" : " UTC");

    public static string Duration(double seconds) => seconds switch
    {
        0 => "—",
        < 1 => $"{seconds * 1000:N0} ms",
        < 120 => $"{seconds:N1} s",
        _ => TimeSpan.FromSeconds(seconds).ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture),
    };

    public static string Json(JsonNode? node) => node is null ? "{}" : node.ToJsonString(Indented);
}
