using BlueGreen.Core.Journal;
using BlueGreen.Infrastructure.Journal;
using BlueGreen.Testing;

namespace BlueGreen.Infrastructure.Tests.Journal;

public sealed class JournalBackwardReadingTests : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    private JournalFile Journal(long segmentBytes = JournalFile.DefaultSegmentBytes) => new(Home.At(_home.Root), TimeProvider.System, segmentBytes);

    private static JournalEntry Entry(int i) =>
        new() { Site = i % 3 == 0 ? "shop" : "blog", Action = "deploy", Outcome = JournalOutcome.Succeeded, Actor = "ops@host", Message = $"entry {i} " + new string('x', i % 7 * 40) };

    [Fact]
    public void The_newest_entries_come_first_and_all_of_them_match_reading_forward()
    {
        var journal = Journal();
        for (var i = 1; i <= 300; i++)
        {
            journal.Append(Entry(i)); // lines of varied length: some cross the 64 KiB read boundary
        }

        var forward = journal.ReadAll();
        var backward = journal.Newest().ToList();

        Assert.Equal(forward.Reverse(), backward);
        Assert.Equal([300L, 299L, 298L], journal.Newest().Take(3).Select(e => e.Seq));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public void A_limit_that_spans_a_segment_boundary_gets_the_newest_entries_of_both_segments(int beyondTheLastSegment)
    {
        var journal = Journal(segmentBytes: 2048);
        for (var i = 1; i <= 40; i++)
        {
            journal.Append(Entry(i));
        }

        // The last segment's lines and some of the segments before it.
        var limit = File.ReadAllLines(journal.Segments.PathOf(journal.Segments.Last())).Length + beyondTheLastSegment;

        var newest = journal.Newest().Take(limit).Select(e => e.Seq).ToList();

        Assert.Equal(Enumerable.Range(0, limit).Select(k => 40L - k), newest);
        Assert.Equal(journal.ReadAll().Where(e => e.Site == "shop").Reverse().Take(limit), journal.Index.Newest("shop").Take(limit));
    }

    [Fact]
    public void An_interrupted_append_at_the_end_is_skipped_and_the_complete_lines_before_it_are_read()
    {
        var journal = Journal();
        journal.Append(Entry(1));
        journal.Append(Entry(2));
        File.AppendAllText(_home.JournalFile, "{\"seq\":3,\"time\":\"2026-");

        Assert.Equal([2L, 1L], journal.Newest().Select(e => e.Seq));
    }

    [Fact]
    public void A_journal_that_does_not_exist_has_no_newest_entries_and_no_index_is_made()
    {
        var journal = Journal();

        Assert.Empty(journal.Newest());
        Assert.Empty(journal.Index.Newest("shop"));
        Assert.False(Directory.Exists(journal.Index.Directory));
    }
}
