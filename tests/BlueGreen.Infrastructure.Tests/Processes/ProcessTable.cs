using BlueGreen.Infrastructure.Processes;

namespace BlueGreen.Infrastructure.Tests.Processes;

/// <summary>Which live (non-zombie) processes belong to a process group, and a wait until none does.</summary>
internal static class ProcessTable
{
    public static IReadOnlyList<int> LiveMembersOf(int pgid) => ProcessGroup.RunningMembers(pgid);

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
