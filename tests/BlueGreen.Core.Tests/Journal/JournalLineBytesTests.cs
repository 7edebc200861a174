using System.Text;
using BlueGreen.Core.Journal;
using BlueGreen.Core.State;

namespace BlueGreen.Core.Tests.Journal;

/// <summary>The byte-level reading agrees with the string-level chain (<see cref="JournalChain.Check"/>) on every case.</summary>
public sealed class JournalLineBytesTests
{
    private static (string Line, JournalEntry Sealed) Sealed(long seq, string prev, string? site = "shop", string message = "switched ✓ \"quoted\" ,\"site\":\"evil\"") =>
        JournalChain.Seal(
            new JournalEntry { Time = "2026-01-01T00:00:00.000Z", Site = site, Action = "apply", Outcome = JournalOutcome.Succeeded, Actor = "ops@host", To = new SlotVersion("b", "v2"), Message = message },
            seq,
            prev);

    private static string? ByBytes(string line, long expectedSeq, string prev)
    {
        var scratch = new byte[16];
        return JournalLineBytes.Check(Encoding.UTF8.GetBytes(line), expectedSeq, Encoding.ASCII.GetBytes(prev), ref scratch);
    }

    [Fact]
    public void Seq_site_and_stored_hash_are_read_from_the_bytes()
    {
        var (line, entry) = Sealed(4711, JournalChain.GenesisHash);
        var bytes = Encoding.UTF8.GetBytes(line);

        Assert.Equal(4711, JournalLineBytes.Seq(bytes));
        Assert.Equal("shop", Encoding.UTF8.GetString(JournalLineBytes.Site(bytes)));
        Assert.Equal(entry.Hash, Encoding.ASCII.GetString(JournalLineBytes.StoredHash(bytes)));
        Assert.True(JournalLineBytes.Site(Encoding.UTF8.GetBytes(Sealed(1, JournalChain.GenesisHash, site: null).Line)).IsEmpty);
    }

    public static TheoryData<string, string> Lines()
    {
        var (first, sealedFirst) = Sealed(1, JournalChain.GenesisHash);
        var (second, _) = Sealed(2, sealedFirst.Hash!);
        return new TheoryData<string, string>
        {
            { "intact", second },
            { "a changed byte", second.Replace("switched", "swItched", StringComparison.Ordinal) },
            { "no hash", second[..second.LastIndexOf(",\"hash\"", StringComparison.Ordinal)] + "}" },
            { "truncated", second[..^5] },
            { "wrong seq", Sealed(3, sealedFirst.Hash!).Line },
            { "wrong prev_hash", Sealed(2, JournalChain.GenesisHash).Line },
            { "not json at all", "garbage" },
            { "empty", "" },
            { "the first line again", first },
        };
    }

    [Theory]
    [MemberData(nameof(Lines))]
    public void Check_agrees_with_the_string_level_chain(string why, string line)
    {
        var (_, sealedFirst) = Sealed(1, JournalChain.GenesisHash);

        var expected = JournalChain.Check(line, 2, sealedFirst.Hash!).Error;
        var actual = ByBytes(line, 2, sealedFirst.Hash!);

        Assert.True((expected is null) == (actual is null), $"{why}: string says '{expected}', bytes say '{actual}'");
        if (expected is not null && !expected.StartsWith("not valid JSON", StringComparison.Ordinal))
        {
            Assert.Equal(expected, actual);
        }
    }
}
