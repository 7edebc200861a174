using BlueGreen.Core.Configuration;
using BlueGreen.Core.Routing;
using BlueGreen.Infrastructure;

namespace BlueGreen.Operations.Common;

/// <summary>
/// What every operation runs with: where, as whom, and how it talks to the operator. <paramref name="Actor"/> is
/// the operating-system user (user@host); <paramref name="Session"/> the cockpit session that asked, if any.
/// <paramref name="LockWait"/>: how long a busy lock (or the maintenance lock) is waited for before exit 4 (--lock-wait).
/// </summary>
public sealed record OperationContext(
    Home Home,
    GlobalConfig Global,
    string Actor,
    string Via,
    bool DryRun,
    string CommandLine,
    TimeProvider Clock,
    IOperationReporter Reporter,
    string? Session = null,
    TimeSpan LockWait = default);

/// <summary>How an operation tells the operator what it does. The CLI renders it; tests record it.</summary>
public interface IOperationReporter
{
    void Step(string message);

    void Warn(string message);

    void ShowDiff(string title, IReadOnlyList<DiffLine> diff);

    /// <summary>
    /// Asks before a switch. False when declined, when there is nobody to ask, or when <paramref name="ct"/>
    /// fires while asking (Ctrl-C at the prompt is a "no", journaled as such).
    /// </summary>
    bool Confirm(string question, CancellationToken ct);

    /// <summary>True when <see cref="Confirm"/> asks a person (a terminal, no --yes): the switch then plans without its locks first.</summary>
    bool AsksPerson => false;

    /// <summary>A line of a child command's output, shown live.</summary>
    void Output(string line);

    /// <summary>Runs a wait, saying what is awaited while it lasts (a spinner on a terminal). Nothing else is reported during it.</summary>
    Task<T> WaitAsync<T>(string what, Func<Task<T>> wait) => wait();
}

/// <summary>The outcome of a command: its exit code, one sentence for people, and what to do next.</summary>
public sealed record OperationResult(Core.ExitCode Code, string Message, string? Hint = null, object? Data = null)
{
    public static OperationResult Done(string message, object? data = null) => new(Core.ExitCode.Done, message, null, data);
}
