using System.Diagnostics;
using BlueGreen.Cli.Output;

namespace BlueGreen.Cli.Demo;

/// <summary>A demo step that did not hold: the demo stops there and names it.</summary>
public sealed class DemoStepFailed(string step, string why) : Exception(why)
{
    public string Step { get; } = step;
}

/// <summary>A demo's numbered steps: each prints ✓ with its time and what it showed, or ✗ and stops the demo.</summary>
public sealed class DemoSteps(Terminal terminal, int total)
{
    private int _step;

    public async Task StepAsync(string title, Func<Task<string>> action)
    {
        _step++;
        var watch = Stopwatch.StartNew();
        string detail;
        try
        {
            detail = await action();
        }
        catch (DemoStepFailed)
        {
            terminal.Markup($"[red]✗[/] {_step,2}/{total} {Terminal.Escape(title)}");
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            terminal.Markup($"[red]✗[/] {_step,2}/{total} {Terminal.Escape(title)}");
            throw new DemoStepFailed(title, e.Message);
        }

        terminal.Markup($"[green]✓[/] {_step,2}/{total} [bold]{Terminal.Escape(title)}[/] [grey]({watch.Elapsed.TotalSeconds:0.0} s)[/]");
        terminal.Markup($"         [grey]{Terminal.Escape(detail)}[/]");
    }
}
