using BlueGreen.Core.State;

namespace BlueGreen.Core.Journal;

public static class JournalOutcome
{
    public const string Started = "started";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Refused = "refused";
    public const string DryRun = "dry-run";
}

/// <summary>
/// One line of var/journal/journal.jsonl (CONTRACT, "Journal"). Seq, prev_hash and hash are set by
/// the journal when the entry is appended.
/// </summary>
public sealed record JournalEntry
{
    public long Seq { get; init; }

    public string Time { get; init; } = "";

    public string? Site { get; init; }

    public required string Action { get; init; }

    public required string Outcome { get; init; }

    public string Actor { get; init; } = "";

    public string Via { get; init; } = "cli";

    public SlotVersion? From { get; init; }

    public SlotVersion? To { get; init; }

    public string Message { get; init; } = "";

    public string PrevHash { get; init; } = "";

    public string? Hash { get; init; }
}
