using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace BlueGreen.Core.Journal;

/// <summary>
/// A broken link of the chain: the line number (1-based, within <paramref name="File"/>, the segment file
/// that holds it, when known) and what is wrong there.
/// </summary>
public sealed record ChainBreak(long Line, string Reason, string? File = null);

/// <summary>
/// The journal's hash chain. A line is the entry's JSON without `hash`, with `"hash":"…"` appended
/// as the last member; the hash is SHA-256 over the line's bytes without that member. Verifying works
/// on the bytes as written, so changing any one byte of a line breaks the chain there.
/// </summary>
public static class JournalChain
{
    public static readonly string GenesisHash = new('0', 64);

    private const string HashMember = ",\"hash\":\"";

    /// <summary>Seals an entry after the previous one: returns the line to append (no newline) and the entry as sealed.</summary>
    public static (string Line, JournalEntry Sealed) Seal(JournalEntry entry, long seq, string prevHash)
    {
        var unsealed = entry with { Seq = seq, PrevHash = prevHash, Hash = null };
        var body = Json.Serialize(unsealed, Json.Options);
        var hash = HashOf(body);
        return (body[..^1] + HashMember + hash + "\"}", unsealed with { Hash = hash });
    }

    /// <summary>Checks one line against the previous line's seq and hash. Returns the parsed entry or why it is broken.</summary>
    public static (JournalEntry? Entry, string? Error) Check(string line, long expectedSeq, string expectedPrevHash)
    {
        var at = line.LastIndexOf(HashMember, StringComparison.Ordinal);
        if (at < 0 || !line.EndsWith("\"}", StringComparison.Ordinal) || line.Length - at - HashMember.Length - 2 != 64)
        {
            return (null, "no hash at the end of the line");
        }

        var claimed = line[(at + HashMember.Length)..^2];
        var actual = HashOf(line[..at] + "}");
        if (!string.Equals(claimed, actual, StringComparison.Ordinal))
        {
            return (null, $"hash mismatch: the line was changed after it was written (stored {Short(claimed)}, computed {Short(actual)})");
        }

        JournalEntry? entry;
        try
        {
            entry = Json.Deserialize<JournalEntry>(line);
        }
        catch (JsonException e)
        {
            return (null, $"not valid JSON: {e.Message}");
        }

        if (entry is null)
        {
            return (null, "empty entry");
        }

        if (entry.Seq != expectedSeq)
        {
            return (entry, $"seq {entry.Seq} where {expectedSeq} was expected (a line is missing or out of order)");
        }

        if (!string.Equals(entry.PrevHash, expectedPrevHash, StringComparison.Ordinal))
        {
            return (entry, "prev_hash does not match the previous line's hash (a line was removed or reordered)");
        }

        return (entry, null);
    }

    /// <summary>Verifies a whole journal, line by line. Null when the chain holds.</summary>
    public static ChainBreak? Verify(IEnumerable<string> lines)
    {
        long lineNumber = 0;
        var prevHash = GenesisHash;
        foreach (var line in lines)
        {
            lineNumber++;
            var (entry, error) = Check(line, lineNumber, prevHash);
            if (error is not null)
            {
                return new ChainBreak(lineNumber, error);
            }

            prevHash = entry!.Hash!;
        }

        return null;
    }

    public static string HashOf(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] + "…" : hash;
}
