using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace BlueGreen.Infrastructure.Journal;

/// <summary>
/// The journal's segment files (docs/journal.md, "Segments"): segment 1 is var/journal/journal.jsonl (the
/// journal's historical name, so a home from before segments is a one-segment journal), segment n ≥ 2 is
/// journal.NNNNNN.jsonl beside it. Only the last segment is appended to; the others are read-only.
/// </summary>
public sealed class JournalSegments(string firstPath)
{
    public string Directory => Path.GetDirectoryName(firstPath)!;

    public string PathOf(int number) =>
        number == 1 ? firstPath : Path.Combine(Directory, $"journal.{number.ToString("D6", CultureInfo.InvariantCulture)}.jsonl");

    /// <summary>The highest segment number present (1 when there is none: the journal starts there).</summary>
    public int Last()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return 1;
        }

        var last = 1;
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "journal.*.jsonl"))
        {
            if (NumberOf(Path.GetFileName(file)) is { } n && n > last)
            {
                last = n;
            }
        }

        return last;
    }

    /// <summary>The number of a segment file name, or null when the name is not one.</summary>
    public static int? NumberOf(string fileName)
    {
        var parts = fileName.Split('.');
        return parts is ["journal", var digits, "jsonl"] && digits.Length == 6
            && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 2 ? n : null;
    }

    /// <summary>A full segment stays as written: nobody, the product included, may write to it again.</summary>
    public static void MakeReadOnly(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        try
        {
            var mode = File.GetUnixFileMode(path);
            const UnixFileMode Writable = UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;
            if ((mode & Writable) != 0)
            {
                File.SetUnixFileMode(path, mode & ~Writable);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not the owner: the segment stays as it is; verification still covers it.
        }
    }
}

/// <summary>What a forward reader is shown: one line without its '\n', and the offset where it starts.</summary>
internal delegate bool LineVisitor(ReadOnlySpan<byte> line, long start);

/// <summary>Streams the lines of a file forward in large reads, without a string per line.</summary>
internal static class ForwardLines
{
    private const int Chunk = 1024 * 1024;

    /// <summary>
    /// Shows each line from <paramref name="from"/> to <paramref name="visit"/> until it returns false.
    /// A last line without '\n' is shown only when <paramref name="partialToo"/>. Returns the offset just
    /// after the last complete line shown.
    /// </summary>
    public static long Read(string path, long from, LineVisitor visit, bool partialToo)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var buffer = new byte[Chunk];
        var filled = 0;
        var bufferStart = from; // file offset of buffer[0]
        var end = from;
        while (true)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2); // a line longer than the buffer
            }

            var read = RandomAccess.Read(handle, buffer.AsSpan(filled), bufferStart + filled);
            if (read == 0)
            {
                if (filled > 0 && partialToo)
                {
                    visit(buffer.AsSpan(0, filled), bufferStart);
                }

                return end;
            }

            filled += read;
            var consumed = 0;
            while (true)
            {
                var newline = buffer.AsSpan(consumed, filled - consumed).IndexOf((byte)'\n');
                if (newline < 0)
                {
                    break;
                }

                var lineStart = bufferStart + consumed;
                var more = visit(buffer.AsSpan(consumed, newline), lineStart);
                consumed += newline + 1;
                end = bufferStart + consumed;
                if (!more)
                {
                    return end;
                }
            }

            buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
            filled -= consumed;
            bufferStart += consumed;
        }
    }

    /// <summary>The line that starts at <paramref name="start"/> (without its '\n'), or null when none ends there.</summary>
    public static byte[]? At(string path, long start)
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        using (handle)
        {
            return At(handle, start);
        }
    }

    /// <summary><see cref="At(string, long)"/> through a handle already open (<see cref="SegmentHandles"/>).</summary>
    public static byte[]? At(SafeFileHandle handle, long start)
    {
        // A line is a few hundred bytes: read a little, more only for a long one.
        var buffer = new byte[4096];
        var filled = 0;
        while (true)
        {
            var read = RandomAccess.Read(handle, buffer.AsSpan(filled), start + filled);
            if (read == 0)
            {
                return null;
            }

            var newline = buffer.AsSpan(filled, read).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                return buffer[..(filled + newline)];
            }

            filled += read;
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }
        }
    }

    /// <summary>The complete line that ends just before <paramref name="end"/> (its '\n' at end - 1), or null.</summary>
    public static byte[]? EndingAt(string path, long end)
    {
        if (end <= 0)
        {
            return null;
        }

        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (RandomAccess.GetLength(handle) < end)
        {
            return null;
        }

        var size = (int)Math.Min(end, 64 * 1024);
        var buffer = new byte[size];
        RandomAccess.Read(handle, buffer, end - size);
        if (buffer[^1] != (byte)'\n')
        {
            return null;
        }

        var start = size < 2 ? 0 : Array.LastIndexOf(buffer, (byte)'\n', size - 2) + 1;
        return start == 0 && size < end ? null : buffer[start..^1];
    }
}

/// <summary>
/// The segments opened once for a run of look-ups (status over 10,000 sites reads one line per site): an open, a stat
/// and a close less per line. Reads are positioned (pread), so the run's threads share the handles. A segment is
/// append-only and a sealed one never changes, so a handle opened earlier in the run reads the same bytes; each
/// line read is still checked against what the index says it is.
/// </summary>
internal sealed class SegmentHandles(JournalSegments segments) : IDisposable
{
    private readonly Dictionary<int, SafeFileHandle?> _open = [];

    /// <summary>The line that starts at <paramref name="start"/> in the segment, or null (none there, or no such segment).</summary>
    public byte[]? LineAt(int segment, long start) => HandleOf(segment) is { } handle ? ForwardLines.At(handle, start) : null;

    private SafeFileHandle? HandleOf(int segment)
    {
        lock (_open)
        {
            if (!_open.TryGetValue(segment, out var handle))
            {
                _open[segment] = handle = Open(segment);
            }

            return handle;
        }
    }

    private SafeFileHandle? Open(int segment)
    {
        try
        {
            return File.OpenHandle(segments.PathOf(segment), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        lock (_open)
        {
            foreach (var handle in _open.Values)
            {
                handle?.Dispose();
            }

            _open.Clear();
        }
    }
}
