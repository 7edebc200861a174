namespace BlueGreen.Core.Journal;

/// <summary>
/// The journal's last acknowledged entry, kept outside the journal file (var/state/journal-head.json):
/// a journal that ends before it (trailing lines deleted, file emptied or replaced) is caught.
/// <paramref name="Length"/> is the file's size in bytes once that entry was written.
/// </summary>
public sealed record JournalHead(long Seq, string Hash, long Length)
{
    public const int FormatVersion = 1;

    public int Version { get; init; } = FormatVersion;
}
