using BlueGreen.Core.Journal;
using BlueGreen.Infrastructure.Locking;
using BlueGreen.Infrastructure.Processes;

namespace BlueGreen.Operations.Common;

/// <summary>
/// Takes the locks an operation needs, always in one order (switch, then site) so two commands never
/// wait on each other. A stale lock (its holder died) is taken over and journaled, after ending whatever
/// command the dead holder left running (TERM, then KILL after a grace): two deploys never share a slot.
/// </summary>
internal sealed class SiteLocks : IDisposable
{
    private static readonly TimeSpan LeftoverGrace = TimeSpan.FromSeconds(3);

    private readonly List<HeldLock> _held = [];

    private SiteLocks()
    {
    }

    /// <summary>The site's own lock: where a running command's process group is recorded.</summary>
    public HeldLock SiteLock => _held[^1];

    /// <exception cref="LockBusyException">A live process holds one of them; nothing is kept.</exception>
    public static async Task<SiteLocks> TakeAsync(OperationContext context, OperationJournal journal, string site, bool switchLock)
    {
        var locks = new SiteLocks();
        var files = new FileLock(context.Home.LocksDir);
        var me = LockHolder.Current(context.CommandLine, context.Clock.GetUtcNow());
        try
        {
            var names = switchLock ? new[] { FileLock.SwitchLock, FileLock.SiteLock(site) } : [FileLock.SiteLock(site)];
            foreach (var name in names)
            {
                var held = files.Acquire(name, me);
                locks._held.Add(held);
                if (held.StaleHolder is { } stale)
                {
                    var (ended, stillRunning) = await EndLeftoversAsync(stale, context.Clock);
                    if (stillRunning)
                    {
                        // Two commands must never work on one slot: refuse while the old one's group lives.
                        throw new LockBusyException(name, stale with { Command = $"{stale.Command} (dead; its process group {stale.ChildGroup} is still running)" });
                    }

                    var message = $"took over the stale {name} lock of {stale}: that process is gone{ended}";
                    context.Reporter.Warn(message);
                    // The takeover (and any kill) already happened: a journal failure must not hide it.
                    journal.TryRecord(site, "lock-takeover", JournalOutcome.Succeeded, message);
                }
            }

            return locks;
        }
        catch
        {
            locks.Dispose();
            throw;
        }
    }

    private static async Task<(string Ended, bool StillRunning)> EndLeftoversAsync(LockHolder stale, TimeProvider clock)
    {
        if (stale.ChildGroup is not { } pgid || pgid <= 1 || !ProcessGroup.HasRunningMembers(pgid))
        {
            return ("", false);
        }

        // A group number from another boot, or reused by another process since, is not ours to end.
        if (!ProcessGroup.IsSameGroup(pgid, stale.ChildIdentity))
        {
            return ($"; process group {pgid} now belongs to another process (not ended)", false);
        }

        await new ShellCommand(clock).KillGroupAsync(pgid, LeftoverGrace);
        var started = clock.GetTimestamp();
        while (ProcessGroup.HasRunningMembers(pgid) && clock.GetElapsedTime(started) < LeftoverGrace)
        {
            // SIGKILL is delivered asynchronously: a moment.
            await Task.Delay(TimeSpan.FromMilliseconds(20), clock);
        }

        return ProcessGroup.HasRunningMembers(pgid)
            ? ($"; its command's process group {pgid} did not end", true)
            : ($"; ended process group {pgid} that it left running (TERM, then KILL after {LeftoverGrace.TotalSeconds:0} s)", false);
    }

    public void Dispose()
    {
        for (var i = _held.Count - 1; i >= 0; i--)
        {
            _held[i].Dispose();
        }

        _held.Clear();
    }
}
