using System.Globalization;
using System.Text;
using Spectre.Console;

namespace Reeve.Cli;

/// <summary>
/// The tables of the read commands (<c>ls</c>): a title, a header row, rows and a caption, bordered as Spectre.Console's
/// default table is, and written straight to the console's writer in one piece.
/// </summary>
/// <remarks>
/// Spectre's own table costs about 45 ms of a command's start (its renderer's types and the generic code over its value
/// types are loaded and compiled on first use), a sixth of what a read command may take end to end. Cells, titles and
/// captions take the markup the rest of the CLI writes: <c>[red]…[/]</c>, <c>[bold green]…[/]</c>, and <c>[[</c> and
/// <c>]]</c> for brackets (<see cref="Markup.Escape"/>). Colours are written only where the console takes them. A table
/// wider than the console gives its widest columns' cells more lines (wrapped at spaces where it can) rather than
/// letting the terminal break the borders. A cell shows at most <see cref="MostCharacters"/> characters, then an
/// ellipsis: a row holding megabytes (an artifact's description, say) costs a table no more than that.
/// </remarks>
internal sealed class TextTable(string title, string? caption = null)
{
    private const int NarrowestColumn = 4;

    /// <summary>The most characters a cell, header, title or caption shows; the rest is left out, and an ellipsis says so.</summary>
    public const int MostCharacters = 2048;

    private readonly List<Glyph[]> headers = [];
    private readonly List<Glyph[][]> rows = [];

    public TextTable AddColumns(params string[] columns)
    {
        foreach (var column in columns)
        {
            AddColumn(column);
        }

        return this;
    }

    public TextTable AddColumn(string header)
    {
        headers.Add(Parse(header));
        return this;
    }

    /// <summary>Adds a row of cells in markup; missing cells are empty, extra cells an error.</summary>
    public TextTable AddRow(params string[] cells)
    {
        if (cells.Length > headers.Count)
        {
            throw new InvalidOperationException($"A row of {cells.Length} cells in a table of {headers.Count} columns.");
        }

        var row = new Glyph[headers.Count][];
        for (var i = 0; i < row.Length; i++)
        {
            row[i] = i < cells.Length ? Parse(cells[i]) : [];
        }

        rows.Add(row);
        return this;
    }

    /// <summary>Writes the table to the console's output, fitted to its width.</summary>
    public void WriteTo(IAnsiConsole console)
    {
        var profile = console.Profile;
        var colours = profile.Capabilities.Ansi && profile.Capabilities.ColorSystem != ColorSystem.NoColors;
        var border = profile.Capabilities.Unicode ? Border.Square : Border.Ascii;
        var widths = FitWidths(Math.Max(profile.Width, 1));
        var tableWidth = widths.Sum() + (3 * widths.Length) + 1;

        var text = new StringBuilder();
        AppendCentered(text, Parse(title), tableWidth, colours);
        AppendRule(text, widths, border.TopLeft, border.TopJoin, border.TopRight, border.Horizontal);
        AppendRow(text, [.. headers], widths, border, colours);
        AppendRule(text, widths, border.HeaderLeft, border.HeaderJoin, border.HeaderRight, border.HeaderHorizontal);
        foreach (var row in rows)
        {
            AppendRow(text, row, widths, border, colours);
        }

        AppendRule(text, widths, border.BottomLeft, border.BottomJoin, border.BottomRight, border.Horizontal);
        if (caption is not null)
        {
            AppendCentered(text, Parse(caption), tableWidth, colours);
        }

        profile.Out.Writer.Write(text.ToString());
        profile.Out.Writer.Flush();
    }

    /// <summary>
    /// Each column as wide as its widest line, then, while the table is wider than the console, the widest column one
    /// narrower (never below four cells): bounded by the table's own size.
    /// </summary>
    private int[] FitWidths(int consoleWidth)
    {
        var widths = new int[headers.Count];
        for (var i = 0; i < widths.Length; i++)
        {
            widths[i] = WidestLine(headers[i]);
            foreach (var row in rows)
            {
                widths[i] = Math.Max(widths[i], WidestLine(row[i]));
            }
        }

        var excess = widths.Sum() + (3 * widths.Length) + 1 - consoleWidth;
        while (excess > 0)
        {
            int widest = 0, second = 0;
            for (var i = 1; i < widths.Length; i++)
            {
                widest = widths[i] > widths[widest] ? i : widest;
            }

            for (var i = 0; i < widths.Length; i++)
            {
                second = i == widest ? second : Math.Max(second, widths[i]);
            }
            var cut = Math.Min(excess, Math.Min(widths[widest] - NarrowestColumn, Math.Max(widths[widest] - second, 1)));
            if (cut <= 0)
            {
                break;
            }

            widths[widest] -= cut;
            excess -= cut;
        }

        return widths;
    }

    private static int WidestLine(Glyph[] cell)
    {
        int widest = 0, line = 0;
        foreach (var glyph in cell)
        {
            line = glyph.Text == "\n" ? 0 : line + glyph.Width;
            widest = Math.Max(widest, line);
        }

        return widest;
    }

    private static void AppendRule(StringBuilder text, int[] widths, char left, char join, char right, char horizontal)
    {
        text.Append(left);
        for (var i = 0; i < widths.Length; i++)
        {
            text.Append(i == 0 ? "" : join).Append(horizontal, widths[i] + 2);
        }

        text.Append(right).Append('\n');
    }

    private static void AppendRow(StringBuilder text, Glyph[][] cells, int[] widths, Border border, bool colours)
    {
        var lines = new List<Glyph[]>[cells.Length];
        var height = 1;
        for (var i = 0; i < cells.Length; i++)
        {
            lines[i] = Wrap(cells[i], widths[i]);
            height = Math.Max(height, lines[i].Count);
        }
        for (var line = 0; line < height; line++)
        {
            text.Append(border.Vertical);
            for (var i = 0; i < cells.Length; i++)
            {
                var glyphs = line < lines[i].Count ? lines[i][line] : [];
                text.Append(' ');
                AppendGlyphs(text, glyphs, colours);
                text.Append(' ', widths[i] - WidestLine(glyphs) + 1).Append(border.Vertical);
            }

            text.Append('\n');
        }
    }

    private static void AppendCentered(StringBuilder text, Glyph[] line, int width, bool colours)
    {
        var free = Math.Max(width - WidestLine(line), 0);
        text.Append(' ', free / 2);
        AppendGlyphs(text, line, colours);
        text.Append(' ', free - (free / 2)).Append('\n');
    }

    private static void AppendGlyphs(StringBuilder text, Glyph[] glyphs, bool colours)
    {
        string? open = null;
        foreach (var glyph in glyphs)
        {
            var style = colours ? glyph.Style : null;
            if (style != open)
            {
                text.Append(open is null ? "" : "\e[0m").Append(style is null ? "" : $"\e[{style}m");
                open = style;
            }

            text.Append(glyph.Text);
        }

        text.Append(open is null ? "" : "\e[0m");
    }

    /// <summary>A cell's lines no wider than <paramref name="width"/>: at its own line breaks, else at the last space, else anywhere.</summary>
    private static List<Glyph[]> Wrap(Glyph[] cell, int width)
    {
        var lines = new List<Glyph[]>();
        var line = new List<Glyph>();
        var lineWidth = 0;
        foreach (var glyph in cell)
        {
            if (glyph.Text == "\n")
            {
                lines.Add([.. line]);
                line.Clear();
                lineWidth = 0;
                continue;
            }

            if (lineWidth + glyph.Width > width && line.Count > 0)
            {
                var space = line.FindLastIndex(g => g.Text == " ");
                var carried = space > 0 ? line.GetRange(space + 1, line.Count - space - 1) : [];
                lines.Add(line.GetRange(0, space > 0 ? space : line.Count).ToArray());
                line = carried;
                lineWidth = WidestLine([.. carried]);
            }

            line.Add(glyph);
            lineWidth += glyph.Width;
        }

        lines.Add([.. line]);
        return lines;
    }

    /// <summary>
    /// Markup as the CLI writes it: <c>[style]</c> opens, <c>[/]</c> closes the last one opened, <c>[[</c> and <c>]]</c>
    /// are brackets; a bracket that opens no tag is kept as text. Control characters other than line breaks and tabs are
    /// dropped, and a lone surrogate becomes the replacement character.
    /// </summary>
    private static Glyph[] Parse(string markup)
    {
        var glyphs = new List<Glyph>(Math.Min(markup.Length, MostCharacters + 1));
        var styles = new Stack<string?>();
        var unclosed = false;
        for (var i = 0; i < markup.Length; i++)
        {
            if (glyphs.Count == MostCharacters)
            {
                glyphs.Add(new Glyph("…", 1, styles.Count == 0 ? null : styles.Peek()));
                break;
            }

            var c = markup[i];
            if ((c == '[' || c == ']') && i + 1 < markup.Length && markup[i + 1] == c)
            {
                glyphs.Add(new Glyph(c.ToString(), 1, styles.Count == 0 ? null : styles.Peek()));
                i++;
                continue;
            }

            // Once no ']' follows, none will: the text is not searched again for each '[' (unescaped brackets by the thousand stay linear).
            if (c == '[' && !unclosed && markup.IndexOf(']', i + 1) is var end && !(unclosed = end < 0))
            {
                var tag = markup[(i + 1)..end];
                if (tag == "/")
                {
                    styles.TryPop(out _);
                }
                else
                {
                    styles.Push(Sgr(tag, styles.Count == 0 ? null : styles.Peek()));
                }

                i = end;
                continue;
            }

            // A lone surrogate decodes as the replacement character.
            Rune.DecodeFromUtf16(markup.AsSpan(i), out var rune, out var used);
            i += used - 1;
            if (rune.Value is '\n' or '\t' || !Rune.IsControl(rune))
            {
                glyphs.Add(rune.Value switch
                {
                    '\n' => new Glyph("\n", 0, null),
                    '\t' => new Glyph(" ", 1, styles.Count == 0 ? null : styles.Peek()),
                    _ => new Glyph(rune.ToString(), CellWidth(rune), styles.Count == 0 ? null : styles.Peek()),
                });
            }
        }

        return [.. glyphs];
    }

    /// <summary>The SGR parameters of a style such as <c>bold red</c>, added to the enclosing one's; words it does not know are ignored.</summary>
    private static string? Sgr(string style, string? enclosing)
    {
        var codes = style.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(word => word.ToLowerInvariant() switch
        {
            "bold" => "1",
            "dim" => "2",
            "italic" => "3",
            "underline" => "4",
            // Spectre's colours of these names, as the 16 standard ones: its red, yellow, blue, magenta and cyan are
            // the bright ones, its green the dark one.
            "red" => "91",
            "green" => "32",
            "yellow" => "93",
            "blue" => "94",
            "magenta" or "fuchsia" => "95",
            "cyan" or "aqua" => "96",
            "grey" or "gray" => "90",
            _ => null,
        }).OfType<string>().ToList();
        if (enclosing is not null)
        {
            codes.Insert(0, enclosing);
        }

        return codes.Count == 0 ? null : string.Join(';', codes);
    }

    /// <summary>
    /// The terminal cells a character takes (controls never get here): none for combining marks and format characters, two for the
    /// East Asian wide and fullwidth ranges and emoji, one for the rest.
    /// </summary>
    private static int CellWidth(Rune rune)
    {
        var value = rune.Value;
        if (value < 0x7F)
        {
            return 1;
        }

        switch (Rune.GetUnicodeCategory(rune))
        {
            case UnicodeCategory.NonSpacingMark:
            case UnicodeCategory.EnclosingMark:
            case UnicodeCategory.Format:
                return 0;
        }

        return value is (>= 0x1100 and <= 0x115F) or (>= 0x2E80 and <= 0x303E) or (>= 0x3041 and <= 0x33FF)
            or (>= 0x3400 and <= 0x4DBF) or (>= 0x4E00 and <= 0x9FFF) or (>= 0xA000 and <= 0xA4CF) or (>= 0xAC00 and <= 0xD7A3)
            or (>= 0xF900 and <= 0xFAFF) or (>= 0xFE30 and <= 0xFE4F) or (>= 0xFF00 and <= 0xFF60) or (>= 0xFFE0 and <= 0xFFE6)
            or (>= 0x1F300 and <= 0x1F64F) or (>= 0x1F900 and <= 0x1F9FF) or (>= 0x20000 and <= 0x3FFFD)
            ? 2
            : 1;
    }

    /// <summary>One character as written: a class, not a struct, so that the lists of them use the framework's precompiled shared code.</summary>
    private sealed record Glyph(string Text, int Width, string? Style);

    private sealed record Border(
        char TopLeft, char TopJoin, char TopRight, char Horizontal,
        char HeaderLeft, char HeaderJoin, char HeaderRight, char HeaderHorizontal,
        char Vertical, char BottomLeft, char BottomJoin, char BottomRight)
    {
        public static readonly Border Square = new('┌', '┬', '┐', '─', '├', '┼', '┤', '─', '│', '└', '┴', '┘');

        public static readonly Border Ascii = new('+', '+', '+', '-', '|', '+', '|', '-', '|', '+', '+', '+');
    }
}
