using System.Globalization;

namespace BlueGreen.Infrastructure.Tests.Processes;

/// <summary>Reads /proc to see which live (non-zombie) processes belong to a process group.</summary>
internal static class ProcessTable
{
    public static IReadOnlyList<int> LiveMembersOf(int pgid)
    {
        var members = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                // fields[0] = state, fields[2] = pgrp. A zombie is dead, only not yet reaped by its parent.
                if (fields[0] != "Z" && int.Parse(fields[2], CultureInfo.InvariantCulture) == pgid)
                {
                    members.Add(pid);
                }
            }
            catch (IOException)
            {
                // The process ended while we looked: not a member any more.
            }
        }

        return members;
    }

    /// <summary>Polls until the group has no live member or the limit passes; returns what is left.</summary>
    public static async Task<IReadOnlyList<int>> WaitUntilEmptyAsync(int pgid, TimeSpan limit)
    {
        var until = DateTime.UtcNow + limit;
        IReadOnlyList<int> left;
        while ((left = LiveMembersOf(pgid)).Count > 0 && DateTime.UtcNow < until)
        {
            await Task.Delay(50);
        }

        return left;
    }
}
