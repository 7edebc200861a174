using System.Diagnostics;
using System.Text;
using BlueGreen.Testing;

namespace BlueGreen.Cli.Tests;

/// <summary>
/// run.sh on a real pseudo-terminal (util-linux `script`), with what it prints collected and keys typed into it.
/// `script` runs the command through $SHELL: `exec` leaves the program alone in the terminal's process group,
/// since dash (CI's /bin/sh) would otherwise wait for it and be killed by the same Ctrl-C, reporting 130 for a
/// program that exited 0. `env --default-signal=INT`: see CliRunner.Start.
/// </summary>
internal sealed class PseudoTerminal : IDisposable
{
    private readonly Process _script;
    private readonly StringBuilder _output = new();
    private readonly Task _reading;

    private PseudoTerminal(Process script)
    {
        _script = script;
        _reading = Task.Run(async () =>
        {
            var buffer = new char[4096];
            int n;
            while ((n = await script.StandardOutput.ReadAsync(buffer)) > 0)
            {
                lock (_output)
                {
                    _output.Append(buffer, 0, n);
                }
            }
        });
    }

    public static PseudoTerminal Start(string home, string arguments)
    {
        var info = new ProcessStartInfo("script") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-qfec", $"exec env --default-signal=INT '{RepoPaths.RunSh}' --home '{home}' {arguments}", "/dev/null" })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["TERM"] = "xterm";
        info.Environment["COLUMNS"] = "160";
        info.Environment["SHELL"] = "/bin/sh";
        return new PseudoTerminal(Process.Start(info)!);
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

    /// <summary>Waits until what was printed satisfies <paramref name="seen"/>, the program exits, or the limit passes.</summary>
    public async Task<bool> WaitForAsync(Func<string, bool> seen, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!seen(Output) && DateTime.UtcNow < deadline && !_script.HasExited)
        {
            await Task.Delay(100);
        }

        return seen(Output);
    }

    public async Task TypeAsync(string keys)
    {
        await _script.StandardInput.WriteAsync(keys);
        await _script.StandardInput.FlushAsync();
    }

    /// <summary>The program's exit code, once it has ended and everything it printed was read.</summary>
    public async Task<int> ExitCodeAsync(TimeSpan limit)
    {
        using var cts = new CancellationTokenSource(limit);
        await _script.WaitForExitAsync(cts.Token);
        await _reading;
        return _script.ExitCode;
    }

    public void Dispose()
    {
        if (!_script.HasExited)
        {
            _script.Kill(entireProcessTree: true);
        }

        _script.Dispose();
    }
}
