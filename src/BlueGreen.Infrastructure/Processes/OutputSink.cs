using System.Text;

namespace BlueGreen.Infrastructure.Processes;

/// <summary>Where a command's lines go: appended to a log file (flushed per line) and kept as a tail.</summary>
internal sealed class OutputSink : IDisposable
{
    // A single huge line must not hold the tail's memory hostage.
    private const int MaxLineInTail = 2000;

    private readonly Queue<string> _tail = new();
    private readonly int _tailLines;
    private readonly StreamWriter? _log;
    private readonly Lock _gate = new();

    public OutputSink(string? logFile, int tailLines)
    {
        _tailLines = Math.Max(0, tailLines);
        if (logFile is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logFile))!);
            var stream = new FileStream(logFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            _log = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true };
        }
    }

    public void Add(string line)
    {
        lock (_gate)
        {
            _log?.WriteLine(line);
            if (_tailLines == 0)
            {
                return;
            }

            _tail.Enqueue(line.Length > MaxLineInTail ? line[..MaxLineInTail] + "…" : line);
            while (_tail.Count > _tailLines)
            {
                _tail.Dequeue();
            }
        }
    }

    public IReadOnlyList<string> Tail()
    {
        lock (_gate)
        {
            return _tail.ToArray();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _log?.Dispose();
        }
    }
}
