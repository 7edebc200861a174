using BlueGreen.Infrastructure.Processes;
using BlueGreen.Testing;

namespace BlueGreen.Infrastructure.Tests.Processes;

/// <summary>Which live (non-zombie) processes belong to a process group, and a wait until none does.</summary>
internal static class ProcessTable
{
    public static IReadOnlyList<int> LiveMembersOf(int pgid) => ProcessGroup.RunningMembers(pgid);

    /// <summary>Fails the test when the group still has a live member at the deadline.</summary>
    public static Task WaitUntilEmptyAsync(int pgid) =>
        Poll.UntilAsync(() => LiveMembersOf(pgid).Count == 0, $"process group {pgid} to have no live member");
}
