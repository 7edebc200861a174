using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using BlueGreen.Core;
using BlueGreen.Core.Input;
using BlueGreen.Core.Journal;
using BlueGreen.Infrastructure.Files;
using BlueGreen.Infrastructure.Locking;

namespace BlueGreen.Infrastructure.Journal;

/// <summary>
/// var/journal/index/: for each site, where its lines are (SITE.idx, fixed records of seq, segment and
/// offset, oldest first), and indexed.json, how far the journal has been indexed. Readers bring the index up
/// to date from the journal before using it (only the lines appended since), rebuild it when it no longer
/// fits the journal, and check every line they read through it: its seq and site must be the record's. An
/// index that lies is rebuilt; the journal is the only authority. In memory (<paramref name="inMemory"/>,
/// the cockpit, whose reads write nothing) the same index lives in the process instead of on disk.
/// </summary>
public sealed class JournalIndex(JournalFile journal, bool inMemory = false)
{
    private const int RecordSize = 20;

    private readonly MemoryStore? _memory = inMemory ? new MemoryStore() : null;

    /// <summary>The last segment's number and length when this process last brought the index up to date.</summary>
    private string? _indexedEnd;

    /// <summary>Records held in memory before they are written out, while indexing.</summary>
    private const int FlushEvery = 200_000;

    public string Directory => Path.Combine(journal.Segments.Directory, "index");

    private string StatePath => Path.Combine(Directory, "indexed.json");

    private string LockPath => Path.Combine(Directory, ".lock");

    public string PathOf(string site) => Path.Combine(Directory, site + ".idx");

    /// <summary>
    /// The site's entries, newest first, read through its index; each is checked against the record that
    /// led to it. Falls back to reading the journal backwards when the index cannot be written or lies twice.
    /// </summary>
    public IEnumerable<JournalEntry> Newest(string site) => Newest(site, CaughtUp.NotChecked);

    /// <summary>Whether the index was brought up to date just before a run of look-ups (<see cref="CatchUpForMany"/>).</summary>
    internal enum CaughtUp
    {
        NotChecked,
        NoJournal,
        Yes,
        Failed,
    }

    /// <summary>Checks once for a run of <see cref="Newest(string, CaughtUp)"/> calls what each would check first.</summary>
    internal CaughtUp CatchUpForMany() =>
        !File.Exists(journal.Path) && journal.Segments.Last() == 1 ? CaughtUp.NoJournal
        : TryCatchUp(rebuild: false) ? CaughtUp.Yes : CaughtUp.Failed;

    /// <param name="segments">Segments kept open across a run of look-ups, or null.</param>
    internal IEnumerable<JournalEntry> Newest(string site, CaughtUp caughtUp, SegmentHandles? segments = null)
    {
        if (caughtUp == CaughtUp.NoJournal || (caughtUp == CaughtUp.NotChecked && !File.Exists(journal.Path) && journal.Segments.Last() == 1))
        {
            yield break; // no journal, nothing to index (and no index folder made in a home that has none)
        }

        var below = long.MaxValue;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var ready = attempt == 0 && caughtUp != CaughtUp.NotChecked ? caughtUp == CaughtUp.Yes : TryCatchUp(rebuild: attempt > 0);
            if (!ready)
            {
                break;
            }

            var lied = false;
            foreach (var record in Records(site))
            {
                if (record.Seq >= below)
                {
                    continue; // already shown before the index was rebuilt
                }

                if (journal.ReadAt(record.Segment, record.Offset, segments) is not { } entry || entry.Seq != record.Seq || entry.Site != site)
                {
                    lied = true;
                    break;
                }

                below = entry.Seq;
                yield return entry;
            }

            if (!lied)
            {
                yield break;
            }
        }

        foreach (var entry in journal.Newest())
        {
            if (entry.Site == site && entry.Seq < below)
            {
                yield return entry;
            }
        }
    }

    /// <summary>How many lines the site has, as indexed (null when the index cannot be brought up to date).</summary>
    public long? Count(string site)
    {
        if (!TryCatchUp(rebuild: false))
        {
            return null;
        }

        if (_memory is not null)
        {
            return _memory.Count(site);
        }

        var info = new FileInfo(PathOf(site));
        return info.Exists ? info.Length / RecordSize : 0;
    }

    /// <summary>The sites the index knows, in order.</summary>
    public IReadOnlyList<string> Sites()
    {
        if (!TryCatchUp(rebuild: false))
        {
            return [];
        }

        if (_memory is not null)
        {
            return _memory.Sites();
        }

        return System.IO.Directory.EnumerateFiles(Directory, "*.idx").Select(f => Path.GetFileNameWithoutExtension(f)!)
            .Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Rebuilds the whole index from the journal.</summary>
    public void Rebuild() => CatchUp(rebuild: true);

    private bool TryCatchUp(bool rebuild)
    {
        try
        {
            // The journal's end as this process last indexed it: unchanged, there is nothing to add
            // (10,000 sites' look-ups in one `status` cost one catch-up, not 10,000).
            var end = JournalEnd();
            if (!rebuild && end == Volatile.Read(ref _indexedEnd) && (_memory is not null || File.Exists(StatePath)))
            {
                return true;
            }

            CatchUp(rebuild);
            Volatile.Write(ref _indexedEnd, end);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private string JournalEnd()
    {
        var last = journal.Segments.Last();
        var info = new FileInfo(journal.Segments.PathOf(last));
        return $"{last}:{(info.Exists ? info.Length : -1)}:{(info.Exists ? info.LastWriteTimeUtc.Ticks : 0)}";
    }

    private void CatchUp(bool rebuild)
    {
        if (_memory is not null)
        {
            lock (_memory)
            {
                CatchUpLocked(rebuild);
            }

            return;
        }

        System.IO.Directory.CreateDirectory(Directory);
        using var exclusive = TakeLock();
        CatchUpLocked(rebuild);
    }

    private void CatchUpLocked(bool rebuild)
    {
        var last = journal.Segments.Last();
        var state = rebuild ? null : ReadState();
        if (state is null || !Fits(state, last))
        {
            Clear();
            state = new IndexedUpTo(1, 0, 0);
        }

        var pending = new Dictionary<string, List<Record>>(StringComparer.Ordinal);
        var count = 0;
        var seq = state.Seq;
        var position = (Segment: state.Segment, Offset: state.Offset);
        for (var n = state.Segment; n <= last; n++)
        {
            var path = journal.Segments.PathOf(n);
            if (!File.Exists(path))
            {
                continue;
            }

            var segment = n;
            var end = ForwardLines.Read(path, n == state.Segment ? state.Offset : 0, (line, start) =>
            {
                var lineSeq = JournalLineBytes.Seq(line);
                if (lineSeq <= seq)
                {
                    return true; // not a line in order: verification names it; the index skips it
                }

                seq = lineSeq;
                var site = JournalLineBytes.Site(line);
                if (site.IsEmpty)
                {
                    return true;
                }

                var name = Encoding.UTF8.GetString(site);
                if (!OperatorInput.IsSiteName(name))
                {
                    return true;
                }

                if (!pending.TryGetValue(name, out var list))
                {
                    pending[name] = list = [];
                }

                list.Add(new Record(lineSeq, segment, start));
                if (++count >= FlushEvery)
                {
                    Flush(pending);
                    count = 0;
                }

                return true;
            }, partialToo: false);
            position = (n, end);
        }

        Flush(pending);
        var reached = new IndexedUpTo(position.Segment, position.Offset, seq);
        if (reached != state || state.Offset == 0)
        {
            WriteState(reached);
        }
    }

    private void Clear()
    {
        if (_memory is not null)
        {
            _memory.Clear();
            return;
        }

        // The state goes first: a rebuild cut short must not leave an old state over partial files.
        File.Delete(StatePath);
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*.idx"))
        {
            File.Delete(file);
        }
    }

    private void WriteState(IndexedUpTo state)
    {
        if (_memory is not null)
        {
            _memory.State = state;
            return;
        }

        AtomicFile.Write(StatePath, Json.Serialize(state, Json.Options) + "\n");
    }

    /// <summary>The index still describes this journal: the line it ends after is where it says, with that seq.</summary>
    private bool Fits(IndexedUpTo state, int last)
    {
        if (state.Segment > last || state.Offset < 0)
        {
            return false;
        }

        if (state.Offset == 0)
        {
            return state.Seq == 0 && state.Segment == 1;
        }

        try
        {
            return ForwardLines.EndingAt(journal.Segments.PathOf(state.Segment), state.Offset) is { } line && JournalLineBytes.Seq(line) == state.Seq;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
    }

    private IndexedUpTo? ReadState()
    {
        if (_memory is not null)
        {
            return _memory.State;
        }

        try
        {
            return Json.Deserialize<IndexedUpTo>(File.ReadAllText(StatePath));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Appends each site's new records. Records a crash left past the state file (written, state not) are
    /// cut first, so that a file's seqs always increase.
    /// </summary>
    private void Flush(Dictionary<string, List<Record>> pending)
    {
        if (_memory is not null)
        {
            _memory.Add(pending);
            return;
        }

        Span<byte> buffer = stackalloc byte[RecordSize];
        foreach (var (site, records) in pending)
        {
            if (records.Count == 0)
            {
                continue;
            }

            using var file = new FileStream(PathOf(site), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
            var length = file.Length - (file.Length % RecordSize);
            while (length > 0)
            {
                file.Seek(length - RecordSize, SeekOrigin.Begin);
                file.ReadExactly(buffer);
                if (Record.Read(buffer).Seq < records[0].Seq)
                {
                    break;
                }

                length -= RecordSize;
            }

            file.SetLength(length);
            file.Seek(length, SeekOrigin.Begin);
            var bytes = new byte[records.Count * RecordSize];
            for (var i = 0; i < records.Count; i++)
            {
                records[i].Write(bytes.AsSpan(i * RecordSize, RecordSize));
            }

            file.Write(bytes);
            file.Flush(flushToDisk: true); // on disk before the state that says it is indexed
            records.Clear();
        }
    }

    /// <summary>The site's records, newest first, read backwards from the end of its file.</summary>
    private IEnumerable<Record> Records(string site)
    {
        if (_memory is not null)
        {
            foreach (var record in _memory.Newest(site))
            {
                yield return record;
            }

            yield break;
        }

        SafeFileHandle file;
        try
        {
            file = File.OpenHandle(PathOf(site), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            yield break;
        }

        using (file)
        {
            // Most callers stop at the newest few records (status over 10,000 sites): read a few first, then more.
            var perRead = 16;
            var buffer = new byte[perRead * RecordSize];
            var length = RandomAccess.GetLength(file);
            var position = length - (length % RecordSize);
            while (position > 0)
            {
                var size = (int)Math.Min(perRead * RecordSize, position);
                position -= size;
                // A concurrent catch-up may shorten the file meanwhile: missing records read as zeros, which
                // match no line, so the index counts as lying and is rebuilt.
                var read = 0;
                while (read < size && RandomAccess.Read(file, buffer.AsSpan(read, size - read), position + read) is var n and > 0)
                {
                    read += n;
                }

                Array.Clear(buffer, read, size - read);
                for (var at = size - RecordSize; at >= 0; at -= RecordSize)
                {
                    yield return Record.Read(buffer.AsSpan(at, RecordSize));
                }

                if (perRead < MostPerRead)
                {
                    perRead = MostPerRead;
                    buffer = new byte[perRead * RecordSize];
                }
            }
        }
    }

    private const int MostPerRead = 512;

    /// <summary>The index's lock (index/.lock): one catch-up at a time; after 30 s an IOException, and the journal is read instead.</summary>
    private Flock TakeLock() => Flock.Take(LockPath, FlockMode.Exclusive, TimeSpan.FromSeconds(30));

    /// <summary>Everything before <see cref="Offset"/> in segment <see cref="Segment"/> is indexed; <see cref="Seq"/> is its last line's.</summary>
    internal sealed record IndexedUpTo(int Segment, long Offset, long Seq);

    private readonly record struct Record(long Seq, int Segment, long Offset)
    {
        public static Record Read(ReadOnlySpan<byte> bytes) => new(
            BinaryPrimitives.ReadInt64LittleEndian(bytes),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(bytes[12..]));

        public void Write(Span<byte> bytes)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes, Seq);
            BinaryPrimitives.WriteInt32LittleEndian(bytes[8..], Segment);
            BinaryPrimitives.WriteInt64LittleEndian(bytes[12..], Offset);
        }
    }

    /// <summary>The index kept in the process: each site's records, oldest first, guarded by this object's lock.</summary>
    private sealed class MemoryStore
    {
        private Dictionary<string, List<Record>> _sites = new(StringComparer.Ordinal);

        public IndexedUpTo? State { get; set; }

        public void Clear()
        {
            _sites = new(StringComparer.Ordinal);
            State = null;
        }

        public void Add(Dictionary<string, List<Record>> pending)
        {
            foreach (var (site, records) in pending)
            {
                if (!_sites.TryGetValue(site, out var list))
                {
                    _sites[site] = list = [];
                }

                list.AddRange(records);
                records.Clear();
            }
        }

        public long Count(string site)
        {
            lock (this)
            {
                return _sites.TryGetValue(site, out var list) ? list.Count : 0;
            }
        }

        public IReadOnlyList<string> Sites()
        {
            lock (this)
            {
                return _sites.Keys.Order(StringComparer.Ordinal).ToList();
            }
        }

        public IEnumerable<Record> Newest(string site)
        {
            List<Record>? list;
            int count;
            lock (this)
            {
                if (!_sites.TryGetValue(site, out list))
                {
                    yield break;
                }

                count = list.Count;
            }

            for (var i = count - 1; i >= 0; i--)
            {
                Record record;
                lock (this)
                {
                    record = list[i];
                }

                yield return record;
            }
        }
    }
}
