using System.Collections.Concurrent;
using BlueGreen.Core.Configuration;
using BlueGreen.Infrastructure.Etcd;
using BlueGreen.Infrastructure.Locking;
using BlueGreen.Infrastructure.State;

namespace BlueGreen.Operations.Common;

/// <summary>
/// The stores an operation works with, chosen once by ROUTING_STORE: this host's files, or the etcd cluster every
/// host shares (routing, state, journal head, locks). The one place that decides which; nothing else asks.
/// </summary>
internal sealed class Stores(OperationContext context)
{
    // One client per cluster and process: a gRPC channel is meant to be shared.
    private static readonly ConcurrentDictionary<string, EtcdStore> Clients = new(StringComparer.Ordinal);

    /// <summary>The cluster, with ROUTING_STORE=etcd; null with files.</summary>
    public EtcdStore? Etcd { get; } = context.Global.RoutingStore == RoutingStoreKind.Etcd
        ? Clients.GetOrAdd($"{context.Global.EtcdEndpoints}|{context.Global.EtcdPrefix}|{context.Global.EtcdStatePrefix}", _ => new EtcdStore(context.Global))
        : null;

    public ILockStore Locks => Etcd is { } etcd ? new EtcdLeaseLock(etcd) : new FileLock(context.Home.LocksDir);

    /// <summary>The state store; a write in etcd happens only while <paramref name="locks"/> are still held.</summary>
    public StateStore State(SiteLocks? locks = null) => new(context.Home, context.Clock, Etcd, locks?.Proofs);
}
