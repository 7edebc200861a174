using System.Text;
using BlueGreen.Core.Journal;
using BlueGreen.Core.State;
using BlueGreen.Infrastructure.Journal;
using BlueGreen.Testing;

namespace BlueGreen.Infrastructure.Tests.Journal;

public sealed class JournalFileTests : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    private JournalFile Journal => new(Home.At(_home.Root), TimeProvider.System);

    private static JournalEntry Entry(string message, string site = "shop") =>
        new() { Site = site, Action = "deploy", Outcome = JournalOutcome.Succeeded, Actor = "ops@host", Message = message, To = new SlotVersion("a", "v1") };

    private static void AssertWholeChain(JournalFile journal, int expectedCount)
    {
        Assert.Null(journal.Verify());
        var entries = journal.ReadAll();
        Assert.Equal(Enumerable.Range(1, expectedCount).Select(i => (long)i), entries.Select(e => e.Seq));
        Assert.Equal(expectedCount, entries.Select(e => e.Message).Distinct().Count());
    }

    [Fact]
    public void A_new_home_without_a_journal_folder_is_intact_and_the_check_creates_nothing()
    {
        var journal = Journal;
        var folder = Path.GetDirectoryName(journal.Path)!;
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        journal.EnsureIntact();

        Assert.False(Directory.Exists(folder));
        Assert.Null(journal.Verify());
    }

    [Fact]
    public void Appended_entries_get_consecutive_seq_a_utc_time_and_a_valid_chain()
    {
        var journal = Journal;

        var first = journal.Append(Entry("one"));
        var second = journal.Append(Entry("two"));

        Assert.Equal(1, first.Seq);
        Assert.Equal(JournalChain.GenesisHash, first.PrevHash);
        Assert.Equal(2, second.Seq);
        Assert.Equal(first.Hash, second.PrevHash);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", first.Time);
        Assert.Equal([first, second], journal.ReadAll());
        Assert.Null(journal.Verify());
        Assert.EndsWith("\n", File.ReadAllText(_home.JournalFile));
    }

    [Fact]
    public void A_journal_that_does_not_exist_is_empty_and_verifies()
    {
        Assert.Empty(Journal.ReadAll());
        Assert.Null(Journal.Verify());
    }

    [Fact]
    public void Appends_from_many_threads_keep_seq_without_gaps_and_the_chain_valid()
    {
        var journal = Journal;

        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, writer =>
        {
            for (var i = 0; i < 50; i++)
            {
                journal.Append(Entry($"writer {writer} entry {i}"));
            }
        });

        AssertWholeChain(journal, 400);
    }

    [Fact]
    public async Task Appends_from_eight_processes_keep_seq_without_gaps_and_the_chain_valid()
    {
        var processes = Enumerable.Range(0, 8).Select(i => HelperProgram.Start("journal", _home.Root, "50", $"p{i}")).ToList();
        try
        {
            foreach (var process in processes)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                await process.WaitForExitAsync(timeout.Token);
                Assert.True(process.ExitCode == 0, await process.StandardError.ReadToEndAsync());
            }
        }
        finally
        {
            foreach (var process in processes)
            {
                if (!process.HasExited)
                {
                    process.Kill();
                }

                process.Dispose();
            }
        }

        AssertWholeChain(Journal, 400);
        Assert.Equal(8, Journal.ReadAll().Select(e => e.Site).Distinct().Count());
    }

    [Fact]
    public void Verify_names_the_line_of_a_flipped_byte()
    {
        var journal = Journal;
        for (var i = 1; i <= 5; i++)
        {
            journal.Append(Entry($"entry {i}"));
        }

        var lines = File.ReadAllLines(_home.JournalFile);
        var bytes = File.ReadAllBytes(_home.JournalFile);
        var offset = Encoding.UTF8.GetByteCount(string.Concat(lines.Take(2).Select(l => l + "\n"))) + lines[2].IndexOf("entry 3", StringComparison.Ordinal);
        bytes[offset] ^= 0x01;
        File.WriteAllBytes(_home.JournalFile, bytes);

        var broken = journal.Verify();

        Assert.NotNull(broken);
        Assert.Equal(3, broken.Line);
        Assert.Contains("hash mismatch", broken.Reason);
    }

    [Fact]
    public void A_cut_acknowledged_line_makes_append_refuse_and_leaves_the_file_as_it_is()
    {
        var journal = Journal;
        journal.Append(Entry("one"));
        journal.Append(Entry("two"));
        var whole = File.ReadAllText(_home.JournalFile);
        File.WriteAllText(_home.JournalFile, whole[..^20]);
        var before = File.ReadAllBytes(_home.JournalFile);

        var e = Assert.Throws<JournalWriteException>(() => journal.Append(Entry("three")));

        Assert.Contains(_home.JournalFile, e.Message);
        Assert.Contains("shorter", e.Message);
        Assert.True(e.Damaged);
        Assert.Equal(before, File.ReadAllBytes(_home.JournalFile));
    }

    [Fact]
    public void A_head_from_a_newer_release_is_refused_by_appends_and_verify_and_left_as_it_is()
    {
        var journal = Journal;
        journal.Append(Entry("one"));
        var headPath = _home.Path_("var", "state", "journal-head.json");
        var newer = System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(headPath), "\"version\": *[0-9]+", $"\"version\": {JournalHead.FormatVersion + 1}");
        Assert.NotEqual(File.ReadAllText(headPath), newer);
        File.WriteAllText(headPath, newer);
        var before = File.ReadAllBytes(_home.JournalFile);

        var e = Assert.Throws<JournalWriteException>(() => journal.Append(Entry("two")));

        Assert.Contains(headPath, e.Message);
        Assert.Contains("newer release", e.Message);
        Assert.Contains("newer release", journal.Verify()!.Reason);
        Assert.Equal(before, File.ReadAllBytes(_home.JournalFile));
        Assert.Equal(newer, File.ReadAllText(headPath));
    }

    [Fact]
    public void A_head_of_format_1_without_segment_or_version_is_read_as_segment_1()
    {
        var journal = Journal;
        journal.Append(Entry("one"));
        var headPath = _home.Path_("var", "state", "journal-head.json");
        var head = journal.ReadHead()!;
        File.WriteAllText(headPath, $"{{\"seq\": {head.Seq}, \"hash\": \"{head.Hash}\", \"length\": {head.Length}}}\n");

        Assert.Equal(1, journal.ReadHead()!.Segment);
        Assert.Null(journal.Verify());
        journal.Append(Entry("two"));
        Assert.Equal(JournalHead.FormatVersion, journal.ReadHead()!.Version);
    }

    [Fact]
    public void A_partial_line_past_the_head_is_an_interrupted_append_and_is_cut_by_the_next_append()
    {
        var journal = Journal;
        journal.Append(Entry("one"));
        var acknowledged = File.ReadAllBytes(_home.JournalFile);
        File.AppendAllText(_home.JournalFile, "{\"seq\":2,\"time\":\"2026-");

        var third = journal.Append(Entry("two"));

        Assert.Equal(2, third.Seq);
        Assert.Equal(acknowledged, File.ReadAllBytes(_home.JournalFile)[..acknowledged.Length]);
        AssertWholeChain(journal, 2);
    }

    [Fact]
    public void Deleting_trailing_lines_emptying_or_replacing_the_journal_breaks_verify_and_refuses_appends()
    {
        var journal = Journal;
        journal.Append(Entry("one"));
        journal.Append(Entry("two"));
        journal.Append(Entry("three"));
        var lines = File.ReadAllLines(_home.JournalFile);

        File.WriteAllLines(_home.JournalFile, lines[..2]);
        Assert.Contains("says seq 3", journal.Verify()!.Reason);
        Assert.True(Assert.Throws<JournalWriteException>(() => journal.Append(Entry("x"))).Damaged);

        File.WriteAllText(_home.JournalFile, "");
        Assert.Equal(1, journal.Verify()!.Line);
        Assert.True(Assert.Throws<JournalWriteException>(() => journal.Append(Entry("x"))).Damaged);

        File.Delete(_home.JournalFile);
        Assert.Contains("missing", journal.Verify()!.Reason);
        Assert.True(Assert.Throws<JournalWriteException>(() => journal.Append(Entry("x"))).Damaged);

        File.CreateSymbolicLink(_home.JournalFile, "/dev/null");
        Assert.Contains("symbolic link", journal.Verify()!.Reason);
        Assert.True(Assert.Throws<JournalWriteException>(() => journal.Append(Entry("x"))).Damaged);
        File.Delete(_home.JournalFile);

        // Another journal of the same length but a different history: the head's hash catches it.
        var other = new TempHome();
        try
        {
            var forged = new JournalFile(Home.At(other.Root), TimeProvider.System);
            forged.Append(Entry("one"));
            forged.Append(Entry("two"));
            forged.Append(Entry("three", site: "shoq"));
            File.Copy(other.JournalFile, _home.JournalFile);
            Assert.Contains("not the one its head", journal.Verify()!.Reason);
        }
        finally
        {
            other.Dispose();
        }

        File.WriteAllLines(_home.JournalFile, lines);
        Assert.Null(journal.Verify());
    }

    [Fact]
    public void An_append_that_fails_leaves_no_partial_line_and_the_head_unchanged()
    {
        var journal = Journal;
        journal.Append(Entry("one"));
        var before = File.ReadAllBytes(_home.JournalFile);
        var head = File.ReadAllText(_home.Path_("var", "state", "journal-head.json"));
        // The head cannot be replaced: the line that was written must be cut back.
        File.Delete(_home.Path_("var", "state", "journal-head.json"));
        Directory.CreateDirectory(_home.Path_("var", "state", "journal-head.json"));
        try
        {
            Assert.Throws<JournalWriteException>(() => journal.Append(Entry("two")));
        }
        finally
        {
            Directory.Delete(_home.Path_("var", "state", "journal-head.json"));
        }

        Assert.Equal(before, File.ReadAllBytes(_home.JournalFile));
        File.WriteAllText(_home.Path_("var", "state", "journal-head.json"), head);
        Assert.Equal(2, journal.Append(Entry("two")).Seq);
        AssertWholeChain(journal, 2);
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\n\n")]
    [InlineData("garbage\n")]
    [InlineData("{\"seq\":1}\n")]
    public void A_last_line_that_is_not_a_sealed_entry_makes_append_refuse(string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_home.JournalFile)!);
        File.WriteAllText(_home.JournalFile, content);

        var e = Assert.Throws<JournalWriteException>(() => Journal.Append(Entry("x")));

        Assert.Contains(_home.JournalFile, e.Message);
        Assert.Equal(content, File.ReadAllText(_home.JournalFile));
    }

    [Fact]
    public void An_unwritable_journal_is_a_journal_write_exception()
    {
        Directory.CreateDirectory(_home.JournalFile);

        var e = Assert.Throws<JournalWriteException>(() => Journal.Append(Entry("x")));

        Assert.Contains("cannot write the journal", e.Message);
    }
}
