using BlueGreen.Cli.Commands;
using BlueGreen.Cli.Output;
using BlueGreen.Core.Journal;
using BlueGreen.Core.State;

namespace BlueGreen.Cli.Tests;

/// <summary>The table renderer (pure): the journal's table at 80 columns, wrapping and dropping, and the piped format.</summary>
public sealed class TextTableTests
{
    private static readonly JournalEntry[] Entries =
    [
        new() { Seq = 1, Time = "2025-03-14T09:26:53.589Z", Site = "shop", Action = "deploy", Outcome = "started", Actor = "alice@build-server-01", Via = "cli", Message = "deploying 1.9.0 on candidate slot b" },
        new() { Seq = 2, Time = "2025-03-14T09:27:01.002Z", Site = "shop", Action = "deploy", Outcome = "succeeded", Actor = "alice@build-server-01", Via = "cli", To = new SlotVersion("b", "1.9.0"), Message = "1.9.0 deployed on candidate slot b" },
        new() { Seq = 3, Time = "2025-03-14T09:30:12.120Z", Site = "shop", Action = "apply", Outcome = "refused", Actor = "bob@laptop", Via = "cockpit", Message = "apply shop refused: the candidate was validated 2 h ago, more than VALIDATION_MAX_AGE (1 h) allows; run ./run.sh validate shop again" },
    ];

    private static IReadOnlyList<IReadOnlyList<TextCell>> Rows => Entries.Select(JournalCommand.Row).ToList();

    [Theory]
    [InlineData(80)]
    [InlineData(100)]
    [InlineData(60)]
    public void The_journal_fits_the_width_and_never_splits_a_timestamp_or_a_word(int width)
    {
        var lines = TextTable.Render(JournalCommand.Columns, Rows, width, markup: false);

        Assert.All(lines, line => Assert.True(line.Length <= width, $"{line.Length} > {width}: {line}"));
        var text = string.Join('\n', lines);
        foreach (var entry in Entries)
        {
            Assert.Contains(entry.Time, text);
        }

        // Every word of every kept cell appears whole (no "starte d").
        var headers = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        foreach (var row in Rows)
        {
            for (var c = 0; c < JournalCommand.Columns.Count; c++)
            {
                if (!headers.Contains(JournalCommand.Columns[c].Name))
                {
                    continue;
                }

                foreach (var word in row[c].Text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    Assert.True(lines.Any(l => l.Split(' ').Contains(word)), $"'{word}' is split at {width} columns:\n{text}");
                }
            }
        }
    }

    [Fact]
    public void At_80_columns_the_journal_keeps_time_site_action_outcome_and_message_and_drops_the_least_useful()
    {
        var headers = TextTable.Render(JournalCommand.Columns, Rows, 80, markup: false)[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(["TIME", "SITE", "ACTION", "OUTCOME", "MESSAGE"], headers.Where(h => h is "TIME" or "SITE" or "ACTION" or "OUTCOME" or "MESSAGE"));
        Assert.DoesNotContain("VIA", headers);
        Assert.DoesNotContain("ACTOR", headers);
    }

    [Fact]
    public void A_wide_terminal_shows_every_column()
    {
        var headers = TextTable.Render(JournalCommand.Columns, Rows, 400, markup: false)[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(JournalCommand.Columns.Select(c => c.Name), headers);
    }

    [Fact]
    public void Piped_output_is_a_header_of_single_words_then_one_tab_separated_line_per_entry()
    {
        var lines = TextTable.Tsv(JournalCommand.Columns, Rows);

        Assert.Equal("SEQ\tTIME\tSITE\tACTION\tOUTCOME\tACTOR\tVIA\tFROM\tTO\tMESSAGE", lines[0]);
        Assert.Equal(Entries.Length + 1, lines.Count);
        Assert.All(lines, l => Assert.Equal(JournalCommand.Columns.Count, l.Split('\t').Length));
        Assert.Equal(Entries[2].Message, lines[3].Split('\t')[9]);
    }

    [Fact]
    public void Tabs_and_line_breaks_in_a_cell_cannot_shift_the_columns()
    {
        var lines = TextTable.Tsv([new("A", 0), new("B", 0)], [["x\ty", "line\nbreak"]]);

        Assert.Equal("x y\tline break", lines[1]);
    }

    [Theory]
    [InlineData("a b c", 3, new[] { "a b", "c" })]
    [InlineData("started", 4, new[] { "star", "ted" })]   // a word longer than the column is the only thing ever cut
    [InlineData("", 5, new[] { "" })]
    [InlineData("one  two", 20, new[] { "one two" })]
    public void Wrapping_breaks_between_words(string text, int width, string[] expected) =>
        Assert.Equal(expected, TextTable.Wrap(text, width));

    [Theory]
    [InlineData("80", 80)]
    [InlineData("200", 200)]
    [InlineData("", null)]
    [InlineData("abc", null)]
    [InlineData("5", null)]
    [InlineData("-80", null)]
    [InlineData(null, null)]
    public void COLUMNS_sets_the_width_when_it_is_sensible(string? columns, int? expected) => Assert.Equal(expected, TextTable.WidthFrom(columns));
}
