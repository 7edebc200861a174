namespace BlueGreen.Core;

/// <summary>The exit codes (docs/reference.md, "Exit codes"): one static table, used by every command.</summary>
public enum ExitCode
{
    Done = 0,
    Failed = 1,
    Usage = 2,
    Refused = 3,
    Locked = 4,

    /// <summary>A switch went through and stands, but its POST_SWITCH_CMD failed (docs/reference.md, "Switch hooks").</summary>
    HookFailed = 5,
}

public static class ExitCodes
{
    /// <summary>What an exit code of run.sh means, in the words of docs/reference.md, "Exit codes".</summary>
    public static string Describe(int code) => code switch
    {
        (int)ExitCode.Done => "done",
        (int)ExitCode.Failed => "the operation failed (nothing half-done is left)",
        (int)ExitCode.Usage => "bad usage or configuration",
        (int)ExitCode.Refused => "refused by a safety rule",
        (int)ExitCode.Locked => "another switch holds the lock",
        (int)ExitCode.HookFailed => "switched, but POST_SWITCH_CMD failed (the switch stands)",
        _ => "unexpected exit code",
    };
}
