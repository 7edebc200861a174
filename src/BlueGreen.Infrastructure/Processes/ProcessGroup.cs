using System.Runtime.InteropServices;

namespace BlueGreen.Infrastructure.Processes;

/// <summary>Signals to a whole process group through libc, so a command's children die with it.</summary>
public static class ProcessGroup
{
    public const int SigTerm = 15;
    public const int SigKill = 9;
    public const int SigInt = 2;
    private const int Esrch = 3;

    /// <summary>Sends <paramref name="signal"/> to every process of the group. False when the group is gone.</summary>
    public static bool Signal(int pgid, int signal)
    {
        if (pgid <= 1)
        {
            // -1 or -0 would address every process we may signal or our own group: never.
            throw new ArgumentOutOfRangeException(nameof(pgid), pgid, "not a process group of a command");
        }

        return Kill(-pgid, signal) == 0;
    }

    /// <summary>Sends <paramref name="signal"/> to one process (e.g. SIGTERM for a graceful stop). False when it is gone.</summary>
    public static bool SignalProcess(int pid, int signal)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(pid, 1);
        return Kill(pid, signal) == 0;
    }

    /// <summary>True while at least one process (zombies included) is in the group.</summary>
    public static bool Exists(int pgid) => Kill(-pgid, 0) == 0 || Marshal.GetLastPInvokeError() != Esrch;

    /// <summary>
    /// True while a member of the group still runs. Unlike <see cref="Exists"/> it ignores zombies: killed members
    /// that nobody reaps (a container's first process may never) have stopped running all the same.
    /// </summary>
    public static bool HasRunningMembers(int pgid) => Exists(pgid) && ProcStat.All().Any(p => !p.Stat.IsZombie && p.Stat.Group == pgid);

    /// <summary>The members of the group that still run (zombies left out), now.</summary>
    public static IReadOnlyList<int> RunningMembers(int pgid) =>
        ProcStat.All().Where(p => !p.Stat.IsZombie && p.Stat.Group == pgid).Select(p => p.Pid).ToList();

    /// <summary>
    /// Who a process is, beyond its number: this boot's id and the process's start time (field 22 of /proc/PID/stat).
    /// Null when it is gone.
    /// </summary>
    public static string? IdentityOf(int pid)
    {
        try
        {
            var boot = File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
            return ProcStat.Of(pid) is { } stat ? $"{boot}/{stat.StartTime}" : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// True when group <paramref name="pgid"/> is the one whose leader had <paramref name="identity"/>: same boot, and the
    /// same start time while the leader lives (once it is gone, its number cannot be a new group's while members remain).
    /// </summary>
    public static bool IsSameGroup(int pgid, string? identity)
    {
        if (identity is null || identity.IndexOf('/') is var slash && slash < 0)
        {
            return false;
        }

        if (IdentityOf(pgid) is { } now)
        {
            return now == identity;
        }

        try
        {
            return File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim() == identity[..slash];
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>The process group of a process, read from /proc; null when the process is gone.</summary>
    public static int? GroupOf(int pid) => ProcStat.Of(pid)?.Group;

    // DllImport rather than LibraryImport: two ints need no marshalling and no unsafe code.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int sig);
}
