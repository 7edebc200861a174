using System.Diagnostics;
using System.Text;

namespace BlueGreen.Testing;

/// <summary>A run.sh process whose merged output is read as it comes, so a test can wait on what it says.</summary>
public sealed class RunningCli : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _stdout = new();
    private readonly SemaphoreSlim _changed = new(0);
    private readonly Task _pumps;

    private RunningCli(Process process)
    {
        _process = process;
        _pumps = Task.WhenAll(Pump(process.StandardOutput, _stdout), Pump(process.StandardError, null));
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Standard output alone (run.sh's build messages go to stderr).</summary>
    public string Stdout
    {
        get
        {
            lock (_output)
            {
                return _stdout.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public static RunningCli Start(string home, params string[] args) => new(CliRunner.Start(home, args));

    public static RunningCli Start(string home, IDictionary<string, string> env, params string[] args) => new(CliRunner.Start(home, args, env));

    public async Task WaitForOutputAsync(string text, TimeSpan deadline)
    {
        using var cts = new CancellationTokenSource(deadline);
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited && _pumps.IsCompleted && !Output.Contains(text, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"run.sh exited before printing '{text}':\n{Output}");
            }

            try
            {
                await _changed.WaitAsync(TimeSpan.FromMilliseconds(200), cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"run.sh did not print '{text}' in {deadline.TotalSeconds:0} s:\n{Output}");
            }
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan deadline)
    {
        using var cts = new CancellationTokenSource(deadline);
        await _process.WaitForExitAsync(cts.Token);
        await _pumps;
        return _process.ExitCode;
    }

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private async Task Pump(StreamReader reader, StringBuilder? alone)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_output)
            {
                _output.Append(line).Append('\n');
                alone?.Append(line).Append('\n');
            }

            _changed.Release();
        }
    }
}
