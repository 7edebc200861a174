namespace BlueGreen.Infrastructure.Processes;

/// <summary>
/// TEST-ONLY hook for crash and signal tests (docs/failure-modes.md): BLUEGREEN_TEST_FAULT=ACTION:STEP:kill
/// makes the command SIGKILL itself right after the named step; ...:term sends itself SIGTERM there and waits
/// until the signal handler has seen it, so the test is deterministic; ...:fill=DIR fills the file system
/// holding DIR (relative to the working directory or absolute) there, for full-disk tests. Unset, it does nothing.
/// </summary>
public static class TestFaults
{
    public const string Variable = "BLUEGREEN_TEST_FAULT";

    private static readonly string? Fault = Environment.GetEnvironmentVariable(Variable);

    public static void At(string action, string step, CancellationToken signalled)
    {
        if (Fault is null || !Fault.StartsWith($"{action}:{step}:", StringComparison.Ordinal))
        {
            return;
        }

        var how = Fault[(action.Length + step.Length + 2)..];
        if (how == "kill")
        {
            ProcessGroup.SignalProcess(Environment.ProcessId, ProcessGroup.SigKill);
            Thread.Sleep(Timeout.Infinite);
        }
        else if (how == "term")
        {
            ProcessGroup.SignalProcess(Environment.ProcessId, ProcessGroup.SigTerm);
            signalled.WaitHandle.WaitOne(TimeSpan.FromSeconds(10));
        }
        else if (how.StartsWith("fill=", StringComparison.Ordinal))
        {
            Fill(how["fill=".Length..]);
        }
    }

    /// <summary>Writes a filler file in <paramref name="dir"/> until the file system refuses (ENOSPC).</summary>
    private static void Fill(string dir)
    {
        var chunk = new byte[4096];
        using var filler = new FileStream(Path.Combine(dir, ".bluegreen-test-filler"), FileMode.Append, FileAccess.Write, FileShare.ReadWrite, bufferSize: 1, FileOptions.WriteThrough);
        try
        {
            while (true)
            {
                filler.Write(chunk);
            }
        }
        catch (IOException)
        {
            // Full.
        }
    }
}
