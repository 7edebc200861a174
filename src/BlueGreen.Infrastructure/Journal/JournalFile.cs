using System.Text;
using System.Text.Json;
using BlueGreen.Core;
using BlueGreen.Core.Journal;

namespace BlueGreen.Infrastructure.Journal;

/// <summary>The journal could not be written: the action it was to record must not happen.</summary>
public sealed class JournalWriteException(string path, string reason, Exception? inner = null)
    : Exception($"{path}: cannot write the journal ({reason})", inner);

/// <summary>
/// var/journal/journal.jsonl: append-only, hash-chained (see <see cref="JournalChain"/>). Appends
/// from concurrent processes are serialised by an flock on journal.lock; each line is flushed to
/// disk before Append returns.
/// </summary>
public sealed class JournalFile(Home home, TimeProvider clock)
{
    private string LockPath => home.JournalFile + ".lock";

    public string Path => home.JournalFile;

    public JournalEntry Append(JournalEntry entry)
    {
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            using var exclusive = TakeAppendLock();
            using var stream = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
            var (lastSeq, lastHash) = ReadTail(stream);
            var stamped = entry with { Time = clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ") };
            var (line, sealedEntry) = JournalChain.Seal(stamped, lastSeq + 1, lastHash);

            // One write() of the whole line: a concurrent reader never sees half a line.
            stream.Seek(0, SeekOrigin.End);
            stream.Write(Encoding.UTF8.GetBytes(line + "\n"));
            stream.Flush(flushToDisk: true);
            return sealedEntry;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new JournalWriteException(Path, e.Message, e);
        }
    }

    /// <summary>Every line as written, for verification.</summary>
    public IEnumerable<string> ReadLines() => File.Exists(Path) ? File.ReadLines(Path) : [];

    /// <summary>Every entry that parses, in order. Verification is <see cref="Verify"/>'s job.</summary>
    public IReadOnlyList<JournalEntry> ReadAll()
    {
        var entries = new List<JournalEntry>();
        foreach (var line in ReadLines())
        {
            try
            {
                if (JsonSerializer.Deserialize<JournalEntry>(line, Json.Options) is { } entry)
                {
                    entries.Add(entry);
                }
            }
            catch (JsonException)
            {
                // A damaged line is skipped here; `journal verify` names it.
            }
        }

        return entries;
    }

    public ChainBreak? Verify() => JournalChain.Verify(ReadLines());

    private FileStream TakeAppendLock()
    {
        var deadline = clock.GetUtcNow() + TimeSpan.FromSeconds(10);
        while (true)
        {
            try
            {
                return new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (clock.GetUtcNow() < deadline)
            {
                Thread.Sleep(Random.Shared.Next(1, 5));
            }
        }
    }

    /// <summary>The seq and hash of the last line, read from the end of the file.</summary>
    private (long Seq, string Hash) ReadTail(FileStream stream)
    {
        if (stream.Length == 0)
        {
            return (0, JournalChain.GenesisHash);
        }

        var chunk = (int)Math.Min(stream.Length, 64 * 1024);
        var buffer = new byte[chunk];
        stream.Seek(-chunk, SeekOrigin.End);
        stream.ReadExactly(buffer);
        if (buffer[^1] != (byte)'\n')
        {
            throw new JournalWriteException(Path, "its last line is incomplete; run ./run.sh journal verify and repair it before any other action");
        }

        // A file of a single "\n" has no byte before its newline: LastIndexOf would be out of range.
        var start = buffer.Length < 2 ? 0 : Array.LastIndexOf(buffer, (byte)'\n', buffer.Length - 2) + 1;
        if (start == 0 && chunk < stream.Length)
        {
            throw new JournalWriteException(Path, "its last line is longer than 64 KiB");
        }

        var last = Encoding.UTF8.GetString(buffer, start, buffer.Length - 1 - start);
        try
        {
            var entry = JsonSerializer.Deserialize<JournalEntry>(last, Json.Options);
            if (entry?.Hash is not { Length: 64 } hash)
            {
                throw new JournalWriteException(Path, "its last line has no hash");
            }

            return (entry.Seq, hash);
        }
        catch (JsonException e)
        {
            throw new JournalWriteException(Path, $"its last line is not valid JSON ({e.Message})");
        }
    }
}
