using System.Text;
using System.Text.Json;
using BlueGreen.Core;
using BlueGreen.Core.Configuration;
using BlueGreen.Core.Journal;
using BlueGreen.Core.Recovery;
using BlueGreen.Infrastructure.Files;
using BlueGreen.Infrastructure.Locking;

namespace BlueGreen.Infrastructure.Journal;

/// <summary>The journal could not be written (or must not be, being damaged): the action it was to record must not happen.</summary>
/// <see cref="Damaged"/>: the journal does not reach its head or is not a regular file; every mutating command refuses.
public sealed class JournalWriteException(string path, string reason, Exception? inner = null, bool damaged = false)
    : Exception($"{path}: cannot write the journal ({reason})", inner)
{
    public bool Damaged { get; } = damaged;

    /// <summary>The file or etcd key it is about.</summary>
    public string Where { get; } = path;
}

/// <summary>
/// var/journal/journal.jsonl and its later segments (see <see cref="JournalSegments"/>): append-only,
/// hash-chained (see <see cref="JournalChain"/>) across segments, anchored by its head in
/// var/state/journal-head.json (docs/journal.md). Appends from concurrent processes are serialised by an
/// flock on journal.jsonl.lock (<see cref="Flock"/>). An append is all or nothing: the line is flushed to disk, then the head; if
/// either fails the segment is cut back to where it was (a new segment is removed), so no partial line is
/// ever left behind.
/// </summary>
public sealed class JournalFile(Home home, TimeProvider clock, long segmentBytes = JournalFile.DefaultSegmentBytes)
{
    public const long DefaultSegmentBytes = 64L * 1024 * 1024;

    private const int TailChunk = 64 * 1024;

    /// <summary>The journal as global.conf sizes its segments (JOURNAL_SEGMENT_MB).</summary>
    public JournalFile(Home home, GlobalConfig global, TimeProvider clock)
        : this(home, clock, global.JournalSegmentMb * 1024L * 1024)
    {
    }

    /// <summary>How long an append waits for another process's append (each takes milliseconds).</summary>
    private static readonly TimeSpan AppendLockWait = TimeSpan.FromSeconds(30);

    private string LockPath => home.JournalFile + ".lock";

    /// <summary>The first segment; the journal's name in messages.</summary>
    public string Path => home.JournalFile;

    public string HeadPath => home.JournalHeadFile;

    public string CheckpointPath => home.JournalCheckpointFile;

    public JournalSegments Segments { get; } = new(home.JournalFile);

    /// <summary>
    /// Keeps what is derived from the journal (its index, the verified checkpoint) in this process instead of
    /// writing it beside the journal: for the cockpit, whose reads must write nothing.
    /// </summary>
    public bool DerivedInMemory { get; init; }

    /// <summary>Where each site's lines are (see <see cref="JournalIndex"/>).</summary>
    public JournalIndex Index => LazyInitializer.EnsureInitialized(ref _index, () => new JournalIndex(this, DerivedInMemory));

    /// <summary>The last checkpoint this process verified, when <see cref="DerivedInMemory"/>.</summary>
    internal JournalCheckpoint? MemoryCheckpoint { get; set; }

    private JournalIndex? _index;

    public JournalEntry Append(JournalEntry entry) => Append([entry])[0];

    /// <summary>
    /// Appends entries in order under one lock. Each run of lines that fits in one segment is written with a
    /// single write() (a concurrent reader never sees half a line), flushed to disk, then the head: that run
    /// is all or nothing. A single entry is one run; a long batch (the journal benchmark's) may span several.
    /// </summary>
    public IReadOnlyList<JournalEntry> Append(IReadOnlyList<JournalEntry> entries)
    {
        var time = clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ");
        return AppendLines(entries.Count, (i, lastSeq, lastHash) => JournalChain.Seal(entries[i] with { Time = time }, lastSeq + 1, lastHash));
    }

    /// <summary>
    /// Appends lines sealed elsewhere, byte for byte (ROUTING_STORE=etcd: this file mirrors the journal in etcd).
    /// Lines this file already reaches (a concurrent command on this host mirrored them) are skipped; every other
    /// must follow this file's last line (seq and prev_hash), or nothing is written.
    /// </summary>
    public IReadOnlyList<JournalEntry> AppendSealed(IReadOnlyList<(long Seq, string Line)> lines) =>
        AppendLines(lines.Count, (i, lastSeq, lastHash) =>
        {
            if (lines[i].Seq <= lastSeq)
            {
                return null;
            }

            var (entry, error) = JournalChain.Check(lines[i].Line, lastSeq + 1, lastHash);
            return error is null ? (lines[i].Line, entry!) : throw new JournalWriteException(Path, $"the line to mirror does not follow this journal's last line ({error})", damaged: true);
        });

    /// <summary>The last line's seq and hash as the head and the file agree on them (0 and the genesis hash when empty).</summary>
    public (long Seq, string Hash) Tail()
    {
        var head = ReadHead();
        return head is null ? (0, JournalChain.GenesisHash) : (head.Seq, head.Hash);
    }

    /// <param name="seal">The line for item i after (seq, hash); null skips the item.</param>
    private IReadOnlyList<JournalEntry> AppendLines(int count, Func<int, long, string, (string Line, JournalEntry Sealed)?> seal)
    {
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            EnsureRegularFile();
            using var exclusive = TakeAppendLock();
            var head = ReadHead();
            var (stream, segment) = OpenTail(head);
            var fresh = false;
            try
            {
                var (lastSeq, lastHash) = CheckTailAgainstHead(stream, segment, head);
                var sealedEntries = new List<JournalEntry>(count);
                var run = new MemoryStream();
                JournalEntry? runLast = null;
                for (var i = 0; i < count; i++)
                {
                    if (seal(i, lastSeq, lastHash) is not var (line, sealedEntry))
                    {
                        continue;
                    }

                    var bytes = Encoding.UTF8.GetBytes(line + "\n");
                    if (stream.Length + run.Length > 0 && stream.Length + run.Length + bytes.Length > segmentBytes)
                    {
                        // Past the segment size: what is pending closes this segment, the line starts the next.
                        WriteRun(stream, segment, run, runLast, fresh);
                        stream.Dispose();
                        segment++;
                        stream = new FileStream(Segments.PathOf(segment), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 1);
                        fresh = true;
                    }

                    run.Write(bytes);
                    runLast = sealedEntry;
                    sealedEntries.Add(sealedEntry);
                    (lastSeq, lastHash) = (sealedEntry.Seq, sealedEntry.Hash!);
                }

                WriteRun(stream, segment, run, runLast, fresh);
                return sealedEntries;
            }
            finally
            {
                stream.Dispose();
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new JournalWriteException(Path, e.Message, e);
        }
    }

    /// <summary>
    /// Writes the pending lines at the end of the segment, flushes them, then the head. On failure the segment
    /// is cut back (a segment this append started is removed). A segment started here seals its predecessor.
    /// </summary>
    private void WriteRun(FileStream stream, int segment, MemoryStream run, JournalEntry? last, bool fresh)
    {
        if (run.Length == 0 || last is null)
        {
            return;
        }

        var before = stream.Length;
        try
        {
            stream.Seek(0, SeekOrigin.End);
            stream.Write(run.GetBuffer(), 0, (int)run.Length);
            stream.Flush(flushToDisk: true);
            WriteHead(new JournalHead(last.Seq, last.Hash!, stream.Length, segment));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            CutBack(stream, before);
            if (fresh && before == 0)
            {
                File.Delete(Segments.PathOf(segment));
            }

            throw;
        }

        run.SetLength(0);
        if (fresh && before == 0)
        {
            JournalSegments.MakeReadOnly(Segments.PathOf(segment - 1));
        }
    }

    /// <summary>
    /// The segment an append continues: the head's, or the next one when a rotation wrote its first line but
    /// died before its head (a segment it left empty or with a partial line is removed: never acknowledged).
    /// </summary>
    private (FileStream Stream, int Segment) OpenTail(JournalHead? head)
    {
        var headSegment = head?.Segment ?? 1;
        var last = CheckSegmentsAgainstHead(head);
        if (last == headSegment + 1)
        {
            var newer = Open(Segments.PathOf(last));
            CutInterruptedAppend(newer, 0);
            if (newer.Length > 0)
            {
                return (newer, last);
            }

            newer.Dispose();
            File.Delete(Segments.PathOf(last));
        }

        if (headSegment > 1)
        {
            // A rotation that died before sealing its predecessor: seal it now.
            JournalSegments.MakeReadOnly(Segments.PathOf(headSegment - 1));
        }

        var stream = Open(Segments.PathOf(headSegment));
        CutInterruptedAppend(stream, head?.Length ?? 0);
        return (stream, headSegment);

        // Unbuffered: a write the disk refuses leaves nothing pending that would stop the cut-back.
        static FileStream Open(string path) => new(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 1);
    }

    /// <summary>
    /// The last segment's number, once the segments agree with the head: the head's segment exists (so a
    /// deleted last segment is damage, not a shorter journal) and at most one segment follows it (a rotation
    /// that died before its head). Throws the damage otherwise.
    /// </summary>
    private int CheckSegmentsAgainstHead(JournalHead? head)
    {
        var headSegment = head?.Segment ?? 1;
        var last = Segments.Last();
        if (headSegment > last || (headSegment > 1 && !File.Exists(Segments.PathOf(headSegment))))
        {
            throw new JournalWriteException(Path, $"its segment {Segments.PathOf(headSegment)} is missing but its head ({HeadPath}) says it holds seq {head!.Seq}; run ./run.sh journal verify", damaged: true);
        }

        if (last > headSegment + 1)
        {
            throw new JournalWriteException(Path, $"segment {Segments.PathOf(last)} is past its head's segment ({Segments.PathOf(headSegment)}): the journal was changed; run ./run.sh journal verify", damaged: true);
        }

        return last;
    }

    /// <summary>
    /// Cheap check (the end of the last segment and the head, not the whole chain) that a command may write:
    /// throws the damage an append would refuse, before the command does anything.
    /// </summary>
    public void EnsureIntact()
    {
        try
        {
            EnsureRegularFile();
            if (!File.Exists(Path) && Segments.Last() == 1)
            {
                return; // no journal yet (a missing one whose head says it held lines failed just above)
            }

            // Under the append lock: an append in progress must not look like damage.
            using var exclusive = TakeAppendLock();
            var head = ReadHead();
            var last = CheckSegmentsAgainstHead(head);
            var headSegment = head?.Segment ?? 1;
            var path = Segments.PathOf(last);
            if (!File.Exists(path))
            {
                return;
            }

            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            if (stream.Length > 0)
            {
                stream.Seek(-1, SeekOrigin.End);
                if (stream.ReadByte() != '\n' && (last > headSegment || stream.Length > (head?.Length ?? 0)))
                {
                    return; // an interrupted append past the head: the next append cuts it
                }
            }
            else if (last > headSegment)
            {
                return; // a rotation that died before its first line: the next append removes it
            }

            CheckTailAgainstHead(stream, last, head);
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
            var head = Json.Deserialize<JournalHead>(File.ReadAllText(HeadPath));
            // A head from a newer release (after going back to an older one) may describe a layout this
            // release cannot follow: refuse rather than append to a chain it would misread.
            if (head is { Version: > JournalHead.FormatVersion })
            {
                throw new JournalWriteException(Path, $"its head {HeadPath} was written by a newer release (journal format {head.Version}; this release reads formats up to {JournalHead.FormatVersion}): run that release", damaged: true);
            }

            return head;
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

    /// <summary>Every line as written, segment after segment.</summary>
    public IEnumerable<string> ReadLines()
    {
        var last = Segments.Last();
        for (var n = 1; n <= last; n++)
        {
            var path = Segments.PathOf(n);
            if (!File.Exists(path))
            {
                continue;
            }

            foreach (var line in File.ReadLines(path))
            {
                yield return line;
            }
        }
    }

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
    /// The entries that parse, newest first, read backwards from the end of the last segment into the
    /// earlier ones: taking the newest N costs N lines, whatever the journal's size.
    /// </summary>
    public IEnumerable<JournalEntry> Newest()
    {
        foreach (var (_, _, line) in NewestLines())
        {
            if (TryParse(line) is { } entry)
            {
                yield return entry;
            }
        }
    }

    /// <summary>The raw lines, newest first, with their segment and offset.</summary>
    internal IEnumerable<(int Segment, long Start, byte[] Line)> NewestLines()
    {
        for (var n = Segments.Last(); n >= 1; n--)
        {
            foreach (var (start, line) in ReverseLines.Of(Segments.PathOf(n)))
            {
                yield return (n, start, line);
            }
        }
    }

    /// <summary>The entry whose line starts at <paramref name="start"/> in segment <paramref name="segment"/>, or null.</summary>
    /// <param name="handles">The segments already open for a run of look-ups, or null to open the segment for this one line.</param>
    internal JournalEntry? ReadAt(int segment, long start, SegmentHandles? handles = null) =>
        (handles is null ? ForwardLines.At(Segments.PathOf(segment), start) : handles.LineAt(segment, start)) is { } line ? TryParse(line) : null;

    /// <summary>
    /// The chain holds line by line across all segments, each segment is a regular file, and the journal
    /// reaches the head recorded outside it: trailing lines deleted, an emptied or replaced file are breaks
    /// too. Null when all holds. Reads everything; a success leaves a checkpoint for <see cref="VerifyIncrementally"/>.
    /// </summary>
    public ChainBreak? Verify() => new JournalVerifier(this).Verify(incremental: false).Break;

    /// <summary>
    /// The same verdict as <see cref="Verify"/>, checking only what was appended since the last verified
    /// checkpoint (var/state/journal-verified.json) when that checkpoint still matches the journal.
    /// </summary>
    public JournalVerification VerifyIncrementally() => new JournalVerifier(this).Verify(incremental: true);

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

        if (new JournalVerifier(this).ChainOnly() is { } broken)
        {
            return broken;
        }

        using var exclusive = TakeAppendLock();
        var last = Segments.Last();
        using var stream = new FileStream(Segments.PathOf(last), FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite);
        var (seq, hash) = stream.Length == 0 ? (0, JournalChain.GenesisHash) : ReadLastLine(stream);
        WriteHead(new JournalHead(seq, hash, stream.Length, last));
        return null;
    }

    /// <summary>
    /// The site's last command whose `started` line no outcome closed, read backwards from the end of the
    /// journal across segments (commands on one site are serialised by its lock, so the newest of its lines
    /// decides). The site's index finds its lines without reading the others.
    /// </summary>
    public InterruptedCommand? FindInterrupted(string site) => FindInterrupted(Index.Newest(site));

    /// <summary>
    /// <see cref="FindInterrupted(string)"/> for many sites in a row (status over 10,000 sites): whether the index
    /// is up to date is checked once, when this is called, instead of once per site.
    /// </summary>
    public InterruptedLookup InterruptedFinder() => new(this, Index.CatchUpForMany());

    /// <summary><see cref="FindInterrupted(string)"/> for a run of sites: the index checked once, the segments opened once.</summary>
    public sealed class InterruptedLookup : IDisposable
    {
        private readonly JournalFile _journal;
        private readonly JournalIndex.CaughtUp _caughtUp;
        private readonly SegmentHandles _segments;

        internal InterruptedLookup(JournalFile journal, JournalIndex.CaughtUp caughtUp)
        {
            _journal = journal;
            _caughtUp = caughtUp;
            _segments = new SegmentHandles(journal.Segments);
        }

        public InterruptedCommand? Find(string site) => FindInterrupted(_journal.Index.Newest(site, _caughtUp, _segments));

        public void Dispose() => _segments.Dispose();
    }

    private static InterruptedCommand? FindInterrupted(IEnumerable<JournalEntry> newest)
    {
        foreach (var entry in newest)
        {
            if (!JournalAction.IsOperation(entry.Action))
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

    internal static JournalEntry? TryParse(ReadOnlySpan<byte> line)
    {
        try
        {
            return JsonSerializer.Deserialize(line, Json.Info<JournalEntry>(Json.Options));
        }
        catch (JsonException)
        {
            // A damaged line is skipped here; `journal verify` names it.
            return null;
        }
    }

    internal static JournalEntry? TryParse(string line)
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
    internal string? RegularFileProblem() => RegularFileProblem(Path);

    internal string? RegularFileProblem(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is { } target)
        {
            return $"{path} is a symbolic link (to {target}), not a regular file";
        }

        if (Directory.Exists(path))
        {
            return $"{path} is a folder, not a regular file";
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

        // Later segments are the verifier's to check: only the first one's absence is visible from here.
        return info.FullName == System.IO.Path.GetFullPath(Path) && File.Exists(HeadPath) && ReadHeadQuietly() is { Seq: > 0 } head
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
    private void CutInterruptedAppend(FileStream stream, long headLength)
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
        if (end >= headLength)
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

    /// <summary>
    /// The last line's seq and hash (of segment <paramref name="segment"/>, the last), checked against the
    /// head: a segment shorter than its head lost lines.
    /// </summary>
    private (long Seq, string Hash) CheckTailAgainstHead(FileStream stream, int segment, JournalHead? head)
    {
        if (head is null)
        {
            if (stream.Length > 0)
            {
                throw new JournalWriteException(Path, $"it has no head anchor ({HeadPath} is missing); check it with ./run.sh journal verify, then anchor it with ./run.sh journal verify --anchor", damaged: true);
            }

            return (0, JournalChain.GenesisHash);
        }

        // The head's segment is the last one, or the one before a rotation that died before its head.
        var headSegmentLength = segment == head.Segment ? stream.Length : new FileInfo(Segments.PathOf(head.Segment)).Length;
        if (headSegmentLength < head.Length)
        {
            throw new JournalWriteException(Path, $"{Segments.PathOf(head.Segment)} is shorter ({headSegmentLength} bytes) than its head says ({head.Length} bytes, seq {head.Seq}): lines were removed or the file was replaced; run ./run.sh journal verify", damaged: true);
        }

        if (stream.Length == 0 && segment == 1)
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
        if (stream.Length == 0)
        {
            throw new JournalWriteException(Path, $"{stream.Name} is empty but its head says it holds lines; run ./run.sh journal verify", damaged: true);
        }

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

    /// <summary>The append lock (journal.jsonl.lock): exclusive, waited for up to <see cref="AppendLockWait"/>, then an IOException.</summary>
    private Flock TakeAppendLock() => Flock.Take(LockPath, FlockMode.Exclusive, AppendLockWait);
}
