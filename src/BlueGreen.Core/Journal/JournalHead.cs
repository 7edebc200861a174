namespace BlueGreen.Core.Journal;

/// <summary>
/// The journal's last acknowledged entry, kept outside the journal file (var/state/journal-head.json):
/// a journal that ends before it (trailing lines deleted, file emptied or replaced) is caught.
/// <paramref name="Length"/> is the size in bytes of the segment that holds that entry once it was written;
/// <paramref name="Segment"/> is that segment's number (1 for journal.jsonl; absent in version 1 heads, which
/// predate segments and so always mean 1).
/// </summary>
/// <remarks>
/// Segment is a constructor parameter with a default, not an initialised property: the source-generated
/// reader gives a missing parameter its default, but a missing init-only property zero.
/// </remarks>
public sealed record JournalHead(long Seq, string Hash, long Length, int Segment = 1)
{
    public const int FormatVersion = 2;

    public int Version { get; init; } = FormatVersion;
}
