using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Reeve.Ui;

/// <summary>How the UI writes times, durations and JSON: UTC, to the second, the same on every page.</summary>
internal static class Format
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

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
