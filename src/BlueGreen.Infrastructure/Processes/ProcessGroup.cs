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
    public static bool HasRunningMembers(int pgid)
    {
        if (!Exists(pgid))
        {
            return false;
        }

        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir);
            if (!int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[0] != "Z" && int.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture) == pgid)
                {
                    return true;
                }
            }
            catch (IOException)
            {
                // Gone while we looked.
            }
        }

        return false;
    }

    /// <summary>
    /// Who a process is, beyond its number: this boot's id and the process's start time (field 22 of /proc/PID/stat).
    /// Null when it is gone.
    /// </summary>
    public static string? IdentityOf(int pid)
    {
        try
        {
            var boot = File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return $"{boot}/{fields[19]}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException)
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
    public static int? GroupOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // "pid (comm) state ppid pgrp ...": comm may hold spaces or parentheses, so cut after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    // DllImport rather than LibraryImport: two ints need no marshalling and no unsafe code.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int sig);
}
