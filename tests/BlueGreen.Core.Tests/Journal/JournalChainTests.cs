using System.Text;
using BlueGreen.Core.Journal;
using BlueGreen.Core.State;

namespace BlueGreen.Core.Tests.Journal;

public sealed class JournalChainTests
{
    private static List<string> Chain(int count)
    {
        var lines = new List<string>();
        var prev = JournalChain.GenesisHash;
        for (var seq = 1; seq <= count; seq++)
        {
            var entry = new JournalEntry
            {
                Time = $"2025-01-01T00:00:{seq:00}.000Z",
                Site = "shop",
                Action = seq % 2 == 0 ? "apply" : "deploy",
                Outcome = JournalOutcome.Succeeded,
                Actor = "ops@host",
                From = new SlotVersion("a", "v1"),
                To = new SlotVersion("b", $"v{seq}"),
                Message = $"entry {seq}: éàü ✓",
            };
            var (line, sealedEntry) = JournalChain.Seal(entry, seq, prev);
            lines.Add(line);
            prev = sealedEntry.Hash!;
        }

        return lines;
    }

    [Fact]
    public void A_sealed_chain_verifies()
    {
        Assert.Null(JournalChain.Verify(Chain(5)));
        Assert.Null(JournalChain.Verify([]));
    }

    [Fact]
    public void A_sealed_line_carries_seq_prev_hash_and_hash_as_its_last_member()
    {
        var entry = new JournalEntry { Action = "deploy", Outcome = JournalOutcome.Started, Time = "t" };

        var (line, sealedEntry) = JournalChain.Seal(entry, 7, new string('a', 64));

        Assert.Equal(7, sealedEntry.Seq);
        Assert.Equal(new string('a', 64), sealedEntry.PrevHash);
        Assert.Matches("^[0-9a-f]{64}$", sealedEntry.Hash);
        Assert.EndsWith($",\"hash\":\"{sealedEntry.Hash}\"}}", line);
        Assert.Contains("\"seq\":7", line);
        Assert.Contains("\"prev_hash\":\"", line);
        Assert.DoesNotContain('\n', line);
        var (parsed, error) = JournalChain.Check(line, 7, new string('a', 64));
        Assert.Null(error);
        Assert.Equal(sealedEntry, parsed);
    }

    [Fact]
    public void Changing_any_one_byte_of_any_line_is_detected_on_that_line()
    {
        var lines = Chain(3);
        for (var lineIndex = 0; lineIndex < lines.Count; lineIndex++)
        {
            var bytes = Encoding.UTF8.GetBytes(lines[lineIndex]);
            for (var i = 0; i < bytes.Length; i++)
            {
                var changed = (byte[])bytes.Clone();
                changed[i] = changed[i] == (byte)'x' ? (byte)'y' : (byte)'x';
                var tampered = lines.ToList();
                tampered[lineIndex] = Encoding.UTF8.GetString(changed);

                var broken = JournalChain.Verify(tampered);

                Assert.True(broken is not null, $"byte {i} of line {lineIndex + 1} changed and not detected");
                Assert.Equal(lineIndex + 1, broken.Line);
            }
        }
    }

    [Fact]
    public void A_removed_line_is_detected_where_it_was()
    {
        var lines = Chain(4);
        lines.RemoveAt(1);

        var broken = JournalChain.Verify(lines);

        Assert.NotNull(broken);
        Assert.Equal(2, broken.Line);
        Assert.Contains("seq 3 where 2 was expected", broken.Reason);
    }

    [Fact]
    public void A_removed_last_line_leaves_a_valid_chain_of_the_rest()
    {
        var lines = Chain(4);
        lines.RemoveAt(3);

        Assert.Null(JournalChain.Verify(lines));
    }

    [Fact]
    public void A_removed_first_line_is_detected_on_line_one()
    {
        var lines = Chain(3);
        lines.RemoveAt(0);

        Assert.Equal(1, JournalChain.Verify(lines)?.Line);
    }

    [Fact]
    public void Two_swapped_lines_are_detected_on_the_first_of_them()
    {
        var lines = Chain(4);
        (lines[1], lines[2]) = (lines[2], lines[1]);

        var broken = JournalChain.Verify(lines);

        Assert.Equal(2, broken?.Line);
    }

    [Fact]
    public void A_gap_in_seq_is_detected_even_when_the_hashes_chain()
    {
        var first = JournalChain.Seal(new JournalEntry { Action = "deploy", Outcome = "started" }, 1, JournalChain.GenesisHash);
        var third = JournalChain.Seal(new JournalEntry { Action = "deploy", Outcome = "succeeded" }, 3, first.Sealed.Hash!);

        var broken = JournalChain.Verify([first.Line, third.Line]);

        Assert.NotNull(broken);
        Assert.Equal(2, broken.Line);
        Assert.Contains("seq 3 where 2 was expected", broken.Reason);
    }

    [Fact]
    public void A_line_that_chains_to_the_wrong_hash_is_detected()
    {
        var first = JournalChain.Seal(new JournalEntry { Action = "deploy", Outcome = "started" }, 1, JournalChain.GenesisHash);
        var second = JournalChain.Seal(new JournalEntry { Action = "deploy", Outcome = "succeeded" }, 2, new string('f', 64));

        var broken = JournalChain.Verify([first.Line, second.Line]);

        Assert.Equal(2, broken?.Line);
        Assert.Contains("prev_hash does not match", broken!.Reason);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"seq\":1}")]
    public void A_line_without_a_hash_is_detected(string line)
    {
        var broken = JournalChain.Verify([line]);

        Assert.Equal(1, broken?.Line);
        Assert.Equal("no hash at the end of the line", broken!.Reason);
    }

    [Fact]
    public void A_whole_line_rewritten_with_a_recomputed_hash_breaks_the_next_link()
    {
        var lines = Chain(3);
        var forged = JournalChain.Seal(new JournalEntry { Action = "apply", Outcome = "succeeded", Message = "forged" }, 2, JournalChain.Check(lines[0], 1, JournalChain.GenesisHash).Entry!.Hash!);
        lines[1] = forged.Line;

        Assert.Equal(3, JournalChain.Verify(lines)?.Line);
    }
}
