using BlueGreen.Core.Configuration;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;

namespace BlueGreen.Infrastructure.Etcd;

/// <summary>
/// The etcd cluster could not be reached (or did not answer in time). Mutating commands refuse on it with exit 1 and
/// one line naming the endpoints: nothing was changed, since every write is one transaction that either happened or not.
/// It is an <see cref="IOException"/>: every step that handles a failed disk write handles it alike (compensates, or stops).
/// </summary>
public sealed class EtcdUnavailableException(string endpoints, string reason, Exception? inner = null)
    : IOException($"etcd is unreachable at {endpoints} ({reason})", inner);

/// <summary>
/// etcd did not answer whether it applied a transaction, and could not be asked afterwards: it may have been applied.
/// Not an <see cref="IOException"/>: no step may take it for "nothing was written"; the next command's recovery settles it.
/// </summary>
public sealed class EtcdOutcomeUnknownException(string what, string reason, Exception? inner = null)
    : Exception($"etcd did not say whether it applied {what} ({reason}), and could not be asked since: it may have", inner);

/// <summary>Tests only: what <see cref="EtcdStore.Transact"/> loses.</summary>
internal enum AnswerFault
{
    None,
    RequestLost,
    AnswerLost,
}

/// <summary>Tests only: what happens to a keep-alive stream as <see cref="EtcdStore.KeepAlive"/> starts it.</summary>
internal enum StreamFault
{
    None,

    /// <summary>It ends at once with an error, as when its member goes away.</summary>
    Breaks,

    /// <summary>It never renews and never ends until cancelled, as on a starved or half-dead connection.</summary>
    Hangs,
}

/// <summary>One key as read: its value and the revision that last changed it.</summary>
public sealed record EtcdValue(string Key, string Value, long ModRevision, long CreateRevision, long Lease);

/// <summary>
/// The shared store of ROUTING_STORE=etcd (docs/etcd.md): the routing in Traefik's KV layout under ETCD_PREFIX, the
/// product's own keys under ETCD_STATE_PREFIX. Every call has a deadline; a cluster that cannot answer becomes an
/// <see cref="EtcdUnavailableException"/>, never a stack trace.
/// </summary>
public sealed class EtcdStore : IDisposable
{
    /// <summary>Long enough for a leader election (the cluster re-elects within ~1 s), short enough that an operator is not left waiting.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    private readonly EtcdClient _client;

    // One client per cluster and process: a gRPC channel is meant to be shared.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, EtcdStore> Shared = new(StringComparer.Ordinal);

    /// <summary>
    /// The cluster every host shares with ROUTING_STORE=etcd, null with files: the one place that decides which store
    /// the operations (Stores) and the readers (status, the cockpit) use. The client is shared and never disposed.
    /// </summary>
    public static EtcdStore? For(GlobalConfig global) => global.RoutingStore == RoutingStoreKind.Etcd
        ? Shared.GetOrAdd($"{global.EtcdEndpoints}|{global.EtcdPrefix}|{global.EtcdStatePrefix}", _ => new EtcdStore(global))
        : null;

    public EtcdStore(GlobalConfig global)
    {
        Endpoints = global.EtcdEndpoints;
        RoutingPrefix = global.EtcdPrefix;
        StatePrefix = global.EtcdStatePrefix;
        // No cap on an answer's size: status reads the whole routing tree at once (gRPC's default 4 MB is ~2,000 sites).
        _client = new EtcdClient(Endpoints, configureChannelOptions: options => options.MaxReceiveMessageSize = null);
    }

    public string Endpoints { get; }

    /// <summary>Traefik's rootKey (ETCD_PREFIX).</summary>
    public string RoutingPrefix { get; }

    /// <summary>The product's own keys (ETCD_STATE_PREFIX).</summary>
    public string StatePrefix { get; }

    public string StateKey(string site) => StatesPrefix + site;

    public string JournalHeadKey => $"{StatePrefix}/journal/head";

    public string JournalEntriesPrefix => $"{StatePrefix}/journal/entries/";

    /// <summary>Zero-padded so that key order is seq order.</summary>
    public string JournalEntryKey(long seq) => $"{JournalEntriesPrefix}{seq:D12}";

    public string LocksPrefix => $"{StatePrefix}/locks/";

    public string LockKey(string name) => LocksPrefix + name;

    /// <summary>
    /// The process group a lock's holder runs (DEPLOY_CMD), with the holder: NOT under the lease, so that it outlives a
    /// holder killed with -9 and the next holder of the lock can end (or refuse on) what it left running.
    /// </summary>
    public string ChildKey(string name) => $"{StatePrefix}/children/{name}";

    /// <summary>The operator's maintenance lock (`lock acquire`): not under a lease, it stays until `lock release`.</summary>
    public string MaintenanceKey => $"{StatePrefix}/maintenance";

    public string StatesPrefix => $"{StatePrefix}/state/";

    /// <param name="revision">Read as the store was at that revision (0: now): several reads at one revision are one snapshot.</param>
    public EtcdValue? Get(string key, long revision = 0) => Call(() =>
    {
        var response = Range(new RangeRequest { Key = Bytes(key), Revision = revision });
        return response.Kvs.Count == 0 ? null : Value(response.Kvs[0]);
    });

    /// <summary>Every key under a prefix, in key order, at one revision (<paramref name="revision"/>, or now).</summary>
    public IReadOnlyList<EtcdValue> List(string prefix, long revision = 0) => Call(() =>
        Range(new RangeRequest { Key = Bytes(prefix), RangeEnd = Bytes(EtcdClient.GetRangeEnd(prefix)), Revision = revision }).Kvs.Select(Value).ToList());

    /// <summary>Keys from <paramref name="from"/> (inclusive) to the end of <paramref name="prefix"/>, at <paramref name="revision"/> (or now).</summary>
    public IReadOnlyList<EtcdValue> ListFrom(string prefix, string from, long revision = 0) => Call(() =>
        Range(new RangeRequest { Key = Bytes(from), RangeEnd = Bytes(EtcdClient.GetRangeEnd(prefix)), Revision = revision }).Kvs.Select(Value).ToList());

    /// <summary>The store's revision now (read with the journal head's key, which it does not return): reads at it are one snapshot.</summary>
    public long Revision() => Call(() => Range(new RangeRequest { Key = Bytes(JournalHeadKey), CountOnly = true }).Header.Revision);

    private RangeResponse Range(RangeRequest request)
    {
        RangeObserver?.Invoke(request);
        return _client.Get(request, null, Deadline());
    }

    /// <summary>Tests only: sees each range read before it is sent (its keys and its revision).</summary>
    internal Action<RangeRequest>? RangeObserver { get; set; }

    /// <summary>One transaction: all of <paramref name="then"/> when every comparison holds, else nothing. True when it was applied.</summary>
    public bool Transact(IReadOnlyList<Compare> when, IReadOnlyList<RequestOp> then) => Call(() =>
    {
        var request = new TxnRequest();
        request.Compare.AddRange(when);
        request.Success.AddRange(then);
        var fault = TransactionFault?.Invoke(request) ?? AnswerFault.None;
        if (fault == AnswerFault.RequestLost)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.DeadlineExceeded, "the request was lost (test fault)"));
        }

        var succeeded = _client.Transaction(request, null, Deadline()).Succeeded;
        return fault == AnswerFault.AnswerLost ? throw new RpcException(new Grpc.Core.Status(StatusCode.DeadlineExceeded, "the answer was lost (test fault)")) : succeeded;
    });

    /// <summary>Tests only: loses a transaction's request or its answer, as a deadline or a dropped connection does.</summary>
    internal Func<TxnRequest, AnswerFault>? TransactionFault { get; set; }

    public long GrantLease(TimeSpan ttl) => Call(() => _client.LeaseGrant(new LeaseGrantRequest { TTL = (long)ttl.TotalSeconds }, null, Deadline()).ID);

    /// <summary>Keeps a lease alive until cancelled (etcd's keep-alive stream, renewed at a third of the TTL).</summary>
    public Task KeepAlive(long lease, CancellationToken ct) => (KeepAliveFault?.Invoke(lease) ?? StreamFault.None) switch
    {
        StreamFault.Breaks => Task.FromException(new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, "the keep-alive stream broke (test fault)"))),
        StreamFault.Hangs => Task.Delay(Timeout.Infinite, ct),
        _ => _client.LeaseKeepAlive(lease, ct),
    };

    /// <summary>Tests only: what happens to each keep-alive stream as it starts.</summary>
    internal Func<long, StreamFault>? KeepAliveFault { get; set; }

    /// <summary>Seconds the lease has left as etcd counts them; 0 or less: it is gone (revoked or expired).</summary>
    public long LeaseTtlLeft(long lease) => Call(() =>
    {
        if (LeaseTtlFault?.Invoke(lease) == StreamFault.Hangs)
        {
            // As a frozen member: no answer, then the call's deadline.
            Task.Delay(CallTimeout).Wait();
            throw new RpcException(new Grpc.Core.Status(StatusCode.DeadlineExceeded, "no answer (test fault)"));
        }

        return _client.LeaseTimeToLive(new LeaseTimeToLiveRequest { ID = lease }, null, Deadline()).TTL;
    });

    /// <summary>Tests only: <see cref="StreamFault.Hangs"/> makes a question of a lease's remaining TTL go unanswered until its deadline.</summary>
    internal Func<long, StreamFault>? LeaseTtlFault { get; set; }

    /// <summary>Ends a lease now: its keys go at once. A failure is let go: the lease expires on its own.</summary>
    public void TryRevoke(long lease)
    {
        try
        {
            _client.LeaseRevoke(new LeaseRevokeRequest { ID = lease }, null, Deadline());
        }
        catch (RpcException)
        {
        }
    }

    public static RequestOp Put(string key, string value, long lease = 0) =>
        new() { RequestPut = new PutRequest { Key = Bytes(key), Value = Bytes(value), Lease = lease } };

    public static RequestOp DeleteKey(string key) => new() { RequestDeleteRange = new DeleteRangeRequest { Key = Bytes(key) } };

    public static RequestOp DeletePrefix(string prefix) =>
        new() { RequestDeleteRange = new DeleteRangeRequest { Key = Bytes(prefix), RangeEnd = Bytes(EtcdClient.GetRangeEnd(prefix)) } };

    /// <summary>Holds when the key was last changed at <paramref name="revision"/> (0: the key does not exist).</summary>
    public static Compare ModRevisionIs(string key, long revision) =>
        new() { Key = Bytes(key), Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Equal, ModRevision = revision };

    /// <summary>Holds when the key was created at <paramref name="revision"/> (0: the key does not exist): the very same key, not a successor's.</summary>
    public static Compare CreateRevisionIs(string key, long revision) =>
        new() { Key = Bytes(key), Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = revision };

    public void Dispose() => _client.Dispose();

    private static ByteString Bytes(string text) => ByteString.CopyFromUtf8(text);

    private static EtcdValue Value(Mvccpb.KeyValue kv) => new(kv.Key.ToStringUtf8(), kv.Value.ToStringUtf8(), kv.ModRevision, kv.CreateRevision, kv.Lease);

    private static DateTime Deadline() => DateTime.UtcNow + CallTimeout;

    private T Call<T>(Func<T> call)
    {
        try
        {
            return call();
        }
        catch (RpcException e)
        {
            throw new EtcdUnavailableException(Endpoints, Describe(e), e);
        }
        catch (HttpRequestException e)
        {
            throw new EtcdUnavailableException(Endpoints, e.Message, e);
        }
    }

    private static string Describe(RpcException e) => e.StatusCode switch
    {
        StatusCode.DeadlineExceeded => $"no answer within {CallTimeout.TotalSeconds:0} s",
        StatusCode.Unavailable => OneLine(e.Status.Detail is { Length: > 0 } d ? d : "unavailable"),
        _ => OneLine($"{e.StatusCode}: {e.Status.Detail}"),
    };

    private static string OneLine(string text)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length > 200 ? line[..200] + "…" : line;
    }
}
