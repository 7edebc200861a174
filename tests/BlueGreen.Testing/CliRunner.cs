using System.Diagnostics;
using BlueGreen.Infrastructure.Processes;

namespace BlueGreen.Testing;

/// <summary>What one run of the real program printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public string All => Stdout + Stderr;

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Runs ./run.sh as an operator would: a real process, no terminal.</summary>
public static class CliRunner
{
    /// <summary>How long a run past its deadline has to stop after SIGINT before its tree is killed.</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(30);

    public static async Task<CliResult> RunAsync(string home, IEnumerable<string> args, IDictionary<string, string>? env = null, TimeSpan? timeout = null)
    {
        using var start = Start(home, args, env);
        var limit = timeout ?? TimeSpan.FromSeconds(120);
        using var cts = new CancellationTokenSource(limit);
        // The reads get longer: after the stop at the deadline, what it printed still comes through.
        using var reading = new CancellationTokenSource(limit + StopGrace + TimeSpan.FromSeconds(15));
        var stdout = start.StandardOutput.ReadToEndAsync(reading.Token);
        var stderr = start.StandardError.ReadToEndAsync(reading.Token);
        try
        {
            await start.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            // Past its deadline: asked to stop first, as an operator's Ctrl-C would (a demo then stops what it started,
            // sample apps in their own sessions included, and deletes its homes); then the whole tree goes. The test
            // says what it printed.
            ProcessGroup.SignalProcess(start.Id, ProcessGroup.SigInt);
            using (var grace = new CancellationTokenSource(StopGrace))
            {
                try
                {
                    await start.WaitForExitAsync(grace.Token);
                }
                catch (OperationCanceledException)
                {
                    start.Kill(entireProcessTree: true);
                }
            }

            string printed;
            try
            {
                printed = string.Concat(await Task.WhenAll(stdout, stderr));
            }
            catch (OperationCanceledException)
            {
                printed = "(its output did not close)";
            }

            throw new TimeoutException($"run.sh {string.Join(' ', args)} did not finish in {limit.TotalSeconds:0} s; it printed:\n{printed}");
        }

        return new CliResult(start.ExitCode, await stdout, await stderr);
    }

    public static Task<CliResult> RunAsync(string home, params string[] args) => RunAsync(home, args, null);

    /// <summary>Starts run.sh without waiting (for concurrency and kill tests). The caller disposes it.</summary>
    public static Process Start(string home, IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        // Through `env --default-signal=INT`, which then execs run.sh (same pid): SIGINT at its default, as at an
        // operator's terminal. A test host started in the background of a script inherits SIGINT ignored, and
        // .NET keeps an inherited SIG_IGN, so Ctrl-C tests would otherwise wait for a signal that never comes.
        var info = new ProcessStartInfo("env")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("--default-signal=INT");
        info.ArgumentList.Add(RepoPaths.RunSh);
        info.ArgumentList.Add("--home");
        info.ArgumentList.Add(home);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // Every global key can be set from the environment: a test's home decides, not the machine running it.
        foreach (var key in BlueGreen.Core.Configuration.GlobalConfig.Keys)
        {
            info.Environment.Remove(key);
        }

        info.Environment.Remove("BLUEGREEN_HOME");
        info.Environment["TERM"] = "dumb";
        foreach (var (key, value) in env ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info)!;
        process.StandardInput.Close();
        return process;
    }
}
