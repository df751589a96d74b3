using System.CommandLine;

namespace Reeve.Cli;

/// <summary>Options shared by many commands.</summary>
internal static class CommonOptions
{
    /// <summary><c>--output json</c>: print the wire format instead of a table.</summary>
    public static Option<string?> Output()
    {
        var option = new Option<string?>("--output", "-o") { Description = "Print JSON instead of a table ('json')." };
        option.AcceptOnlyFromAmong("json");
        return option;
    }

    public static bool WantsJson(this ParseResult result, Option<string?> output) => result.GetValue(output) == "json";
}
