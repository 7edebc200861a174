using System.Diagnostics;
using BlueGreen.Core;
using BlueGreen.Infrastructure.Locking;

namespace BlueGreen.Infrastructure.Etcd;

/// <summary>
/// The named locks of ROUTING_STORE=etcd: a key ETCD_STATE_PREFIX/locks/NAME holding the holder (as var/locks/NAME.holder
/// does), attached to a lease kept alive while the lock is held. Another host's command sees the key and is refused
/// (exit 4, naming the holder); a holder killed with -9 stops renewing, and etcd deletes the key when the lease
/// expires (<see cref="LeaseTtl"/>), so the lock frees itself without anyone taking it over.
/// </summary>
public sealed class EtcdLeaseLock(EtcdStore store) : ILockStore
{
    /// <summary>How long a dead holder keeps a lock: renewals go at a third of it, so a busy host does not lose one.</summary>
    public static readonly TimeSpan LeaseTtl = TimeSpan.FromSeconds(5);

    public HeldLock Acquire(string name, LockHolder me)
    {
        var key = store.LockKey(name);
        var askedForLease = Stopwatch.GetTimestamp(); // the lease's TTL runs from about here: its first deadline counts from it
        var lease = store.GrantLease(LeaseTtl);
        try
        {
            var holder = Json.Serialize(me, Json.Options);
            // Created only if absent: the comparison and the put are one step, so two hosts can never both get it.
            if (store.Transact([EtcdStore.CreateRevisionIs(key, 0)], [EtcdStore.Put(key, holder, lease)]))
            {
                var created = store.Get(key) ?? throw new EtcdUnavailableException(store.Endpoints, $"the {name} lock vanished right after it was taken");
                // A holder that died while its DEPLOY_CMD ran left that command's group behind: the caller settles it.
                var leftover = store.Get(store.ChildKey(name)) is { } child ? ReadHolder(child.Value) : null;
                return new LeaseHeldLock(store, name, key, created.CreateRevision, lease, askedForLease, me, leftover);
            }

            var current = store.Get(key);
            throw new LockBusyException(name, current is null ? null : ReadHolder(current.Value));
        }
        catch
        {
            store.TryRevoke(lease);
            throw;
        }
    }

    public IReadOnlyList<LockStatus> Inspect() => InspectAt(0);

    /// <summary>The held locks as they were at <paramref name="revision"/> (0: now), for a reading that is one snapshot.</summary>
    public IReadOnlyList<LockStatus> InspectAt(long revision) =>
        store.List(store.LocksPrefix, revision).Select(kv => new LockStatus(kv.Key[store.LocksPrefix.Length..], LockState.Held, ReadHolder(kv.Value))).ToList();

    private static LockHolder? ReadHolder(string json)
    {
        try
        {
            return Json.Deserialize<LockHolder>(json);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}

/// <summary>
/// This command's lock lease is gone (revoked, or not renewed for its whole TTL): another command may hold the lock
/// now. The command stops: it must not write or run anything more under a lock that is not its own.
/// </summary>
public sealed class LockLostException(string name, string reason)
    : Exception($"the {name} lock was lost while this command held it ({reason}): another command may hold it now")
{
    public string LockName { get; } = name;
}

/// <summary>
/// A lock held as a leased key. <see cref="Proof"/> is what a transaction compares to be sure it still holds it.
/// The lease is renewed by etcd's keep-alive stream, which ends on its first error: it is started again (with
/// backoff) for as long as the lease can still be alive, and the lease's remaining TTL is read at a fifth of the TTL.
/// When etcd says the lease is gone, or could not say so until the TTL it last reported ran out, <see cref="Lost"/> is
/// set: the holder checks it before each write and while DEPLOY_CMD runs.
/// </summary>
public sealed class LeaseHeldLock : HeldLock
{
    private static readonly TimeSpan CheckEvery = EtcdLeaseLock.LeaseTtl / 5;

    private static readonly TimeSpan FirstRestart = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// etcd reports a lease's remaining TTL in whole seconds, rounded down: the lease may live up to a second past what it
    /// said. Before that second is out, a lease not heard of since is not yet surely gone (a renewal may be on its way).
    /// </summary>
    private static readonly TimeSpan TruncatedSecond = TimeSpan.FromSeconds(1);

    private readonly EtcdStore _store;
    private readonly long _lease;
    private readonly long _grantedAt;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _lost = new();
    private readonly Task _keepAlive;

    /// <param name="grantedAt">A <see cref="Stopwatch"/> timestamp taken before the lease was asked for.</param>
    internal LeaseHeldLock(EtcdStore store, string name, string key, long createRevision, long lease, long grantedAt, LockHolder holder, LockHolder? leftover)
        : base(name, holder, leftover)
    {
        _store = store;
        _lease = lease;
        _grantedAt = grantedAt;
        Key = key;
        CreateRevision = createRevision;
        _keepAlive = Task.Run(() => KeepAliveAsync(_stop.Token));
    }

    public string Key { get; }

    /// <summary>The revision that created this holder's key: a successor's key (after an expiry) has another.</summary>
    public long CreateRevision { get; }

    public Etcdserverpb.Compare Proof => EtcdStore.CreateRevisionIs(Key, CreateRevision);

    /// <summary>Cancelled once the lease is known to be gone: this command no longer holds the lock.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>Why <see cref="Lost"/> was set (null while the lock holds).</summary>
    public string? LostReason { get; private set; }

    /// <exception cref="LockLostException">The lease is gone.</exception>
    public void ThrowIfLost()
    {
        if (_lost.IsCancellationRequested)
        {
            throw new LockLostException(Name, LostReason ?? "its lease ended");
        }
    }

    protected override void WriteHolder(LockHolder holder)
    {
        ThrowIfLost();
        var json = Json.Serialize(holder, Json.Options);
        // The group also goes to a key outside the lease (EtcdStore.ChildKey); cleared with it when the command ends.
        var child = holder.ChildGroup is null ? EtcdStore.DeleteKey(_store.ChildKey(Name)) : EtcdStore.Put(_store.ChildKey(Name), json);
        if (!_store.Transact([Proof], [EtcdStore.Put(Key, json, _lease), child]))
        {
            throw new IOException($"the {Name} lock's lease expired: another command may hold it now");
        }

        _childRevision = holder.ChildGroup is null ? 0 : _store.Get(_store.ChildKey(Name))?.ModRevision ?? 0;
        _childGroup = holder.ChildGroup;
    }

    private long _childRevision;

    private int? _childGroup;

    public override void ForgetStaleHolder()
    {
        if (StaleHolder is not null && !_store.Transact([Proof], [EtcdStore.DeleteKey(_store.ChildKey(Name))]))
        {
            throw new IOException($"the {Name} lock's lease expired: another command may hold it now");
        }
    }

    protected override void Release()
    {
        _stop.Cancel();
        try
        {
            _keepAlive.Wait(TimeSpan.FromSeconds(1));
        }
        catch (AggregateException)
        {
            // The supervision ends with its cancellation: either way the lease is ended next.
        }

        // A lease lost while DEPLOY_CMD ran: the command was stopped, but its record could not be cleared on the lock's
        // condition. Cleared now if it is still this holder's own record (its revision) and the group is gone.
        if (_childRevision > 0 && _childGroup is { } group && !Processes.ProcessGroup.HasRunningMembers(group))
        {
            try
            {
                _store.Transact([EtcdStore.ModRevisionIs(_store.ChildKey(Name), _childRevision)], [EtcdStore.DeleteKey(_store.ChildKey(Name))]);
            }
            catch (EtcdUnavailableException)
            {
                // Left for the next holder, which finds the group gone.
            }
        }

        _store.TryRevoke(_lease);
        _stop.Dispose();
    }

    /// <summary>Keeps the lease alive and watches it, until released or lost.</summary>
    private async Task KeepAliveAsync(CancellationToken stop)
    {
        CancellationTokenSource? stream = null;
        Task? renewing = null;
        var restartDelay = FirstRestart;
        // Times on the monotonic clock, since the lease was asked for: a step of the wall clock (NTP) moves no deadline.
        TimeSpan Now() => Stopwatch.GetElapsedTime(_grantedAt);
        var restartAt = Now();
        // Until when the lease is surely alive: the last remaining TTL etcd reported, counted from when it was asked
        // (at first, the TTL it was granted with, counted from before the grant).
        var aliveUntil = EtcdLeaseLock.LeaseTtl;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                if ((renewing is null || renewing.IsCompleted) && Now() >= restartAt)
                {
                    // The stream ends on its first error (a member gone, a leader change): it is started again, at
                    // growing intervals while it keeps failing.
                    stream?.Cancel();
                    stream?.Dispose();
                    stream = CancellationTokenSource.CreateLinkedTokenSource(stop);
                    var token = stream.Token;
                    renewing = Task.Run(() => _store.KeepAlive(_lease, token), token);
                    restartAt = Now() + restartDelay;
                    restartDelay = TimeSpan.FromTicks(Math.Min(restartDelay.Ticks * 2, CheckEvery.Ticks));
                }

                try
                {
                    // Not raced against the lease's deadline: tried, that gave false losses (a running DEPLOY_CMD
                    // killed) whenever an answer was merely slow (a loaded host, a leader election). Doing better needs
                    // the deadline moved by the keep-alive stream's own answers, as etcd's Go client does.
                    var askedAt = Now();
                    var left = await Task.Run(() => _store.LeaseTtlLeft(_lease), stop);
                    switch (Read(left, EtcdLeaseLock.LeaseTtl))
                    {
                        case LeaseReading.Gone:
                            Lose("etcd says its lease was revoked or has expired");
                            return;
                        case LeaseReading.Renewed:
                            restartDelay = FirstRestart;
                            break;
                        case LeaseReading.Overdue when renewing is { IsCompleted: false }:
                            // The stream renews at a third of the TTL: one that is that late is stuck (a starved or
                            // half-dead connection), so a new one is started now rather than when it fails.
                            stream?.Cancel();
                            renewing = null;
                            restartAt = Now();
                            break;
                    }

                    // Counted from the question, not the answer: the TTL etcd reported was already running while it came back.
                    aliveUntil = askedAt + TimeSpan.FromSeconds(Math.Max(left, 0));
                }
                catch (EtcdUnavailableException e)
                {
                    if (Now() >= aliveUntil + TruncatedSecond)
                    {
                        Lose($"etcd could not renew or confirm its lease before its TTL ran out: {e.Message}");
                        return;
                    }
                }

                await Task.Delay(renewing?.IsCompleted != false ? Min(restartDelay, CheckEvery) : CheckEvery, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            stream?.Cancel();
            stream?.Dispose();
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>What a lease's remaining TTL, as etcd's LeaseTimeToLive reports it, says about its renewals.</summary>
    internal enum LeaseReading
    {
        /// <summary>Renewed within the last third of its TTL, as the keep-alive stream does.</summary>
        Renewed,

        /// <summary>Alive, and its stream's next renewal is due: nothing to do yet.</summary>
        Due,

        /// <summary>Alive with under half its TTL left: a renewal is late by a sixth of the TTL or more.</summary>
        Overdue,

        /// <summary>etcd no longer has it (-1): revoked, or expired and deleted with its keys.</summary>
        Gone,
    }

    /// <summary>
    /// etcd truncates the remaining TTL to whole seconds and answers -1 once the lease is gone, so 0 is a lease
    /// with under a second left (or just expired and not yet revoked): not yet lost, but surely overdue.
    /// </summary>
    internal static LeaseReading Read(long secondsLeft, TimeSpan ttl) => secondsLeft switch
    {
        < 0 => LeaseReading.Gone,
        _ when secondsLeft * 3 > (long)ttl.TotalSeconds * 2 => LeaseReading.Renewed,
        _ when secondsLeft * 2 < (long)ttl.TotalSeconds => LeaseReading.Overdue,
        _ => LeaseReading.Due,
    };

    private void Lose(string reason)
    {
        LostReason = reason;
        _lost.Cancel();
    }
}
