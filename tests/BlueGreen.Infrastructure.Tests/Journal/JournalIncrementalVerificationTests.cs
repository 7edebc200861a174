using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BlueGreen.Core.Journal;
using BlueGreen.Infrastructure.Journal;
using BlueGreen.Testing;

namespace BlueGreen.Infrastructure.Tests.Journal;

// Segments are sealed and unsealed through Unix file modes.
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class JournalIncrementalVerificationTests : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    private JournalFile Journal => new(Home.At(_home.Root), TimeProvider.System, 1024);

    private static JournalEntry Entry(int i) =>
        new() { Site = "shop", Action = "deploy", Outcome = JournalOutcome.Succeeded, Actor = "ops@host", Message = $"entry {i}" };

    private JournalFile Filled(int count)
    {
        var journal = Journal;
        for (var i = 1; i <= count; i++)
        {
            journal.Append(Entry(i));
        }

        return journal;
    }

    private static void FlipByteOfLine(string path, int lineIndex)
    {
        File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserWrite);
        var lines = File.ReadAllLines(path);
        var bytes = File.ReadAllBytes(path);
        var offset = Encoding.UTF8.GetByteCount(string.Concat(lines.Take(lineIndex).Select(l => l + "\n"))) + lines[lineIndex].IndexOf("entry", StringComparison.Ordinal);
        bytes[offset] ^= 0x01;
        File.WriteAllBytes(path, bytes);
    }

    [Fact]
    public void After_a_full_verification_the_next_check_reads_only_what_was_appended_and_agrees()
    {
        var journal = Filled(10);
        Assert.Null(journal.Verify());
        Assert.True(File.Exists(journal.CheckpointPath));

        for (var i = 11; i <= 25; i++)
        {
            journal.Append(Entry(i));
        }

        var check = journal.VerifyIncrementally();

        Assert.Equal(new JournalVerification(null, 25, FromCheckpoint: true), check);
        Assert.Equal(new JournalVerification(null, 25, FromCheckpoint: true), journal.VerifyIncrementally());
    }

    [Fact]
    public void A_line_changed_after_the_checkpoint_is_a_break()
    {
        var journal = Filled(6);
        Assert.Null(journal.Verify());
        for (var i = 7; i <= 9; i++)
        {
            journal.Append(Entry(i));
        }

        var last = journal.Segments.PathOf(journal.Segments.Last());
        FlipByteOfLine(last, File.ReadAllLines(last).Length - 1);

        var check = journal.VerifyIncrementally();

        Assert.NotNull(check.Break);
        Assert.Equal(last, check.Break.File);
        Assert.Contains("hash mismatch", check.Break.Reason);
    }

    [Fact]
    public void A_tampered_old_segment_sends_the_check_back_to_the_first_line_and_is_found()
    {
        var journal = Filled(15);
        Assert.Null(journal.Verify());
        Assert.True(journal.Segments.Last() >= 3);

        FlipByteOfLine(journal.Segments.PathOf(1), 1);
        var check = journal.VerifyIncrementally();

        Assert.False(check.FromCheckpoint);
        Assert.NotNull(check.Break);
        Assert.Equal(journal.Segments.PathOf(1), check.Break.File);
        Assert.Equal(2, check.Break.Line);
    }

    [Fact]
    public void A_checkpoint_beyond_the_end_of_the_file_is_not_trusted()
    {
        var journal = Filled(8);
        Assert.Null(journal.Verify());
        var checkpoint = JsonNode.Parse(File.ReadAllText(journal.CheckpointPath))!;
        checkpoint["offset"] = 1_000_000;
        File.WriteAllText(journal.CheckpointPath, checkpoint.ToJsonString());

        var check = journal.VerifyIncrementally();

        Assert.Equal(new JournalVerification(null, 8, FromCheckpoint: false), check);
    }

    [Fact]
    public void A_checkpoint_whose_line_is_no_longer_there_is_not_trusted_and_a_replaced_journal_is_found()
    {
        var journal = Filled(8);
        Assert.Null(journal.Verify());
        var checkpoint = JsonNode.Parse(File.ReadAllText(journal.CheckpointPath))!;
        checkpoint["hash"] = new string('a', 64);
        File.WriteAllText(journal.CheckpointPath, checkpoint.ToJsonString());
        Assert.False(journal.VerifyIncrementally().FromCheckpoint);

        // A shorter history under the same names: the head (and the checkpoint's line) no longer match.
        var last = journal.Segments.PathOf(journal.Segments.Last());
        File.SetUnixFileMode(last, File.GetUnixFileMode(last) | UnixFileMode.UserWrite);
        var lines = File.ReadAllLines(last);
        File.WriteAllLines(last, lines[..^1]);

        var check = journal.VerifyIncrementally();

        Assert.False(check.FromCheckpoint);
        Assert.NotNull(check.Break);
        Assert.Contains("says seq 8", check.Break.Reason);
    }

    [Fact]
    public void In_memory_the_checkpoint_stays_in_the_process()
    {
        Filled(5);
        var journal = new JournalFile(Home.At(_home.Root), TimeProvider.System, 1024) { DerivedInMemory = true };

        Assert.Equal(new JournalVerification(null, 5, FromCheckpoint: false), journal.VerifyIncrementally());
        journal.Append(Entry(6));
        Assert.Equal(new JournalVerification(null, 6, FromCheckpoint: true), journal.VerifyIncrementally());
        Assert.False(File.Exists(journal.CheckpointPath));
    }

    [Fact]
    public void In_a_block_of_lines_hashed_in_parallel_the_first_break_in_line_order_is_reported()
    {
        var journal = new JournalFile(Home.At(_home.Root), TimeProvider.System);
        journal.Append(Enumerable.Range(1, 5000).Select(Entry).ToList());
        Assert.Null(journal.Verify());
        var lines = File.ReadAllLines(_home.JournalFile);
        // A hash mismatch late in the block and a seq gap earlier: the earlier one is the break.
        lines[4000] = lines[4000].Replace("entry 4001", "entry 4OO1", StringComparison.Ordinal);
        lines = [.. lines[..1200], .. lines[1201..]];
        File.WriteAllLines(_home.JournalFile, lines);

        var broken = journal.Verify();

        Assert.NotNull(broken);
        Assert.Equal(1201, broken.Line);
        Assert.Contains("seq 1202 where 1201 was expected", broken.Reason);
    }
}
