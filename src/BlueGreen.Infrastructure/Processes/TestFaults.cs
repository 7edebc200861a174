namespace BlueGreen.Infrastructure.Processes;

/// <summary>
/// TEST-ONLY hook for crash and signal tests (docs/failure-modes.md): BLUEGREEN_TEST_FAULT=ACTION:STEP:kill
/// makes the command SIGKILL itself right after the named step; ...:term sends itself SIGTERM there and waits
/// until the signal handler has seen it, so the test is deterministic. Unset, it does nothing.
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
    }
}
