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
        var lease = store.GrantLease(LeaseTtl);
        try
        {
            var holder = Json.Serialize(me, Json.Options);
            // Created only if absent: the comparison and the put are one step, so two hosts can never both get it.
            if (store.Transact([EtcdStore.CreateRevisionIs(key, 0)], [EtcdStore.Put(key, holder, lease)]))
            {
                var created = store.Get(key) ?? throw new EtcdUnavailableException(store.Endpoints, $"the {name} lock vanished right after it was taken");
                return new LeaseHeldLock(store, name, key, created.CreateRevision, lease, me);
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

    public IReadOnlyList<LockStatus> Inspect() =>
        store.List(store.LocksPrefix).Select(kv => new LockStatus(kv.Key[store.LocksPrefix.Length..], LockState.Held, ReadHolder(kv.Value))).ToList();

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

/// <summary>A lock held as a leased key. <see cref="Proof"/> is what a transaction compares to be sure it still holds it.</summary>
public sealed class LeaseHeldLock : HeldLock
{
    private readonly EtcdStore _store;
    private readonly long _lease;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _keepAlive;

    internal LeaseHeldLock(EtcdStore store, string name, string key, long createRevision, long lease, LockHolder holder)
        : base(name, holder, staleHolder: null)
    {
        _store = store;
        _lease = lease;
        Key = key;
        CreateRevision = createRevision;
        _keepAlive = Task.Run(() => store.KeepAlive(lease, _stop.Token));
    }

    public string Key { get; }

    /// <summary>The revision that created this holder's key: a successor's key (after an expiry) has another.</summary>
    public long CreateRevision { get; }

    public Etcdserverpb.Compare Proof => EtcdStore.CreateRevisionIs(Key, CreateRevision);

    protected override void WriteHolder(LockHolder holder)
    {
        if (!_store.Transact([Proof], [EtcdStore.Put(Key, Json.Serialize(holder, Json.Options), _lease)]))
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
            // The keep-alive ends with its cancellation (or had already failed): either way the lease is ended next.
        }

        _store.TryRevoke(_lease);
        _stop.Dispose();
    }
}
