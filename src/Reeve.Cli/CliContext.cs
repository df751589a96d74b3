using System.Text.Json;
using Reeve.Client;
using Reeve.Core.Json;
using Spectre.Console;

namespace Reeve.Cli;

/// <summary>What every command needs: its consoles, its environment and a client for the server.</summary>
internal sealed class CliContext
{
    /// <summary>Indented JSON in the wire format, with nothing escaped that needs no escaping (quotes and accents as they are).</summary>
    public static readonly JsonSerializerOptions Indented = new(ReeveJson.Default) { WriteIndented = true };

    public CliContext(IAnsiConsole output, TextWriter error, Func<string, string?> environment, bool interactive)
    {
        Out = output;
        Error = error;
        Environment = environment;
        IsInteractive = interactive;
    }

    public IAnsiConsole Out { get; }

    public TextWriter Error { get; }

    public Func<string, string?> Environment { get; }

    public bool IsInteractive { get; }

    public string HomeFolder => ReeveSettings.HomeFolder(Environment);

    public ReeveSettings LoadSettings()
    {
        try
        {
            return ReeveSettings.Load(Environment);
        }
        catch (InvalidDataException e)
        {
            throw new CliException(e.Message);
        }
    }

    public ReeveClient CreateClient() => new(ReeveClientOptions.FromSettings(LoadSettings()));

    /// <summary>Writes a value as indented JSON in the wire format (for <c>--output json</c>).</summary>
    public void WriteJson<T>(T value) => Out.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(value, Indented));

    /// <summary>Writes a line of plain text, markup-free.</summary>
    public void WriteLine(string text = "") => Out.WriteLine(text);

    /// <summary>A duration in seconds from an environment variable (a setting for operators and tests); null when unset or not a number.</summary>
    public TimeSpan? EnvironmentSeconds(string variable) =>
        double.TryParse(Environment(variable), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            && seconds >= 0 && double.IsFinite(seconds)
            ? TimeSpan.FromSeconds(seconds)
            : null;

    /// <summary>Writes a line in green, as success messages are.</summary>
    public void Success(string text) => Out.MarkupLine($"[green]{Markup.Escape(text)}[/]");

    public static CliContext CreateDefault()
    {
        var redirected = Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Out),
            Ansi = redirected || System.Environment.GetEnvironmentVariable("NO_COLOR") is { Length: > 0 } ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
        });
        if (redirected)
        {
            // Piped output is read by programs and people alike: never wrap an id across lines.
            console.Profile.Width = 200;
        }

        return new CliContext(console, Console.Error, System.Environment.GetEnvironmentVariable,
            interactive: !Console.IsInputRedirected && !redirected);
    }
}
