using System.Text;
using System.Text.Json;
using BlueGreen.Core;
using BlueGreen.Core.Journal;
using BlueGreen.Infrastructure.Files;

namespace BlueGreen.Infrastructure.Journal;

/// <summary>A verdict on the journal: the first break (null when it holds) and how many entries hold.</summary>
/// <param name="FromCheckpoint">True when only what follows the last verified checkpoint was read.</param>
public sealed record JournalVerification(ChainBreak? Break, long Entries, bool FromCheckpoint);

/// <summary>
/// Where a verification last ended with the chain intact (var/state/journal-verified.json): the segment,
/// the offset just after the line with <see cref="Seq"/> and <see cref="Hash"/>, and that line's number in
/// its segment. <see cref="Sealed"/> records each earlier segment's size and modification time: a sealed
/// segment that changed since sends the next check back to the first line.
/// </summary>
internal sealed record JournalCheckpoint(int Segment, long Offset, long Line, long Seq, string Hash, IReadOnlyList<SealedSegment> Sealed)
{
    public const int FormatVersion = 1;

    public int Version { get; init; } = FormatVersion;
}

internal sealed record SealedSegment(int Segment, long Length, long ModifiedTicks)
{
    public static SealedSegment Of(int segment, string path)
    {
        var info = new FileInfo(path);
        return new SealedSegment(segment, info.Exists ? info.Length : -1, info.Exists ? info.LastWriteTimeUtc.Ticks : 0);
    }
}

/// <summary>
/// Verifies the chain across all segments by streaming bytes: each line's SHA-256 is computed over the bytes
/// as written, and only seq and prev_hash are read from it (<see cref="JournalLineBytes"/>). The checkpoint
/// is a shortcut, never an authority: it is used only when the line it names is still where it says, with
/// the same seq and hash, and the sealed segments before it are unchanged; otherwise verification starts over.
/// </summary>
internal sealed class JournalVerifier(JournalFile journal)
{
    private JournalSegments Segments => journal.Segments;

    /// <summary>The chain alone (no head), for anchoring a journal that has none.</summary>
    public ChainBreak? ChainOnly() => Run(incremental: false, checkHead: false).Break;

    public JournalVerification Verify(bool incremental) => Run(incremental, checkHead: true);

    private JournalVerification Run(bool incremental, bool checkHead)
    {
        var last = Segments.Last();
        for (var n = 1; n <= last; n++)
        {
            if (journal.RegularFileProblem(Segments.PathOf(n)) is { } problem)
            {
                return new JournalVerification(new ChainBreak(1, problem, Segments.PathOf(n)), 0, false);
            }
        }

        JournalHead? head = null;
        if (checkHead)
        {
            try
            {
                head = journal.ReadHead();
            }
            catch (JournalWriteException e)
            {
                return new JournalVerification(new ChainBreak(1, e.Message), 0, false);
            }
        }

        var resume = incremental && head is not null ? Resume(head, last) : null;
        var scan = new Scan(head, resume);
        var lastSegment = Math.Max(last, head?.Segment ?? 1);
        for (var n = resume?.Segment ?? 1; n <= lastSegment; n++)
        {
            var path = Segments.PathOf(n);
            if (!File.Exists(path))
            {
                if (n == 1)
                {
                    continue; // no journal yet (a missing first segment with a head was reported above)
                }

                return scan.Verdict(new ChainBreak(1, $"segment {path} is missing: the chain continues past it, or its head ({journal.HeadPath}) names it", path));
            }

            if (n < last)
            {
                scan.Sealed.Add(SealedSegment.Of(n, path));
            }

            if (scan.Read(n, path, n == resume?.Segment ? resume.Offset : 0) is { } broken)
            {
                return scan.Verdict(broken);
            }
        }

        var end = Segments.PathOf(scan.Segment);
        if (head is null)
        {
            return scan.Verdict(!checkHead || scan.Seq == 0 ? null : new ChainBreak(scan.Line + 1, $"no head anchor ({journal.HeadPath} is missing): the journal's end cannot be checked; if this home predates anchors, run ./run.sh journal verify --anchor", end));
        }

        if (scan.Seq < head.Seq)
        {
            return scan.Verdict(new ChainBreak(scan.Line + 1, $"the journal ends at seq {scan.Seq} but its head ({journal.HeadPath}) says seq {head.Seq}: lines were removed or the file was replaced", end));
        }

        if (!scan.HeadMatches)
        {
            return scan.Verdict(new ChainBreak(scan.HeadLine ?? head.Seq, $"the line at seq {head.Seq} is not the one its head ({journal.HeadPath}) recorded: the file was replaced", scan.HeadFile ?? Segments.PathOf(head.Segment)));
        }

        if (scan.Complete)
        {
            SaveCheckpoint(new JournalCheckpoint(scan.Segment, scan.Offset, scan.Line, scan.Seq, Encoding.ASCII.GetString(scan.Prev), scan.Sealed));
        }

        return scan.Verdict(null);
    }

    /// <summary>The checkpoint to resume from, when it still describes this journal; null to start over.</summary>
    private JournalCheckpoint? Resume(JournalHead head, int last)
    {
        JournalCheckpoint? checkpoint = journal.MemoryCheckpoint;
        try
        {
            checkpoint ??= Json.Deserialize<JournalCheckpoint>(File.ReadAllText(journal.CheckpointPath));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }

        if (checkpoint is not { Version: JournalCheckpoint.FormatVersion, Seq: > 0 } || checkpoint.Segment > last || checkpoint.Sealed is null
            || head.Seq < checkpoint.Seq || (head.Seq == checkpoint.Seq && (head.Hash != checkpoint.Hash || head.Segment != checkpoint.Segment))
            || checkpoint.Sealed.Count != checkpoint.Segment - 1
            || checkpoint.Sealed.Any(s => SealedSegment.Of(s.Segment, Segments.PathOf(s.Segment)) != s))
        {
            return null;
        }

        try
        {
            var line = ForwardLines.EndingAt(Segments.PathOf(checkpoint.Segment), checkpoint.Offset);
            return line is not null && JournalLineBytes.Seq(line) == checkpoint.Seq
                && JournalLineBytes.StoredHash(line).SequenceEqual(Encoding.ASCII.GetBytes(checkpoint.Hash)) ? checkpoint : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private void SaveCheckpoint(JournalCheckpoint checkpoint)
    {
        if (journal.DerivedInMemory)
        {
            journal.MemoryCheckpoint = checkpoint;
            return;
        }

        try
        {
            AtomicFile.Write(journal.CheckpointPath, Json.Serialize(checkpoint, Json.Options) + "\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only home (the cockpit's user, say): the next check starts over, nothing else changes.
        }
    }

    /// <summary>The state of one pass along the chain.</summary>
    private sealed class Scan
    {
        private readonly JournalHead? _head;
        private readonly byte[]? _headHash;
        private const int BlockSize = 4 * 1024 * 1024;

        public Scan(JournalHead? head, JournalCheckpoint? resume)
        {
            _head = head;
            _headHash = head is null ? null : Encoding.ASCII.GetBytes(head.Hash);
            Prev = Encoding.ASCII.GetBytes(resume?.Hash ?? JournalChain.GenesisHash);
            Seq = resume?.Seq ?? 0;
            Segment = resume?.Segment ?? 1;
            Offset = resume?.Offset ?? 0;
            Line = resume?.Line ?? 0;
            Sealed = [.. resume?.Sealed ?? []];
            FromCheckpoint = resume is not null;
            // An anchored empty journal (seq 0) is matched before any line: its head names the genesis.
            HeadMatches = head is not null && (resume is not null
                ? head.Seq == resume.Seq
                : head.Seq == 0 && head.Hash == JournalChain.GenesisHash);
        }

        public byte[] Prev { get; }

        public long Seq { get; private set; }

        public int Segment { get; private set; }

        public long Offset { get; private set; }

        public long Line { get; private set; }

        public List<SealedSegment> Sealed { get; }

        public bool FromCheckpoint { get; }

        public bool HeadMatches { get; private set; }

        public long? HeadLine { get; private set; }

        public string? HeadFile { get; private set; }

        /// <summary>False when the last line had no newline: no checkpoint can be taken after it.</summary>
        public bool Complete { get; private set; } = true;

        /// <summary>
        /// Reads the segment from <paramref name="from"/> in large blocks. The lines of a block are hashed in
        /// parallel (a line's hash needs no other line); then, in order, each line's seq and prev_hash are
        /// checked against the line before. The first break in line order is the one reported.
        /// </summary>
        public ChainBreak? Read(int segment, string path, long from)
        {
            var line = Segment == segment ? Line : 0;
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var buffer = new byte[BlockSize];
            var filled = 0;
            var bufferStart = from;
            var starts = new List<int>();
            var lengths = new List<int>();
            Segment = segment;
            Offset = from;
            Line = line;
            Complete = true;
            while (true)
            {
                var read = RandomAccess.Read(handle, buffer.AsSpan(filled), bufferStart + filled);
                var endOfFile = read == 0;
                filled += read;
                starts.Clear();
                lengths.Clear();
                var consumed = 0;
                int newline;
                while ((newline = buffer.AsSpan(consumed, filled - consumed).IndexOf((byte)'\n')) >= 0)
                {
                    starts.Add(consumed);
                    lengths.Add(newline);
                    consumed += newline + 1;
                }

                var partial = endOfFile && consumed < filled;
                if (partial)
                {
                    starts.Add(consumed); // a last line without its newline is checked like any other
                    lengths.Add(filled - consumed);
                }

                var errors = HashAll(buffer, starts, lengths);
                for (var i = 0; i < starts.Count; i++)
                {
                    var bytes = buffer.AsSpan(starts[i], lengths[i]);
                    line++;
                    if ((errors[i] ?? JournalLineBytes.CheckLink(bytes, Seq + 1, Prev)) is { } error)
                    {
                        return new ChainBreak(line, error, path);
                    }

                    Seq++;
                    JournalLineBytes.StoredHash(bytes).CopyTo(Prev);
                    if (_head is not null && Seq == _head.Seq)
                    {
                        HeadLine = line;
                        HeadFile = path;
                        HeadMatches = segment == _head.Segment && JournalLineBytes.StoredHash(bytes).SequenceEqual(_headHash);
                    }
                }

                if (endOfFile)
                {
                    Complete = !partial;
                    if (!partial)
                    {
                        Offset = bufferStart + consumed;
                        Line = line;
                    }

                    return null;
                }

                Offset = bufferStart + consumed;
                Line = line;
                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
                bufferStart += consumed;
                if (filled == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2); // a line longer than a block
                }
            }
        }

        /// <summary>Each line's hash check (null when it holds), spread over the processors.</summary>
        private static string?[] HashAll(byte[] buffer, List<int> starts, List<int> lengths)
        {
            var errors = new string?[starts.Count];
            var parts = starts.Count < 2048 ? 1 : Environment.ProcessorCount;
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, part =>
            {
                var scratch = new byte[1024];
                var from = (int)((long)starts.Count * part / parts);
                var to = (int)((long)starts.Count * (part + 1) / parts);
                for (var i = from; i < to; i++)
                {
                    errors[i] = JournalLineBytes.CheckHash(buffer.AsSpan(starts[i], lengths[i]), ref scratch);
                }
            });
            return errors;
        }

        public JournalVerification Verdict(ChainBreak? broken)
        {
            return new JournalVerification(broken, Seq, FromCheckpoint);
        }
    }
}
