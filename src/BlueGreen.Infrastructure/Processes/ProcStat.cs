using System.Globalization;

namespace BlueGreen.Infrastructure.Processes;

/// <summary>
/// What /proc/PID/stat says of a process: its state (Z for a zombie), its process group and its start time
/// (field 22, in clock ticks since boot). The one reader of that file, for the product and the tests.
/// </summary>
public readonly record struct ProcStat(char State, int Group, string StartTime)
{
    /// <summary>Dead, only not yet reaped by its parent (a container's first process may never reap it).</summary>
    public bool IsZombie => State == 'Z';

    /// <summary>
    /// Parses "pid (comm) state ppid pgrp ...": comm may hold spaces or parentheses, so the fields start after the last ')'.
    /// Null for a line that is not a process's stat line (too few fields, no number where the group is).
    /// </summary>
    public static ProcStat? TryParse(string line)
    {
        var close = line.LastIndexOf(')');
        if (close < 0 || close + 2 > line.Length)
        {
            return null;
        }

        var fields = line[(close + 2)..].Split(' ');
        return fields.Length > 19 && fields[0].Length == 1 && fields[19].Length > 0
            && int.TryParse(fields[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var group)
            ? new ProcStat(fields[0][0], group, fields[19])
            : null;
    }

    /// <summary>The process now; null when it is gone.</summary>
    public static ProcStat? Of(int pid) => Read($"/proc/{pid}/stat");

    /// <summary>Alive and not a zombie.</summary>
    public static bool IsRunning(int pid) => Of(pid) is { IsZombie: false };

    /// <summary>Every process now; one that ends while we look is left out.</summary>
    public static IEnumerable<(int Pid, ProcStat Stat)> All()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Read(Path.Combine(dir, "stat")) is { } stat)
            {
                yield return (pid, stat);
            }
        }
    }

    private static ProcStat? Read(string path)
    {
        try
        {
            return TryParse(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone while we looked, or another user's.
            return null;
        }
    }
}
