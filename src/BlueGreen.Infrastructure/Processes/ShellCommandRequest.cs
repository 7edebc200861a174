namespace BlueGreen.Infrastructure.Processes;

/// <summary>
/// A configured command to run with <c>sh -c</c>. <paramref name="LogFile"/> (optional) receives the
/// interleaved stdout+stderr, appended; the result keeps the last <paramref name="TailLines"/> lines.
/// </summary>
public sealed record ShellCommandRequest(
    string Command,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string> Environment,
    TimeSpan Timeout,
    string? LogFile = null,
    int TailLines = 40)
{
    /// <summary>How long the group gets between SIGTERM and SIGKILL.</summary>
    public TimeSpan KillGrace { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Kill what is left of the group after a normal exit (tests: nothing may outlive them). Off by default
    /// because a DEPLOY_CMD may legitimately start a long-running server in the background.
    /// </summary>
    public bool KillLeftoversOnExit { get; init; }

    /// <summary>Told the command's process group as soon as it runs (a deploy records it in its lock's holder file).</summary>
    public Action<int>? OnStarted { get; init; }
}

/// <summary>How a command ended. <see cref="ExitCode"/> is 128+signal when a signal ended it.</summary>
public sealed record ShellCommandResult(
    int ExitCode,
    bool TimedOut,
    bool Canceled,
    TimeSpan Duration,
    IReadOnlyList<string> Tail,
    int ProcessGroup)
{
    public bool Succeeded => ExitCode == 0 && !TimedOut && !Canceled;

    public string Describe() =>
        TimedOut ? $"timed out after {Duration.TotalSeconds:0.0} s; its process group was killed"
        : Canceled ? "canceled; its process group was killed"
        : $"exit code {ExitCode} after {Duration.TotalSeconds:0.0} s";
}
