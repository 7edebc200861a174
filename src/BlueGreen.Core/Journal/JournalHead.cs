namespace BlueGreen.Core.Journal;

/// <summary>
/// The journal's last acknowledged entry, kept outside the journal file (var/state/journal-head.json):
/// a journal that ends before it (trailing lines deleted, file emptied or replaced) is caught.
/// <paramref name="Length"/> is the size in bytes of the segment that holds that entry once it was written;
/// <see cref="Segment"/> is that segment's number (1 for journal.jsonl; absent in version 1 heads, which
/// predate segments and so always mean 1).
/// </summary>
public sealed record JournalHead(long Seq, string Hash, long Length)
{
    public const int FormatVersion = 2;

    public int Segment { get; init; } = 1;

    public int Version { get; init; } = FormatVersion;
}
