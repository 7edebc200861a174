using System.Globalization;
using System.Text;

namespace BlueGreen.Cli.Output;

/// <summary>
/// A column of a <see cref="TextTable"/>. <paramref name="Name"/> is one word (it heads the tab-separated output
/// too). <paramref name="Keep"/>: lower is kept longer when the width is short (the highest goes first).
/// <paramref name="Wrap"/>: the cells may wrap between words; a column that does not wrap (a timestamp) is never split.
/// </summary>
public sealed record TextColumn(string Name, int Keep, bool Wrap = false);

/// <summary>One cell: its text, and a Spectre style for a terminal (null: none).</summary>
public readonly record struct TextCell(string Text, string? Style = null)
{
    public static implicit operator TextCell(string text) => new(text);
}

/// <summary>
/// Tables that fit: on a terminal, laid out for its width (columns that do not fit are dropped, least
/// useful first; wrapping columns wrap between words); piped, tab-separated with a header line. Pure: the
/// layout is decided from the cells and the width alone.
/// </summary>
public static class TextTable
{
    /// <summary>Between two columns.</summary>
    public const int Gap = 2;

    /// <summary>A wrapping column narrower than its longest word still gets this many characters (a path splits rather than every column going).</summary>
    public const int MinWrapWidth = 16;

    /// <summary>The width of each column, 0 for a dropped one.</summary>
    public static int[] Layout(IReadOnlyList<TextColumn> columns, IReadOnlyList<IReadOnlyList<TextCell>> rows, int width)
    {
        var natural = new int[columns.Count];
        var minimum = new int[columns.Count];
        for (var c = 0; c < columns.Count; c++)
        {
            var header = columns[c].Name.Length;
            var cells = rows.Select(r => r[c].Text).ToList();
            natural[c] = Math.Max(header, cells.Count == 0 ? 0 : cells.Max(t => t.Length));
            var longestWord = cells.Count == 0 ? 0 : cells.Max(t => Words(t).Select(w => w.Length).DefaultIfEmpty(0).Max());
            minimum[c] = columns[c].Wrap ? Math.Max(header, Math.Min(longestWord, MinWrapWidth)) : natural[c];
        }

        var kept = Enumerable.Range(0, columns.Count).ToList();
        while (kept.Count > 1 && kept.Sum(c => minimum[c]) + Gap * (kept.Count - 1) > width)
        {
            // Drop the least useful; among equals, the rightmost.
            var drop = kept.OrderByDescending(c => columns[c].Keep).ThenByDescending(c => c).First();
            kept.Remove(drop);
        }

        var widths = new int[columns.Count];
        foreach (var c in kept)
        {
            widths[c] = natural[c];
        }

        var excess = kept.Sum(c => widths[c]) + Gap * (kept.Count - 1) - width;
        while (excess > 0)
        {
            // Narrow the wrapping column with the most room above its minimum, one character at a time.
            var candidates = kept.Where(c => columns[c].Wrap && widths[c] > minimum[c]).ToList();
            if (candidates.Count == 0)
            {
                break;
            }

            var widest = candidates.OrderByDescending(c => widths[c] - minimum[c]).First();
            widths[widest]--;
            excess--;
        }

        return widths;
    }

    /// <summary>The table as lines for a terminal of <paramref name="width"/> columns: Spectre markup when <paramref name="markup"/>, else plain text.</summary>
    public static IReadOnlyList<string> Render(IReadOnlyList<TextColumn> columns, IReadOnlyList<IReadOnlyList<TextCell>> rows, int width, bool markup)
    {
        var widths = Layout(columns, rows, width);
        var kept = Enumerable.Range(0, columns.Count).Where(c => widths[c] > 0).ToList();
        var lines = new List<string>
        {
            Line(kept.Select(c => (new[] { columns[c].Name }, widths[c], markup ? "bold" : null)).ToList(), 0, markup),
            string.Join(new string(' ', Gap), kept.Select(c => new string('─', widths[c]))),
        };
        foreach (var row in rows)
        {
            var cells = kept.Select(c => (Lines: Wrap(row[c].Text, widths[c]), Width: widths[c], markup ? row[c].Style : null)).ToList();
            var height = cells.Max(x => x.Lines.Count);
            for (var i = 0; i < height; i++)
            {
                lines.Add(Line(cells.Select(x => (x.Lines.ToArray(), x.Width, x.Item3)).ToList(), i, markup));
            }
        }

        return lines;
    }

    /// <summary>Tab-separated: a header line of the column names, then one line per row; tabs and line breaks in a cell become spaces.</summary>
    public static IReadOnlyList<string> Tsv(IReadOnlyList<TextColumn> columns, IReadOnlyList<IReadOnlyList<TextCell>> rows) =>
        [string.Join('\t', columns.Select(c => c.Name)), .. rows.Select(r => string.Join('\t', r.Select(cell => Flatten(cell.Text))))];

    /// <summary>$COLUMNS when it is a sensible width, else null (the terminal's own width is used).</summary>
    public static int? WidthFrom(string? columns) =>
        int.TryParse(columns, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 20 and <= 1000 ? n : null;

    /// <summary>The cell's text in lines of at most <paramref name="width"/>, broken between words; a word longer than the width is cut.</summary>
    public static IReadOnlyList<string> Wrap(string text, int width)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        foreach (var whole in Words(text))
        {
            var word = whole;
            while (word.Length > width)
            {
                if (line.Length > 0)
                {
                    lines.Add(line.ToString());
                    line.Clear();
                }

                lines.Add(word[..width]);
                word = word[width..];
            }

            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                lines.Add(line.ToString());
                line.Clear();
            }

            if (word.Length > 0)
            {
                line.Append(line.Length > 0 ? " " : "").Append(word);
            }
        }

        if (line.Length > 0 || lines.Count == 0)
        {
            lines.Add(line.ToString());
        }

        return lines;
    }

    private static string Line(IReadOnlyList<(string[] Lines, int Width, string? Style)> cells, int index, bool markup)
    {
        var text = new StringBuilder();
        for (var c = 0; c < cells.Count; c++)
        {
            var (lines, width, style) = cells[c];
            var part = index < lines.Length ? lines[index] : "";
            var padded = c == cells.Count - 1 ? part : part.PadRight(width + Gap);
            if (markup && style is not null && part.Length > 0)
            {
                text.Append('[').Append(style).Append(']').Append(Spectre.Console.Markup.Escape(part)).Append("[/]").Append(padded[part.Length..]);
            }
            else
            {
                text.Append(markup ? Spectre.Console.Markup.Escape(padded) : padded);
            }
        }

        return text.ToString().TrimEnd();
    }

    private static IEnumerable<string> Words(string text) => Flatten(text).Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static string Flatten(string text) => text.Replace('\t', ' ').Replace('\r', ' ').Replace('\n', ' ');
}
