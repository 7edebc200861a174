using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;

namespace BlueGreen.Cockpit.Admin;

/// <summary>What one run of run.sh printed and returned.</summary>
public sealed record RunResult(IReadOnlyList<string> Arguments, int ExitCode, string Output, TimeSpan Duration)
{
    public string CommandLine => "./run.sh " + string.Join(' ', Arguments);

    /// <summary>The contract's exit codes, in words.</summary>
    public string Meaning => ExitCode == TimedOut
        ? "timed out: the cockpit stopped waiting and killed it"
        : Core.ExitCodes.Describe(ExitCode);

    /// <summary>The exit code the cockpit reports when it had to kill run.sh (as `timeout` does).</summary>
    public const int TimedOut = 124;
}

/// <summary>
/// The cockpit's only way to act: it runs run.sh as a child process, as an operator would, so every
/// safety rule, lock and journal entry of the CLI applies. The cockpit never switches by itself.
/// </summary>
internal sealed class RunSh(string path, string home, ILogger<RunSh> logger)
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(15);

    public string Path => path;

    /// <summary>$BLUEGREEN_RUN_SH (set by run.sh), else the run.sh in a folder above the running assembly.</summary>
    public static string Locate(string? configured)
    {
        if (configured is { Length: > 0 })
        {
            return configured;
        }

        if (Environment.GetEnvironmentVariable("BLUEGREEN_RUN_SH") is { Length: > 0 } fromEnv)
        {
            return fromEnv;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "run.sh");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new Hosting.CockpitStartException($"admin mode cannot find run.sh above {AppContext.BaseDirectory}; set BLUEGREEN_RUN_SH");
    }

    /// <summary>The command line the cockpit runs for these arguments, as shown to the operator.</summary>
    public string CommandLineOf(IReadOnlyList<string> args) => new RunResult(WithHome(args), 0, "", TimeSpan.Zero).CommandLine;

    private List<string> WithHome(IReadOnlyList<string> args) => ["--home", home, .. args];

    /// <param name="session">The label of the admin session that asked (<see cref="Session.Label"/>).</param>
    /// <param name="onLine">Called with each line of output as it comes (stdout and stderr, one at a time).</param>
    public async Task<RunResult> RunAsync(IReadOnlyList<string> args, string session, CancellationToken ct, Action<string>? onLine = null)
    {
        var all = WithHome(args);
        var info = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        all.ForEach(info.ArgumentList.Add);
        // The journal's actor is the operating-system user running run.sh (the cockpit's user); the
        // cockpit adds which session asked, and never names the actor itself.
        info.Environment.Remove("BLUEGREEN_ACTOR");
        info.Environment["BLUEGREEN_VIA"] = "cockpit";
        info.Environment["BLUEGREEN_SESSION"] = SafeText.Clean(session, 120);
        info.Environment["BLUEGREEN_HOME"] = home;
        info.Environment["TERM"] = "dumb";
        info.Environment["NO_COLOR"] = "1";

        Hosting.CockpitLog.RunShStarted(logger, session, path, string.Join(' ', all));
        var started = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {path}");
        process.StandardInput.Close(); // no terminal: run.sh never waits for an answer
        var output = new StringBuilder();
        var pumps = Task.WhenAll(Pump(process.StandardOutput, output, onLine), Pump(process.StandardError, output, onLine));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Limit);
        int exit;
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            await pumps;
            exit = process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            exit = RunResult.TimedOut;
        }

        var result = new RunResult(all, exit, output.ToString(), started.Elapsed);
        Hosting.CockpitLog.RunShExited(logger, result.CommandLine, exit, started.Elapsed.TotalSeconds);
        return result;
    }

    /// <summary>stdout and stderr merged line by line, as a terminal would show them.</summary>
    private static async Task Pump(StreamReader reader, StringBuilder into, Action<string>? onLine)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (into)
            {
                into.Append(line).Append('\n');
                onLine?.Invoke(line);
            }
        }
    }
}
