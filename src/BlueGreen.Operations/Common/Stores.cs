using BlueGreen.Infrastructure.Etcd;
using BlueGreen.Infrastructure.Locking;
using BlueGreen.Infrastructure.State;

namespace BlueGreen.Operations.Common;

/// <summary>
/// The stores an operation works with, chosen once by ROUTING_STORE: this host's files, or the etcd cluster every
/// host shares (routing, state, journal head, locks, the maintenance lock). The one place an operation gets its stores
/// from; whether there is a cluster is <see cref="EtcdStore.For"/>'s to say, which status and the cockpit ask too.
/// </summary>
internal sealed class Stores(OperationContext context)
{
    /// <summary>The cluster, with ROUTING_STORE=etcd; null with files.</summary>
    public EtcdStore? Etcd { get; } = EtcdStore.For(context.Global);

    public ILockStore Locks => Etcd is { } etcd ? new EtcdLeaseLock(etcd) : new FileLock(context.Home.LocksDir);

    /// <summary>The operator's maintenance lock: a file of this host, or a key every host reads.</summary>
    public MaintenanceLock Maintenance => new(context.Home.LocksDir, Etcd);

    /// <summary>The state store; a write in etcd happens only while <paramref name="locks"/> are still held.</summary>
    public StateStore State(SiteLocks? locks = null) => new(context.Home, context.Clock, Etcd, locks?.Proofs);
}
