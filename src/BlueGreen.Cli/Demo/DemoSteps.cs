using System.Diagnostics;
using BlueGreen.Cli.Output;

namespace BlueGreen.Cli.Demo;

/// <summary>A demo step that did not hold: the demo stops there and names it.</summary>
public sealed class DemoStepFailed(string step, string why) : Exception(why)
{
    public string Step { get; } = step;
}

/// <summary>
/// A demo's numbered steps: each prints ✓ with its time and what it showed, or ✗ and stops the demo. Every failure of a
/// step becomes a <see cref="DemoStepFailed"/> naming it (a timeout too: HttpClient's is an OperationCanceledException),
/// so the demo ends with its one "demo failed at step" line and exit 1; only <paramref name="stopping"/> (Ctrl-C,
/// SIGTERM) goes through as a cancellation.
/// </summary>
public sealed class DemoSteps(Terminal terminal, int total, CancellationToken stopping)
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
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            terminal.Markup($"[red]✗[/] {_step,2}/{total} {Terminal.Escape(title)} [grey](stopped by a signal)[/]");
            throw;
        }
        catch (Exception e)
        {
            terminal.Markup($"[red]✗[/] {_step,2}/{total} {Terminal.Escape(title)}");
            throw new DemoStepFailed(title, e.Message); // HttpClient's timeout: "The request was canceled due to the configured HttpClient.Timeout…"
        }

        terminal.Markup($"[green]✓[/] {_step,2}/{total} [bold]{Terminal.Escape(title)}[/] [grey]({watch.Elapsed.TotalSeconds:0.0} s)[/]");
        terminal.Markup($"         [grey]{Terminal.Escape(detail)}[/]");
    }
}
