using BlueGreen.Core.Journal;
using BlueGreen.Infrastructure.Etcd;
using BlueGreen.Infrastructure.Locking;
using BlueGreen.Infrastructure.Processes;

namespace BlueGreen.Operations.Common;

/// <summary>
/// Takes the locks an operation needs, always in one order (switch, then site) so two commands never
/// wait on each other. A stale lock (its holder died) is taken over and journaled, after ending whatever
/// command the dead holder left running (TERM, then KILL after a grace): two deploys never share a slot.
/// Once they are held, the maintenance lock is read: while an operator holds it, nothing goes on (exit 4).
/// With --lock-wait, a busy lock is waited for: everything is let go, then tried again, so a waiting command
/// never holds one lock while it waits for another.
/// </summary>
internal sealed class SiteLocks : IDisposable
{
    private static readonly TimeSpan LeftoverGrace = TimeSpan.FromSeconds(3);

    private static readonly TimeSpan WaitPoll = TimeSpan.FromMilliseconds(100);

    private readonly List<HeldLock> _held = [];

    private SiteLocks()
    {
    }

    /// <summary>The site's own lock: where a running command's process group is recorded.</summary>
    public HeldLock SiteLock => _held[^1];

    /// <summary>
    /// With etcd: the comparisons that hold while these locks are still this command's (their leased keys are the
    /// ones it created). A write made on them cannot land after a lease expired and another host took over.
    /// </summary>
    /// <exception cref="LockLostException">A lease is known to be gone: the write is not even tried.</exception>
    public IReadOnlyList<Etcdserverpb.Compare> Proofs
    {
        get
        {
            ThrowIfLost();
            return _held.OfType<LeaseHeldLock>().Select(l => l.Proof).ToList();
        }
    }

    /// <summary>Cancelled when one of these locks' leases is lost (etcd); never with files, which the kernel holds.</summary>
    public CancellationToken Lost => _lost?.Token ?? CancellationToken.None;

    /// <exception cref="LockLostException">One of these locks' leases is gone.</exception>
    public void ThrowIfLost()
    {
        foreach (var held in _held.OfType<LeaseHeldLock>())
        {
            held.ThrowIfLost();
        }
    }

    private CancellationTokenSource? _lost;

    /// <exception cref="LockBusyException">A live process holds one of them, or the maintenance lock is held; nothing is kept.</exception>
    /// <exception cref="OperationCanceledException">A signal ended the wait; nothing is kept.</exception>
    public static Task<SiteLocks> TakeAsync(OperationContext context, OperationJournal journal, string site, bool switchLock, CancellationToken signalled) =>
        TakeAsync(context, journal, site, switchLock ? [FileLock.SwitchLock, FileLock.SiteLock(site)] : [FileLock.SiteLock(site)], signalled);

    /// <param name="names">In the one order: the switch lock first, then site locks.</param>
    /// <param name="journalSite">The site a stale-lock takeover is journaled under (null: the whole home).</param>
    public static async Task<SiteLocks> TakeAsync(OperationContext context, OperationJournal journal, string? journalSite, IReadOnlyList<string> names, CancellationToken signalled)
    {
        var started = context.Clock.GetTimestamp();
        string? waitingFor = null;
        while (true)
        {
            try
            {
                return await TakeOnceAsync(context, journal, journalSite, names);
            }
            catch (LockBusyException busy) when (context.Clock.GetElapsedTime(started) < context.LockWait)
            {
                if (busy.Message != waitingFor)
                {
                    waitingFor = busy.Message;
                    var left = context.LockWait - context.Clock.GetElapsedTime(started);
                    context.Reporter.Step($"waiting (up to {left.TotalSeconds:0} s more, --lock-wait): {busy.Message}");
                }

                await Task.Delay(WaitPoll, context.Clock, signalled);
            }
        }
    }

    private static async Task<SiteLocks> TakeOnceAsync(OperationContext context, OperationJournal journal, string? journalSite, IReadOnlyList<string> names)
    {
        var locks = new SiteLocks();
        var files = journal.Stores.Locks;
        var me = LockHolder.Current(context.CommandLine, context.Clock.GetUtcNow());
        try
        {
            foreach (var name in names)
            {
                var held = files.Acquire(name, me);
                locks._held.Add(held);
                if (held.StaleHolder is { } stale)
                {
                    if (held is LeaseHeldLock && stale.Host != Environment.MachineName && stale.ChildGroup is { } elsewhere)
                    {
                        // etcd: a holder on another host left its command's group there; this host can neither see nor end it.
                        throw new LockBusyException(name, stale with { Command = $"{stale.Command} (gone; its process group {elsewhere} on host {stale.Host} may still be running: end it there, then delete {journal.Stores.Etcd?.ChildKey(name)} with etcdctl)" });
                    }

                    var (ended, stillRunning) = await EndLeftoversAsync(stale, context.Clock);
                    if (stillRunning)
                    {
                        // Two commands must never work on one slot: refuse while the old one's group lives.
                        throw new LockBusyException(name, stale with { Command = $"{stale.Command} (dead; its process group {stale.ChildGroup} is still running)" });
                    }

                    var message = $"took over the stale {name} lock of {stale}: that process is gone{ended}";
                    context.Reporter.Warn(message);
                    // The takeover (and any kill) already happened: a journal failure must not hide it, so it is
                    // journaled before the stale record is forgotten, which may fail (etcd gone).
                    journal.TryRecord(journalSite, "lock-takeover", JournalOutcome.Succeeded, message);
                    held.ForgetStaleHolder();
                }
            }

            var leases = locks._held.OfType<LeaseHeldLock>().Select(l => l.Lost).ToArray();
            locks._lost = leases.Length > 0 ? CancellationTokenSource.CreateLinkedTokenSource(leases) : null;

            // Read under the locks `lock acquire` writes it under: it cannot appear while this command runs.
            if (journal.Stores.Maintenance.Read() is { } hold)
            {
                throw new LockBusyException(MaintenanceLock.Name, hold.Holder, hold.Message);
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
        _lost?.Dispose();
        _lost = null;
    }
}
