using System.Diagnostics;
using System.Text;

namespace BlueGreen.Infrastructure.Processes;

/// <summary>
/// The one place the product runs a configured command (DEPLOY_CMD, TEST_CMD): <c>sh -c CMD</c> in its own
/// session and process group, stdout and stderr merged in order, the whole group killed on timeout or
/// cancellation (SIGTERM, a grace, then SIGKILL).
/// </summary>
public sealed class ShellCommand(TimeProvider? timeProvider = null)
{
    // setsid gives the command its own session, hence its own process group (pgid = its pid).
    // The fixed outer script waits for its stdin to close, which happens once the caller has recorded the group
    // (OnStarted): a command that kills this process at once (or a crash right after the start) can no longer leave
    // a group nobody recorded. It then merges stderr into stdout at the file-descriptor level and execs the
    // configured command: CMD is passed as "$1", so it is evaluated by exactly one `sh -c`.
    private const string MergeAndExec = "read -r _; exec sh -c \"$1\" 2>&1";

    // After the command exits, background children may still hold the output pipe: wait this long for EOF.
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(2);

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public async Task<ShellCommandResult> RunAsync(ShellCommandRequest request, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(request.WorkingDirectory))
        {
            throw new DirectoryNotFoundException($"working directory {request.WorkingDirectory} does not exist");
        }

        using var sink = new OutputSink(request.LogFile, request.TailLines);
        var started = _time.GetTimestamp();
        using var process = Start(request);
        var pgid = process.Id;
        try
        {
            request.OnStarted?.Invoke(pgid);
        }
        catch
        {
            // Not recorded (its lock lost, say): nobody could end it later, so it does not outlive this call.
            await KillGroupAsync(pgid, request.KillGrace).ConfigureAwait(false);
            throw;
        }

        // Recorded: the command may run now. Nothing is ever typed into it: it gets EOF rather than a terminal.
        process.StandardInput.Close();

        var reading = PumpAsync(process.StandardOutput.BaseStream, sink);

        var (timedOut, canceled) = await WaitAsync(process, pgid, request, cancellationToken).ConfigureAwait(false);
        await Task.WhenAny(reading, Task.Delay(DrainLimit, _time, CancellationToken.None)).ConfigureAwait(false);

        return new ShellCommandResult(process.ExitCode, timedOut, canceled, _time.GetElapsedTime(started), sink.Tail(), pgid);
    }

    private static Process Start(ShellCommandRequest request)
    {
        var info = new ProcessStartInfo("setsid")
        {
            WorkingDirectory = request.WorkingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
        };
        foreach (var arg in new[] { "sh", "-c", MergeAndExec, "sh", request.Command })
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in request.Environment)
        {
            info.Environment[key] = value;
        }

        return Process.Start(info) ?? throw new InvalidOperationException("sh could not be started");
    }

    /// <summary>Waits for the exit; on timeout or cancellation kills the whole group first.</summary>
    private async Task<(bool TimedOut, bool Canceled)> WaitAsync(Process process, int pgid, ShellCommandRequest request, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(request.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
            if (request.KillLeftoversOnExit && ProcessGroup.Exists(pgid))
            {
                await KillGroupAsync(pgid, request.KillGrace).ConfigureAwait(false);
            }

            return (false, false);
        }
        catch (OperationCanceledException)
        {
            await KillGroupAsync(pgid, request.KillGrace).ConfigureAwait(false);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            return cancellationToken.IsCancellationRequested ? (false, true) : (true, false);
        }
    }

    /// <summary>SIGTERM to the group, up to <paramref name="grace"/> for it to leave, then SIGKILL to the group.</summary>
    public async Task KillGroupAsync(int pgid, TimeSpan grace)
    {
        if (!ProcessGroup.Signal(pgid, ProcessGroup.SigTerm))
        {
            return;
        }

        var deadline = _time.GetTimestamp();
        while (_time.GetElapsedTime(deadline) < grace && ProcessGroup.HasRunningMembers(pgid))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), _time, CancellationToken.None).ConfigureAwait(false);
        }

        // Unconditional: a member that ignored SIGTERM, or one that is just starting, must not survive.
        ProcessGroup.Signal(pgid, ProcessGroup.SigKill);
    }

    private static async Task PumpAsync(Stream output, OutputSink sink)
    {
        using var reader = new StreamReader(output, new UTF8Encoding(false));
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            sink.Add(line);
        }
    }
}
