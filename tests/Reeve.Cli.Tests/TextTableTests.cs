using System.Text;
using Spectre.Console;

namespace Reeve.Cli.Tests;

/// <summary>The read commands' table: laid out as Spectre's default table was, fitted to the console, safe with any text.</summary>
public sealed class TextTableTests
{
    private static (IAnsiConsole Console, StringWriter Text) NewConsole(int width, bool colours = false, bool unicode = true)
    {
        var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(text),
            Ansi = colours ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = colours ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = width;
        console.Profile.Capabilities.Unicode = unicode;
        return (console, text);
    }

    private static readonly string[][] Rows =
    [
        ["pool-a [red](**)[/]", "process", "01a24c08-c498-700d-ac95-cd35932ad337", "[blue]None[/]", "[green]READY[/]"],
        ["b", "kubernetes:push", "01a24c08-c369-76af-bdf7-445c72f2a991", "[red]12[/]", "[yellow]PAUSED[/]"],
        ["a [[bracket]] name", "docker", "01a24c08-c249-7236-b683-d52bd737d84e", "[blue]None[/]", "[red]NOT_READY[/]"],
    ];

    [Fact]
    public void FitsOnTheConsole_WrittenExactlyAsSpectresTable()
    {
        var (ours, ourText) = NewConsole(200);
        var (spectres, spectreText) = NewConsole(200);
        var table = new TextTable("Work Pools", caption: "(**) denotes a paused pool").AddColumns("Name", "Type", "ID", "Concurrency Limit", "Status");
        var reference = new Table { Title = new TableTitle("Work Pools"), Caption = new TableTitle("(**) denotes a paused pool") };
        reference.AddColumns("Name", "Type", "ID", "Concurrency Limit", "Status");
        foreach (var row in Rows)
        {
            table.AddRow(row);
            reference.AddRow(row);
        }

        table.WriteTo(ours);
        spectres.Write(reference);

        Assert.Equal(spectreText.ToString(), ourText.ToString());
        Assert.Contains("│ a [bracket] name │", ourText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void WiderThanTheConsole_WrapsCellsAndKeepsEveryLineInside()
    {
        var (console, text) = NewConsole(60);
        var table = new TextTable("Flow Runs").AddColumns("ID", "Name", "Message");
        table.AddRow("01a24c08-c498-700d-ac95-cd35932ad337", "tall-fox", "the flow run crashed because the infrastructure never started it");

        table.WriteTo(console);

        var lines = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, line => Assert.True(line.Length <= 60, $"{line.Length} cells: {line}"));
        var tableLines = lines.Skip(1).ToList();
        Assert.Single(tableLines.Select(l => l.Length).Distinct());
        Assert.Contains("tall-fox", text.ToString(), StringComparison.Ordinal);
        var words = string.Join(' ', tableLines.Where(l => l.StartsWith('│')).Skip(1).Select(l => l.Split('│')[3].Trim()));
        Assert.Equal("the flow run crashed because the infrastructure never started it", words.Trim());
    }

    [Fact]
    public void Colours_OnlyWhereTheConsoleTakesThem()
    {
        var (plain, plainText) = NewConsole(200);
        var (coloured, colouredText) = NewConsole(200, colours: true);
        var table = new TextTable("Queues").AddColumns("Name", "Status");
        table.AddRow("default", "[red]NOT_READY[/]");
        table.AddRow("[bold]low[/] [green]ok[/]", "[bold red]PAUSED[/]");

        table.WriteTo(plain);
        table.WriteTo(coloured);

        Assert.DoesNotContain('\e', plainText.ToString());
        Assert.Contains("\e[91mNOT_READY\e[0m", colouredText.ToString(), StringComparison.Ordinal);
        Assert.Contains("\e[1mlow\e[0m \e[32mok\e[0m", colouredText.ToString(), StringComparison.Ordinal);
        Assert.Contains("\e[1;91mPAUSED\e[0m", colouredText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AsciiBorders_WhereTheConsoleHasNoUnicode()
    {
        var (console, text) = NewConsole(200, unicode: false);
        new TextTable("Variables").AddColumns("Name", "Value").AddRow("answer", "42").WriteTo(console);

        Assert.Contains("+--------+-------+", text.ToString(), StringComparison.Ordinal);
        Assert.Contains("| answer | 42    |", text.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain('│', text.ToString());
    }

    [Fact]
    public void HostileText_IsWrittenSafelyAndAligned()
    {
        var (console, text) = NewConsole(80);
        var table = new TextTable("Variables [unclosed").AddColumns("Name", "Value");
        table.AddRow("lone \ud800 surrogate", "nul \0 and\ttab");
        table.AddRow("wide 名前", "two\r\nlines ]] [/] [nope]");
        table.AddRow(new string('x', 500), "[");
        table.AddRow("only one cell");

        table.WriteTo(console);

        var written = text.ToString();
        Assert.DoesNotContain('\ud800', written);
        Assert.DoesNotContain('\0', written);
        Assert.Contains("\uFFFD", written, StringComparison.Ordinal);
        Assert.Contains("Variables [unclosed", written, StringComparison.Ordinal);
        var tableLines = written.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.Single(tableLines.Select(CellWidth).Distinct());
        Assert.True(CellWidth(tableLines[0]) <= 80);
        Assert.Throws<InvalidOperationException>(() => table.AddRow("1", "2", "3"));
    }

    [Fact]
    public void ACellOfMegabytes_ShowsItsFirstCharactersAndAnEllipsis_AndUnclosedBracketsStayCheap()
    {
        var (console, text) = NewConsole(120);
        var table = new TextTable("Artifacts").AddColumns("Key", "Description");
        table.AddRow("huge", new string('d', 8 * 1024 * 1024));
        table.AddRow("brackets", string.Concat(Enumerable.Repeat("[a", 2 * 1024 * 1024)));

        table.WriteTo(console);

        var written = text.ToString();
        Assert.Equal(TextTable.MostCharacters, written.Count(c => c == 'd'));
        Assert.Equal(2, written.Count(c => c == '…'));
        Assert.True(written.Length < 30 * TextTable.MostCharacters, $"{written.Length} characters written");
    }

    /// <summary>Terminal cells of a line of this test's text: the CJK characters take two.</summary>
    private static int CellWidth(string line) => line.EnumerateRunes().Sum(r => r.Value is >= 0x4E00 and <= 0x9FFF ? 2 : 1);
}
