using System.Text.Json;
using BlueGreen.Core;
using BlueGreen.Core.Input;
using BlueGreen.Core.Routing;
using BlueGreen.Operations.Common;
using Spectre.Console;

namespace BlueGreen.Cli.Output;

/// <summary>
/// Where the CLI writes: colours and tables on a terminal, plain lines otherwise, JSON with --json.
/// Everything for people goes to stderr when --json is on, so stdout stays parseable.
/// </summary>
public sealed class Terminal
{
    /// <param name="homeArgument">The --home the operator gave, if any: every `./run.sh` in a message or hint gets it.</param>
    public Terminal(bool json, bool assumeYes, string? homeArgument = null)
    {
        Json = json;
        AssumeYes = assumeYes;
        HomeArgument = homeArgument;
        IsInteractive = !Console.IsOutputRedirected && !Console.IsInputRedirected && Environment.GetEnvironmentVariable("TERM") is not (null or "dumb");
        Rich = IsInteractive && !json;
        Out = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = Rich ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = Rich ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(json ? Console.Error : Console.Out),
            Interactive = Rich ? InteractionSupport.Yes : InteractionSupport.No,
        });
        if (!Rich)
        {
            Out.Profile.Width = 200;
        }
        else if (TextTable.WidthFrom(Environment.GetEnvironmentVariable("COLUMNS")) is { } columns)
        {
            Out.Profile.Width = columns;
        }
    }

    public string? HomeArgument { get; }

    public bool Json { get; }

    public bool AssumeYes { get; }

    public bool IsInteractive { get; }

    /// <summary>True on a terminal: colours, tables, prompts.</summary>
    public bool Rich { get; }

    public IAnsiConsole Out { get; }

    /// <summary>One line of text. Plain output is never wrapped: a script reading it gets each line whole.</summary>
    public void Line(string text)
    {
        if (Rich)
        {
            Out.WriteLine(text);
        }
        else
        {
            (Json ? Console.Error : Console.Out).WriteLine(text);
        }
    }

    /// <summary>
    /// Many plain lines (status over 10,000 sites): gathered and written at once, not one system call per line.
    /// On a terminal, each goes through <see cref="Line"/>.
    /// </summary>
    public void Lines(IEnumerable<string> lines)
    {
        if (Rich)
        {
            foreach (var line in lines)
            {
                Line(line);
            }

            return;
        }

        var text = new System.Text.StringBuilder();
        foreach (var line in lines)
        {
            text.Append(line).Append('\n');
        }

        var writer = Json ? Console.Error : Console.Out;
        writer.Write(text.ToString());
        writer.Flush();
    }

    public void Markup(string markup) => Out.MarkupLine(markup);

    /// <summary>A table: laid out for the terminal's width (honouring $COLUMNS), or tab-separated with a header line when piped.</summary>
    public void Table(IReadOnlyList<TextColumn> columns, IReadOnlyList<IReadOnlyList<TextCell>> rows)
    {
        if (!Rich)
        {
            Lines(TextTable.Tsv(columns, rows));
            return;
        }

        foreach (var line in TextTable.Render(columns, rows, Out.Profile.Width, markup: true))
        {
            Out.MarkupLine(line);
        }
    }

    public void WriteJson<T>(T value) => Console.Out.WriteLine(BlueGreen.Core.Json.Serialize(value, BlueGreen.Core.Json.Indented));

    /// <summary>Prints an operation's outcome and returns its exit code.</summary>
    public int Finish(OperationResult result)
    {
        result = result with { Message = CommandHint.WithHome(result.Message, HomeArgument), Hint = result.Hint is { } h ? CommandHint.WithHome(h, HomeArgument) : null };
        if (Json)
        {
            WriteJson(new ResultJson((int)result.Code, result.Code == ExitCode.Done, result.Message, result.Hint, result.Data));
            return (int)result.Code;
        }

        var colour = result.Code switch { ExitCode.Done => "green", ExitCode.Refused or ExitCode.Locked or ExitCode.HookFailed => "yellow", _ => "red" };
        var word = result.Code switch { ExitCode.Done => "done", ExitCode.Refused => "refused", ExitCode.Locked => "locked", ExitCode.Usage => "error", ExitCode.HookFailed => "switched, hook failed", _ => "failed" };
        if (Rich)
        {
            Markup($"[bold {colour}]{word}:[/] {Escape(result.Message)}");
            if (result.Hint is not null)
            {
                Markup($"[grey]next:[/] {Escape(result.Hint)}");
            }
        }
        else
        {
            var writer = result.Code == ExitCode.Done ? Console.Out : Console.Error;
            writer.WriteLine($"{word}: {result.Message}");
            if (result.Hint is not null)
            {
                writer.WriteLine($"next: {result.Hint}");
            }
        }

        return (int)result.Code;
    }

    public void Diff(string title, IReadOnlyList<DiffLine> diff)
    {
        if (Rich)
        {
            Markup($"[bold]plan[/] (routing file {Escape(title)}):");
            foreach (var line in diff)
            {
                var style = line.Kind switch { DiffKind.Added => "green", DiffKind.Removed => "red", _ => "grey" };
                Markup($"  [{style}]{Escape(line.ToString())}[/]");
            }
        }
        else
        {
            Line($"plan (routing file {title}):");
            foreach (var line in diff)
            {
                Line("  " + line);
            }
        }
    }

    public static string Escape(string text) => Spectre.Console.Markup.Escape(text);
}

/// <summary>Shows what an operation does, as it does it.</summary>
public sealed class TerminalReporter(Terminal terminal) : IOperationReporter
{
    public void Step(string message) => Safely(() => StepCore(message));

    public void Warn(string message) => Safely(() => WarnCore(message));

    /// <summary>A terminal that went away (SSH dropped: EIO) must not stop a command half-way through its steps.</summary>
    private static void Safely(Action write)
    {
        try
        {
            write();
        }
        catch (IOException)
        {
        }
    }

    private void StepCore(string message)
    {
        if (terminal.Rich)
        {
            terminal.Markup($"[grey]·[/] {Terminal.Escape(message)}");
        }
        else
        {
            terminal.Line($"- {message}");
        }
    }

    private void WarnCore(string message)
    {
        if (terminal.Rich)
        {
            terminal.Markup($"[yellow]warning:[/] {Terminal.Escape(message)}");
        }
        else
        {
            Console.Error.WriteLine($"warning: {message}");
        }
    }

    public void ShowDiff(string title, IReadOnlyList<DiffLine> diff) => terminal.Diff(title, diff);

    public bool AsksPerson => !terminal.AssumeYes && terminal.IsInteractive;

    public bool Confirm(string question, CancellationToken ct)
    {
        if (terminal.AssumeYes)
        {
            return true;
        }

        if (!terminal.IsInteractive)
        {
            return false;
        }

        // Spectre's prompt blocks in a key read that a signal does not interrupt: it is left waiting on its own
        // thread, and Ctrl-C answers "no" at once (the command then ends and the read with it).
        var answer = Task.Run(() => terminal.Out.Confirm(Terminal.Escape(question), defaultValue: false), CancellationToken.None);
        try
        {
            Task.WaitAny([answer], ct);
        }
        catch (OperationCanceledException)
        {
            terminal.Line("");
            return false;
        }

        return answer.GetAwaiter().GetResult();
    }

    public void Output(string line) => terminal.Line(terminal.Rich ? $"  │ {line}" : $"  | {line}");

    /// <summary>A spinner beside what is awaited on a terminal (Spectre's status display); one step line otherwise.</summary>
    public async Task<T> WaitAsync<T>(string what, Func<Task<T>> wait)
    {
        if (!terminal.Rich)
        {
            Step(what);
            return await wait();
        }

        return await terminal.Out.Status().Spinner(Spinner.Known.Dots).StartAsync(Terminal.Escape(what), _ => wait());
    }
}
