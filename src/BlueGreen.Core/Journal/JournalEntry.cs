using BlueGreen.Core.State;

namespace BlueGreen.Core.Journal;

public static class JournalOutcome
{
    public const string Started = "started";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Refused = "refused";
    public const string DryRun = "dry-run";

    /// <summary>Written by recovery for a command that died after its `started` line: what is true now.</summary>
    public const string Interrupted = "interrupted";

    /// <summary>Outcomes that close a command's `started` line (docs/failure-modes.md).</summary>
    public static bool Closes(string outcome) => outcome is Succeeded or Failed or Interrupted;
}

/// <summary>The actions whose `started` line must be closed by an outcome; recovery looks for them.</summary>
public static class JournalAction
{
    public const string Deploy = "deploy";
    public const string Validate = "validate";
    public const string Apply = "apply";
    public const string Rollback = "rollback";
    public const string Recover = "recover";

    /// <summary>A switch's POST_SWITCH_CMD failed after its outcome: its own action, never read as the switch's outcome.</summary>
    public const string PostSwitchHook = "post-switch-hook";

    public static bool IsOperation(string action) => action is Deploy or Validate or Apply or Rollback or Recover;
}

/// <summary>
/// One line of var/journal/journal.jsonl (docs/reference.md, "Journal"). Seq, prev_hash and hash are set by
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

    /// <summary>The cockpit session that asked for the action, beside the operating-system user in <see cref="Actor"/>.</summary>
    public string? Session { get; init; }

    /// <summary>On an outcome line: the seq of the `started` line it closes.</summary>
    public long? Ref { get; init; }

    public string PrevHash { get; init; } = "";

    public string? Hash { get; init; }
}
