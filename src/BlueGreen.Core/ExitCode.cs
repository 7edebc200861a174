namespace BlueGreen.Core;

/// <summary>The contract's exit codes: one static table, used by every command.</summary>
public enum ExitCode
{
    Done = 0,
    Failed = 1,
    Usage = 2,
    Refused = 3,
    Locked = 4,
}
