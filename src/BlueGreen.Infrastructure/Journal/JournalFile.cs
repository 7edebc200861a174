using System.Text;
using System.Text.Json;
using BlueGreen.Core;
using BlueGreen.Core.Journal;
using BlueGreen.Core.Recovery;
using BlueGreen.Infrastructure.Files;

namespace BlueGreen.Infrastructure.Journal;

/// <summary>The journal could not be written (or must not be, being damaged): the action it was to record must not happen.</summary>
/// <see cref="Damaged"/>: the journal does not reach its head or is not a regular file; every mutating command refuses.
public sealed class JournalWriteException(string path, string reason, Exception? inner = null, bool damaged = false)
    : Exception($"{path}: cannot write the journal ({reason})", inner)
{
    public bool Damaged { get; } = damaged;
}

/// <summary>
/// var/journal/journal.jsonl: append-only, hash-chained (see <see cref="JournalChain"/>), anchored by its
/// head in var/state/journal-head.json (docs/journal.md). Appends from concurrent processes are serialised
/// by a lock on journal.jsonl.lock. An append is all or nothing: the line is flushed to disk, then the
/// head; if either fails the file is cut back to where it was, so no partial line is ever left behind.
/// </summary>
public sealed class JournalFile(Home home, TimeProvider clock)
{
    private const int TailChunk = 64 * 1024;

    private string LockPath => home.JournalFile + ".lock";

    public string Path => home.JournalFile;

    public string HeadPath => home.JournalHeadFile;

    public JournalEntry Append(JournalEntry entry)
    {
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            EnsureRegularFile();
            using var exclusive = TakeAppendLock();
            // Unbuffered: a write the disk refuses leaves nothing pending that would stop the cut-back below.
            using var stream = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 1);
            var head = ReadHead();
            CutInterruptedAppend(stream, head);
            var (lastSeq, lastHash) = CheckTailAgainstHead(stream, head);
            var stamped = entry with { Time = clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ") };
            var (line, sealedEntry) = JournalChain.Seal(stamped, lastSeq + 1, lastHash);

            var before = stream.Length;
            try
            {
                // One write() of the whole line: a concurrent reader never sees half a line.
                stream.Seek(0, SeekOrigin.End);
                stream.Write(Encoding.UTF8.GetBytes(line + "\n"));
                stream.Flush(flushToDisk: true);
                WriteHead(new JournalHead(sealedEntry.Seq, sealedEntry.Hash!, stream.Length));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                CutBack(stream, before);
                throw;
            }

            return sealedEntry;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new JournalWriteException(Path, e.Message, e);
        }
    }

    /// <summary>
    /// Cheap check (the end of the file and the head, not the whole chain) that a command may write: throws the
    /// damage an append would refuse, before the command does anything.
    /// </summary>
    public void EnsureIntact()
    {
        try
        {
            EnsureRegularFile();
            if (!File.Exists(Path))
            {
                return;
            }

            // Under the append lock: an append in progress must not look like damage.
            using var exclusive = TakeAppendLock();
            var head = ReadHead();
            using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            if (stream.Length > 0)
            {
                stream.Seek(-1, SeekOrigin.End);
                if (stream.ReadByte() != '\n' && stream.Length > (head?.Length ?? 0))
                {
                    return; // an interrupted append past the head: the next append cuts it
                }
            }

            CheckTailAgainstHead(stream, head);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new JournalWriteException(Path, e.Message, e);
        }
    }

    /// <summary>The head as last recorded, or null when there is none (a new home).</summary>
    public JournalHead? ReadHead()
    {
        try
        {
            return Json.Deserialize<JournalHead>(File.ReadAllText(HeadPath));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (JsonException e)
        {
            throw new JournalWriteException(Path, $"its head {HeadPath} is unreadable: {e.Message}", e, damaged: true);
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
            if (TryParse(line) is { } entry)
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    /// <summary>
    /// The chain holds line by line, the file is a regular file, and it reaches the head recorded outside it:
    /// trailing lines deleted, an emptied or replaced file are breaks too. Null when all holds.
    /// </summary>
    public ChainBreak? Verify()
    {
        if (RegularFileProblem() is { } problem)
        {
            return new ChainBreak(1, problem);
        }

        JournalHead? head;
        try
        {
            head = ReadHead();
        }
        catch (JournalWriteException e)
        {
            return new ChainBreak(1, e.Message);
        }

        long lines = 0;
        var prevHash = JournalChain.GenesisHash;
        string? hashAtHead = null;
        foreach (var line in ReadLines())
        {
            lines++;
            var (entry, error) = JournalChain.Check(line, lines, prevHash);
            if (error is not null)
            {
                return new ChainBreak(lines, error);
            }

            prevHash = entry!.Hash!;
            if (head is not null && entry.Seq == head.Seq)
            {
                hashAtHead = entry.Hash;
            }
        }

        if (head is null)
        {
            return lines == 0 ? null : new ChainBreak(lines + 1, $"no head anchor ({HeadPath} is missing): the journal's end cannot be checked; if this home predates anchors, run ./run.sh journal verify --anchor");
        }

        if (lines < head.Seq)
        {
            return new ChainBreak(lines + 1, $"the journal ends at seq {lines} but its head ({HeadPath}) says seq {head.Seq}: lines were removed or the file was replaced");
        }

        if (head.Seq == 0)
        {
            hashAtHead = JournalChain.GenesisHash;
        }

        return hashAtHead == head.Hash ? null : new ChainBreak(head.Seq, $"the line at seq {head.Seq} is not the one its head ({HeadPath}) recorded: the file was replaced");
    }

    /// <summary>
    /// Anchors a journal that has no head yet (a home from before anchors), after checking its chain.
    /// Returns the break instead when the chain does not hold.
    /// </summary>
    public ChainBreak? Anchor()
    {
        if (RegularFileProblem() is { } problem)
        {
            return new ChainBreak(1, problem);
        }

        if (ReadHead() is not null)
        {
            return Verify();
        }

        if (JournalChain.Verify(ReadLines()) is { } broken)
        {
            return broken;
        }

        using var exclusive = TakeAppendLock();
        using var stream = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite);
        var (seq, hash) = stream.Length == 0 ? (0, JournalChain.GenesisHash) : ReadLastLine(stream);
        WriteHead(new JournalHead(seq, hash, stream.Length));
        return null;
    }

    /// <summary>
    /// The site's last command whose `started` line no outcome closed, read backwards from the end of the
    /// file (commands on one site are serialised by its lock, so the newest of its lines decides).
    /// </summary>
    public InterruptedCommand? FindInterrupted(string site)
    {
        if (!File.Exists(Path))
        {
            return null;
        }

        var marker = $"\"site\":\"{site}\"";
        foreach (var line in ReverseLines.Of(Path))
        {
            if (!line.Contains(marker, StringComparison.Ordinal) || TryParse(line) is not { } entry || entry.Site != site || !JournalAction.IsOperation(entry.Action))
            {
                continue;
            }

            if (JournalOutcome.Closes(entry.Outcome))
            {
                return null;
            }

            if (entry.Outcome == JournalOutcome.Started)
            {
                var at = DateTimeOffset.TryParse(entry.Time, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t) ? t : DateTimeOffset.MinValue;
                return new InterruptedCommand(entry.Seq, entry.Action, at, entry.Actor, entry.Via, entry.From, entry.To);
            }
        }

        return null;
    }

    private static JournalEntry? TryParse(string line)
    {
        try
        {
            return Json.Deserialize<JournalEntry>(line);
        }
        catch (JsonException)
        {
            // A damaged line is skipped here; `journal verify` names it.
            return null;
        }
    }

    /// <summary>A symlink (to /dev/null, say) or a folder in the journal's place would swallow or hide lines.</summary>
    private string? RegularFileProblem()
    {
        var info = new FileInfo(Path);
        if (info.LinkTarget is { } target)
        {
            return $"{Path} is a symbolic link (to {target}), not a regular file";
        }

        if (Directory.Exists(Path))
        {
            return $"{Path} is a folder, not a regular file";
        }

        if (MissingFileProblem(info) is { } missing)
        {
            return missing;
        }

        return null;
    }

    private string? MissingFileProblem(FileInfo info)
    {
        if (info.Exists)
        {
            return null;
        }

        return File.Exists(HeadPath) && ReadHeadQuietly() is { Seq: > 0 } head
            ? $"{Path} is missing but its head ({HeadPath}) says it held {head.Seq} entries"
            : null;
    }

    private JournalHead? ReadHeadQuietly()
    {
        try
        {
            return ReadHead();
        }
        catch (JournalWriteException)
        {
            return null;
        }
    }

    private void EnsureRegularFile()
    {
        if (RegularFileProblem() is { } problem)
        {
            throw new JournalWriteException(Path, $"{problem}; run ./run.sh journal verify", damaged: true);
        }
    }

    private void WriteHead(JournalHead head) => AtomicFile.Write(HeadPath, Json.Serialize(head, Json.Options) + "\n");

    /// <summary>
    /// A line with no newline at the end, past the head, is an append that died mid-write (it was never
    /// acknowledged): cut it, so that it blocks nothing. A partial line the head covers is damage, not this.
    /// </summary>
    private void CutInterruptedAppend(FileStream stream, JournalHead? head)
    {
        if (stream.Length == 0)
        {
            return;
        }

        stream.Seek(-1, SeekOrigin.End);
        if (stream.ReadByte() == '\n')
        {
            return;
        }

        var end = LastNewlineEnd(stream);
        if (end >= (head?.Length ?? 0))
        {
            CutBack(stream, end);
        }
    }

    /// <summary>The offset just after the last '\n' (0 when there is none).</summary>
    private static long LastNewlineEnd(FileStream stream)
    {
        var buffer = new byte[TailChunk];
        var position = stream.Length;
        while (position > 0)
        {
            var size = (int)Math.Min(TailChunk, position);
            position -= size;
            stream.Seek(position, SeekOrigin.Begin);
            stream.ReadExactly(buffer, 0, size);
            var at = Array.LastIndexOf(buffer, (byte)'\n', size - 1, size);
            if (at >= 0)
            {
                return position + at + 1;
            }
        }

        return 0;
    }

    private static void CutBack(FileStream stream, long length)
    {
        try
        {
            stream.SetLength(length);
            stream.Flush(flushToDisk: true);
        }
        catch (IOException)
        {
            // Shrinking a file needs no new blocks; if even that fails, the head still marks the good end.
        }
    }

    /// <summary>The last line's seq and hash, checked against the head: a journal shorter than its head lost lines.</summary>
    private (long Seq, string Hash) CheckTailAgainstHead(FileStream stream, JournalHead? head)
    {
        if (head is null)
        {
            if (stream.Length > 0)
            {
                throw new JournalWriteException(Path, $"it has no head anchor ({HeadPath} is missing); check it with ./run.sh journal verify, then anchor it with ./run.sh journal verify --anchor", damaged: true);
            }

            return (0, JournalChain.GenesisHash);
        }

        if (stream.Length < head.Length)
        {
            throw new JournalWriteException(Path, $"it is shorter ({stream.Length} bytes) than its head says ({head.Length} bytes, seq {head.Seq}): lines were removed or the file was replaced; run ./run.sh journal verify", damaged: true);
        }

        if (stream.Length == 0)
        {
            return (0, JournalChain.GenesisHash);
        }

        var (seq, hash) = ReadLastLine(stream);
        if (seq < head.Seq || (seq == head.Seq && hash != head.Hash))
        {
            throw new JournalWriteException(Path, $"its last line (seq {seq}) does not reach its head (seq {head.Seq}): the file was changed; run ./run.sh journal verify", damaged: true);
        }

        return (seq, hash);
    }

    /// <summary>The seq and hash of the last line, read from the end of the file.</summary>
    private (long Seq, string Hash) ReadLastLine(FileStream stream)
    {
        var chunk = (int)Math.Min(stream.Length, TailChunk);
        var buffer = new byte[chunk];
        stream.Seek(-chunk, SeekOrigin.End);
        stream.ReadExactly(buffer);
        if (buffer[^1] != (byte)'\n')
        {
            throw new JournalWriteException(Path, "its last line is incomplete; run ./run.sh journal verify", damaged: true);
        }

        // A file of a single "\n" has no byte before its newline: LastIndexOf would be out of range.
        var start = buffer.Length < 2 ? 0 : Array.LastIndexOf(buffer, (byte)'\n', buffer.Length - 2) + 1;
        if (start == 0 && chunk < stream.Length)
        {
            throw new JournalWriteException(Path, "its last line is longer than 64 KiB", damaged: true);
        }

        var last = Encoding.UTF8.GetString(buffer, start, buffer.Length - 1 - start);
        try
        {
            var entry = Json.Deserialize<JournalEntry>(last);
            if (entry?.Hash is not { Length: 64 } hash)
            {
                throw new JournalWriteException(Path, "its last line has no hash", damaged: true);
            }

            return (entry.Seq, hash);
        }
        catch (JsonException e)
        {
            throw new JournalWriteException(Path, $"its last line is not valid JSON ({e.Message})", damaged: true);
        }
    }

    private FileStream TakeAppendLock()
    {
        var deadline = clock.GetUtcNow() + TimeSpan.FromSeconds(30);
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
}
