using BlueGreen.Core.State;
using BlueGreen.Infrastructure.Locking;

namespace BlueGreen.Operations.Common;

/// <summary>
/// Takes the locks an operation needs, always in one order (switch, then site) so two commands never
/// wait on each other. A stale lock is taken over and journaled.
/// </summary>
internal sealed class SiteLocks : IDisposable
{
    private readonly List<HeldLock> _held = [];

    private SiteLocks()
    {
    }

    /// <exception cref="LockBusyException">A live process holds one of them; nothing is kept.</exception>
    public static SiteLocks Take(OperationContext context, OperationJournal journal, string site, bool switchLock)
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
                    var message = $"took over the stale {name} lock of {stale}: that process is gone";
                    context.Reporter.Warn(message);
                    journal.Record(site, "lock-takeover", Core.Journal.JournalOutcome.Succeeded, message);
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

    public void Dispose()
    {
        for (var i = _held.Count - 1; i >= 0; i--)
        {
            _held[i].Dispose();
        }

        _held.Clear();
    }
}
