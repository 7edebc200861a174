using System.Text;
using BlueGreen.Core;
using BlueGreen.Core.Journal;
using BlueGreen.Infrastructure.Journal;
using BlueGreen.Testing;

namespace BlueGreen.Infrastructure.Tests.Journal;

/// <summary>Segments with a tiny size (about three lines each), so that a few appends cross several boundaries.</summary>
// Segments are sealed and unsealed through Unix file modes.
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class JournalSegmentTests : IDisposable
{
    private const long TinySegment = 1024;

    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    private JournalFile Journal => new(Home.At(_home.Root), TimeProvider.System, TinySegment);

    private static JournalEntry Entry(string message, string site = "shop", string outcome = JournalOutcome.Succeeded, string action = "deploy") =>
        new() { Site = site, Action = action, Outcome = outcome, Actor = "ops@host", Message = message };

    private JournalFile Filled(int count)
    {
        var journal = Journal;
        for (var i = 1; i <= count; i++)
        {
            journal.Append(Entry($"entry {i}", site: i % 2 == 0 ? "shop" : "blog"));
        }

        return journal;
    }

    private static string[] Lines(string path) => File.ReadAllLines(path);

    private static string HashOf(string line) => BlueGreen.Core.Json.Deserialize<JournalEntry>(line)!.Hash!;

    private static void MakeWritable(string path) => File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserWrite);

    [Fact]
    public void Past_the_segment_size_the_journal_continues_in_a_new_segment_chained_to_the_last_line_of_the_previous_one()
    {
        var journal = Filled(20);
        var last = journal.Segments.Last();

        Assert.True(last >= 4, $"20 lines in segments of 1 KiB make more than 3 segments (got {last})");
        for (var n = 2; n <= last; n++)
        {
            var previous = Lines(journal.Segments.PathOf(n - 1));
            var first = BlueGreen.Core.Json.Deserialize<JournalEntry>(Lines(journal.Segments.PathOf(n))[0])!;
            Assert.Equal(HashOf(previous[^1]), first.PrevHash);
            Assert.True(new FileInfo(journal.Segments.PathOf(n - 1)).Length <= TinySegment);
        }

        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), journal.ReadAll().Select(e => e.Seq));
        Assert.Null(journal.Verify());
        var head = journal.ReadHead()!;
        Assert.Equal((20L, last, 2), (head.Seq, head.Segment, head.Version));
        Assert.Equal(new FileInfo(journal.Segments.PathOf(last)).Length, head.Length);
    }

    [Fact]
    public void Full_segments_are_read_only_and_only_the_last_one_is_writable()
    {
        var journal = Filled(12);
        var last = journal.Segments.Last();

        const UnixFileMode Writable = UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;
        for (var n = 1; n < last; n++)
        {
            Assert.Equal((UnixFileMode)0, File.GetUnixFileMode(journal.Segments.PathOf(n)) & Writable);
        }

        Assert.NotEqual((UnixFileMode)0, File.GetUnixFileMode(journal.Segments.PathOf(last)) & UnixFileMode.UserWrite);
    }

    [Fact]
    public void Verify_names_the_segment_file_and_its_line_of_a_flipped_byte_in_an_old_segment()
    {
        var journal = Filled(15);
        var second = journal.Segments.PathOf(2);
        var lines = Lines(second);
        MakeWritable(second);
        var bytes = File.ReadAllBytes(second);
        var offset = Encoding.UTF8.GetByteCount(lines[0] + "\n") + lines[1].IndexOf("entry", StringComparison.Ordinal);
        bytes[offset] ^= 0x01;
        File.WriteAllBytes(second, bytes);

        var broken = journal.Verify();

        Assert.NotNull(broken);
        Assert.Equal(second, broken.File);
        Assert.Equal(2, broken.Line);
        Assert.Contains("hash mismatch", broken.Reason);
    }

    [Fact]
    public void A_missing_middle_segment_or_a_missing_last_segment_breaks_verify_and_the_last_refuses_appends()
    {
        var journal = Filled(15);
        var last = journal.Segments.Last();
        var middle = journal.Segments.PathOf(2);
        var kept = File.ReadAllBytes(middle);
        File.Delete(middle);

        var broken = journal.Verify();
        Assert.NotNull(broken);
        Assert.Equal(middle, broken.File);
        Assert.Contains("missing", broken.Reason);
        File.WriteAllBytes(middle, kept);
        Assert.Null(journal.Verify());

        File.Delete(journal.Segments.PathOf(last));
        Assert.NotNull(journal.Verify());
        var e = Assert.Throws<JournalWriteException>(() => journal.Append(Entry("after")));
        Assert.True(e.Damaged);
        Assert.Contains(journal.Segments.PathOf(last), e.Message);
    }

    [Fact]
    public void A_cut_tail_of_the_last_segment_is_caught_by_the_head_before_any_command_and_by_verify()
    {
        var journal = Filled(15);
        var last = journal.Segments.Last();
        var path = journal.Segments.PathOf(last);
        var lines = Lines(path);
        Assert.True(lines.Length >= 2, "the last segment holds more than one line");
        var seq = journal.ReadHead()!.Seq;

        // The last line removed whole: what is left is a well-formed, shorter chain.
        File.WriteAllText(path, string.Concat(lines[..^1].Select(l => l + "\n")));
        var before = File.ReadAllBytes(path);

        var intact = Assert.Throws<JournalWriteException>(journal.EnsureIntact);
        Assert.True(intact.Damaged);
        Assert.Contains(path, intact.Message);
        Assert.Contains("shorter", intact.Message);
        var append = Assert.Throws<JournalWriteException>(() => journal.Append(Entry("after the cut")));
        Assert.True(append.Damaged);
        var broken = journal.Verify();
        Assert.NotNull(broken);
        Assert.Contains($"ends at seq {seq - 1} but its head", broken.Reason);
        Assert.Equal(before, File.ReadAllBytes(path)); // refused, nothing cut or added

        // Emptied: the same.
        File.WriteAllText(path, "");
        Assert.True(Assert.Throws<JournalWriteException>(journal.EnsureIntact).Damaged);
        Assert.NotNull(journal.Verify());
    }

    [Fact]
    public void A_deleted_last_segment_is_caught_before_any_command()
    {
        var journal = Filled(15);
        var last = journal.Segments.Last();
        File.Delete(journal.Segments.PathOf(last));

        var e = Assert.Throws<JournalWriteException>(journal.EnsureIntact);

        Assert.True(e.Damaged);
        Assert.Contains(journal.Segments.PathOf(last), e.Message);
        Assert.Contains("missing", e.Message);
    }

    [Fact]
    public void A_cut_head_segment_is_caught_even_when_a_rotation_past_it_never_reached_the_head()
    {
        var journal = Filled(6);
        var last = journal.Segments.Last();
        var headPath = journal.Segments.PathOf(last);
        var head = journal.ReadHead()!;
        // A rotation that wrote its line and died before its head: the next segment holds a whole line.
        var next = JournalChain.Seal(Entry("rotated") with { Time = "2026-01-01T00:00:00.000Z" }, head.Seq + 1, head.Hash).Line;
        File.WriteAllText(journal.Segments.PathOf(last + 1), next + "\n");
        journal.EnsureIntact();

        var lines = Lines(headPath);
        File.WriteAllText(headPath, string.Concat(lines[..^1].Select(l => l + "\n")));

        var e = Assert.Throws<JournalWriteException>(journal.EnsureIntact);
        Assert.True(e.Damaged);
        Assert.Contains(headPath, e.Message);
        Assert.True(Assert.Throws<JournalWriteException>(() => journal.Append(Entry("after"))).Damaged);
    }

    [Fact]
    public void A_started_line_that_is_the_last_of_its_segment_is_found_from_the_next_one_also_by_a_new_process()
    {
        var journal = Journal;
        journal.Append(Entry("before", site: "blog"));
        while (new FileInfo(journal.Segments.PathOf(journal.Segments.Last())).Length + 500 <= TinySegment)
        {
            journal.Append(Entry("filler", site: "blog"));
        }

        var started = journal.Append(Entry("apply", site: "shop", outcome: JournalOutcome.Started, action: JournalAction.Apply));
        var segment = journal.Segments.Last();
        // A line too long for what is left of the segment starts the next one.
        journal.Append(Entry(new string('x', 600), site: "blog"));

        Assert.Equal(segment + 1, journal.Segments.Last());
        Assert.Contains("\"outcome\":\"started\"", Lines(journal.Segments.PathOf(segment))[^1]);
        Assert.Equal(started.Seq, journal.FindInterrupted("shop")?.Seq);
        Directory.Delete(journal.Index.Directory, recursive: true);
        Assert.Equal(started.Seq, Journal.FindInterrupted("shop")?.Seq); // the index rebuilt from the segments
        Assert.Null(Journal.FindInterrupted("blog"));
    }

    [Fact]
    public void A_version_1_head_which_names_no_segment_means_the_first_and_appends_go_on()
    {
        var journal = new JournalFile(Home.At(_home.Root), TimeProvider.System);
        journal.Append(Entry("one"));
        var head = journal.ReadHead()!;
        File.WriteAllText(journal.HeadPath, $"{{\"seq\":{head.Seq},\"hash\":\"{head.Hash}\",\"length\":{head.Length},\"version\":1}}\n");

        Assert.Equal(1, journal.ReadHead()!.Segment);
        Assert.Null(journal.Verify());
        Assert.Equal(2, journal.Append(Entry("two")).Seq);
        Assert.Equal((1, 2), (journal.ReadHead()!.Segment, journal.ReadHead()!.Version));
    }

    [Fact]
    public void An_append_that_fails_when_starting_a_segment_leaves_no_new_segment_and_the_head_unchanged()
    {
        var journal = Filled(3);
        while (new FileInfo(journal.Segments.PathOf(journal.Segments.Last())).Length + 400 <= TinySegment)
        {
            journal.Append(Entry("filler"));
        }

        var last = journal.Segments.Last();
        var head = File.ReadAllText(journal.HeadPath);
        File.Delete(journal.HeadPath);
        Directory.CreateDirectory(journal.HeadPath); // the head cannot be replaced
        try
        {
            Assert.Throws<JournalWriteException>(() => journal.Append(Entry("x")));
        }
        finally
        {
            Directory.Delete(journal.HeadPath);
        }

        Assert.Equal(last, journal.Segments.Last());
        Assert.False(File.Exists(journal.Segments.PathOf(last + 1)));
        File.WriteAllText(journal.HeadPath, head);
        Assert.Null(journal.Verify());
        journal.Append(Entry("y"));
        Assert.Null(journal.Verify());
    }

    [Fact]
    public void A_rotation_that_died_before_its_head_leaves_a_partial_new_segment_which_the_next_append_removes()
    {
        var journal = Filled(6);
        var last = journal.Segments.Last();
        var seq = journal.ReadHead()!.Seq;
        File.WriteAllText(journal.Segments.PathOf(last + 1), "{\"seq\":" + (seq + 1) + ",\"time\":\"2026-");

        journal.EnsureIntact();
        var next = journal.Append(Entry("after the crash"));

        Assert.Equal(seq + 1, next.Seq);
        Assert.Null(journal.Verify());
        Assert.Equal(Enumerable.Range(1, (int)seq + 1).Select(i => (long)i), journal.ReadAll().Select(e => e.Seq));
    }

    [Fact]
    public void Recovery_finds_a_started_command_whose_line_is_segments_before_the_end()
    {
        var journal = Journal;
        var started = journal.Append(Entry("apply", site: "shop", outcome: JournalOutcome.Started, action: JournalAction.Apply));
        for (var i = 0; i < 12; i++)
        {
            journal.Append(Entry($"other {i}", site: "blog"));
        }

        Assert.True(journal.Segments.Last() >= 3);
        var found = journal.FindInterrupted("shop");

        Assert.NotNull(found);
        Assert.Equal(started.Seq, found.Seq);
        journal.Append(Entry("closed", site: "shop", outcome: JournalOutcome.Interrupted, action: JournalAction.Apply) with { Ref = started.Seq });
        Assert.Null(journal.FindInterrupted("shop"));
    }

    [Fact]
    public void A_batch_of_appends_crosses_segments_like_single_appends_and_the_head_names_the_last()
    {
        var journal = Journal;
        journal.Append(Entry("first"));

        var batch = journal.Append(Enumerable.Range(1, 30).Select(i => Entry($"batch {i}")).ToList());

        Assert.Equal(Enumerable.Range(2, 30).Select(i => (long)i), batch.Select(e => e.Seq));
        Assert.True(journal.Segments.Last() >= 5);
        Assert.Null(journal.Verify());
        Assert.Equal((31L, journal.Segments.Last()), (journal.ReadHead()!.Seq, journal.ReadHead()!.Segment));
        Assert.Equal(batch[^1].Hash, journal.ReadHead()!.Hash);
    }
}
