using BlueGreen.Core.Routing;
using BlueGreen.Operations.Common;

namespace BlueGreen.Operations.Tests.Support;

/// <summary>
/// An <see cref="IOperationReporter"/> that records what an operation told the operator. Its hooks run inside
/// the operation at the moment it reports a step: the in-process way to act "right after" a named point
/// (cancel, or break a file) without timing.
/// </summary>
public sealed class RecordingReporter : IOperationReporter
{
    private readonly Lock _gate = new();
    private readonly List<string> _steps = [];
    private readonly List<string> _warnings = [];
    private readonly List<string> _output = [];
    private readonly List<string> _questions = [];
    private readonly List<string> _diffTitles = [];

    /// <summary>As on a terminal without --yes: the switch plans and asks before it takes its locks.</summary>
    public bool AsksPerson { get; set; }

    /// <summary>What <see cref="Confirm"/> answers.</summary>
    public bool Answer { get; set; } = true;

    /// <summary>Runs on every step, with its message, before the operation goes on.</summary>
    public Action<string>? OnStep { get; set; }

    /// <summary>Runs on every warning, with its message, before the operation goes on.</summary>
    public Action<string>? OnWarn { get; set; }

    /// <summary>Runs when the operation asks for confirmation, before it gets the answer.</summary>
    public Action? OnConfirm { get; set; }

    public IReadOnlyList<string> Steps => Copy(_steps);

    public IReadOnlyList<string> Warnings => Copy(_warnings);

    public IReadOnlyList<string> OutputLines => Copy(_output);

    public IReadOnlyList<string> Questions => Copy(_questions);

    public IReadOnlyList<string> DiffTitles => Copy(_diffTitles);

    public void Step(string message)
    {
        Add(_steps, message);
        OnStep?.Invoke(message);
    }

    public void Warn(string message)
    {
        Add(_warnings, message);
        OnWarn?.Invoke(message);
    }

    public void ShowDiff(string title, IReadOnlyList<DiffLine> diff) => Add(_diffTitles, title);

    public bool Confirm(string question, CancellationToken ct)
    {
        Add(_questions, question);
        OnConfirm?.Invoke();
        return Answer;
    }

    public void Output(string line) => Add(_output, line);

    private void Add(List<string> list, string item)
    {
        lock (_gate)
        {
            list.Add(item);
        }
    }

    private IReadOnlyList<string> Copy(List<string> list)
    {
        lock (_gate)
        {
            return [.. list];
        }
    }
}
