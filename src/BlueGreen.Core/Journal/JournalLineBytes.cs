using System.Buffers.Text;
using System.Security.Cryptography;

namespace BlueGreen.Core.Journal;

/// <summary>
/// A journal line read as bytes, the way <see cref="JournalChain.Seal"/> lays it out:
/// <c>{"seq":N,…,"prev_hash":"…64 hex…","hash":"…64 hex…"}</c>. The writer controls the format, so seq,
/// site and the two hashes are found by byte search: verifying a million lines needs no strings and no JSON
/// parser. Anything that does not follow the layout is reported as a break, never guessed at.
/// </summary>
public static class JournalLineBytes
{
    public const int HashHexLength = 64;

    private static ReadOnlySpan<byte> SeqPrefix => "{\"seq\":"u8;

    private static ReadOnlySpan<byte> HashMember => ",\"hash\":\""u8;

    private static ReadOnlySpan<byte> PrevHashMember => ",\"prev_hash\":\""u8;

    private static ReadOnlySpan<byte> SiteMember => ",\"site\":\""u8;

    private static ReadOnlySpan<byte> Closing => "\"}"u8;

    /// <summary>The line's seq, or -1 when it does not start with one.</summary>
    public static long Seq(ReadOnlySpan<byte> line)
    {
        if (!line.StartsWith(SeqPrefix))
        {
            return -1;
        }

        var rest = line[SeqPrefix.Length..];
        return Utf8Parser.TryParse(rest, out long seq, out var used) && used > 0 && used < rest.Length && rest[used] == (byte)',' && seq >= 0 ? seq : -1;
    }

    /// <summary>
    /// The line's site, or empty when it has none. Site names are plain (letters, digits, '-'), and a '"'
    /// inside a JSON string is always escaped, so the first <c>,"site":"</c> is the member.
    /// </summary>
    public static ReadOnlySpan<byte> Site(ReadOnlySpan<byte> line)
    {
        var at = line.IndexOf(SiteMember);
        if (at < 0)
        {
            return [];
        }

        var value = line[(at + SiteMember.Length)..];
        var end = value.IndexOf((byte)'"');
        return end < 0 ? [] : value[..end];
    }

    /// <summary>The stored hash (64 hex bytes) of a line that ends with its hash member, or empty.</summary>
    public static ReadOnlySpan<byte> StoredHash(ReadOnlySpan<byte> line)
    {
        var at = HashAt(line);
        return at < 0 ? [] : line.Slice(at + HashMember.Length, HashHexLength);
    }

    /// <summary>
    /// Checks one line against the previous one: its hash recomputes over the bytes as written, its seq is
    /// <paramref name="expectedSeq"/> and its prev_hash is <paramref name="expectedPrevHash"/> (hex bytes).
    /// Null when it holds; the reason otherwise.
    /// </summary>
    public static string? Check(ReadOnlySpan<byte> line, long expectedSeq, ReadOnlySpan<byte> expectedPrevHash, ref byte[] scratch) =>
        CheckHash(line, ref scratch) ?? CheckLink(line, expectedSeq, expectedPrevHash);

    /// <summary>
    /// The line's own half of <see cref="Check"/>: its hash recomputes. It needs no other line, so lines can
    /// be hashed in parallel. <paramref name="scratch"/> is reused from line to line (it grows to the longest).
    /// </summary>
    public static string? CheckHash(ReadOnlySpan<byte> line, ref byte[] scratch)
    {
        var at = HashAt(line);
        if (at < 0)
        {
            return "no hash at the end of the line";
        }

        // The hash covers the line without its hash member: the bytes before it, then the closing '}',
        // copied together so that one one-shot hash call does it.
        if (scratch.Length < at + 1)
        {
            scratch = new byte[Math.Max(at + 1, scratch.Length * 2)];
        }

        line[..at].CopyTo(scratch);
        scratch[at] = (byte)'}';
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(scratch.AsSpan(0, at + 1), digest);
        Span<byte> actual = stackalloc byte[HashHexLength];
        Convert.TryToHexStringLower(digest, actual, out _);
        var claimed = line.Slice(at + HashMember.Length, HashHexLength);
        return claimed.SequenceEqual(actual) ? null : $"hash mismatch: the line was changed after it was written (stored {Short(claimed)}, computed {Short(actual)})";
    }

    /// <summary>The chain's half of <see cref="Check"/>, on a line whose hash holds: its seq and prev_hash follow the previous line.</summary>
    public static string? CheckLink(ReadOnlySpan<byte> line, long expectedSeq, ReadOnlySpan<byte> expectedPrevHash)
    {
        var at = HashAt(line);
        var seq = Seq(line);
        if (seq < 0)
        {
            return "not a journal line: it does not start with its seq";
        }

        var prevAt = at - PrevHashMember.Length - HashHexLength - 1;
        if (prevAt < 0 || !line[prevAt..].StartsWith(PrevHashMember) || line[at - 1] != (byte)'"')
        {
            return "not a journal line: no prev_hash before its hash";
        }

        if (seq != expectedSeq)
        {
            return $"seq {seq} where {expectedSeq} was expected (a line is missing or out of order)";
        }

        if (!line.Slice(prevAt + PrevHashMember.Length, HashHexLength).SequenceEqual(expectedPrevHash))
        {
            return "prev_hash does not match the previous line's hash (a line was removed or reordered)";
        }

        return null;
    }

    /// <summary>Where <c>,"hash":"</c> starts, when the line ends with it, 64 characters and <c>"}</c>; -1 otherwise.</summary>
    private static int HashAt(ReadOnlySpan<byte> line)
    {
        var at = line.Length - Closing.Length - HashHexLength - HashMember.Length;
        return at >= 0 && line[at..].StartsWith(HashMember) && line.EndsWith(Closing) ? at : -1;
    }

    private static string Short(ReadOnlySpan<byte> hash) => System.Text.Encoding.ASCII.GetString(hash[..12]) + "…";
}
