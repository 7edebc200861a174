using BlueGreen.Core.Routing;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using BlueGreen.Router.Hosting;
using Microsoft.Extensions.Logging;

namespace BlueGreen.Router.Configuration;

/// <summary>
/// ROUTING_STORE=etcd: the routing read from etcd under Traefik's rootKey, as Traefik's KV provider does
/// (pkg/provider/kv): the whole prefix at one revision, decoded from Traefik's KV layout (<see cref="RoutingKv.Parse"/>),
/// then a watch from the next revision. Each watch response is applied whole (a switch is one transaction, and etcd
/// never splits a revision across responses), so the router never serves half a switch. After a disconnect it resumes
/// from the last revision it applied, on the next endpoint; when that revision was compacted it reads the prefix again.
/// While etcd is unreachable the last good snapshot keeps serving, and the outage is logged once.
/// </summary>
internal sealed class EtcdRoutesSource : IAsyncDisposable
{
    /// <summary>As the product's other etcd calls (EtcdStore.CallTimeout): long enough for a leader election.</summary>
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(1);

    private readonly IReadOnlyList<string> _endpoints;
    private readonly GrpcChannel[] _channels;
    private readonly string _rootKey;
    private readonly string _prefix;
    private readonly SnapshotHolder _holder;
    private readonly ILogger<EtcdRoutesSource> _log;
    private readonly CancellationTokenSource _stop = new();

    // Touched only by StartAsync and then the one loop.
    private readonly SortedDictionary<string, string> _pairs = new(StringComparer.Ordinal);
    private long _revision;
    private long _published;
    private int _endpoint;
    private bool _unreachable;
    private TimeSpan _retry = FirstRetry;
    private Task _loop = Task.CompletedTask;

    public EtcdRoutesSource(IReadOnlyList<string> endpoints, string rootKey, SnapshotHolder holder, ILogger<EtcdRoutesSource> log)
    {
        _endpoints = endpoints.Count > 0 ? endpoints : throw new ArgumentException("no etcd endpoint", nameof(endpoints));
        _channels = endpoints.Select(e => GrpcChannel.ForAddress(e, ChannelOptions())).ToArray();
        _rootKey = rootKey;
        _prefix = rootKey + "/";
        _holder = holder;
        _log = log;
    }

    /// <summary>
    /// The whole prefix comes in one answer: no cap on its size (gRPC's default, 4 MB, is about 2,000 sites; Traefik's
    /// client has none). HTTP/2 pings every 10 s: a connection that died silently (a firewall's idle timeout) ends the
    /// watch within 15 s instead of freezing it.
    /// </summary>
    private static GrpcChannelOptions ChannelOptions() => new()
    {
        MaxReceiveMessageSize = null,
        HttpHandler = new SocketsHttpHandler
        {
            KeepAlivePingDelay = TimeSpan.FromSeconds(10),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            EnableMultipleHttp2Connections = true,
        },
    };

    /// <summary>What the start line names as the routing's source.</summary>
    public string Description => $"etcd {string.Join(',', _endpoints)} under {_prefix}";

    /// <summary>The etcd revision the served routing was read at (0: none read yet).</summary>
    public long Revision => Volatile.Read(ref _revision);

    /// <summary>Reads the prefix once (each endpoint tried once), so that the first snapshot serves before the first connection; then watches.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        for (var i = 0; i < _endpoints.Count && _revision == 0; i++)
        {
            try
            {
                await ReadAllAsync(ct);
            }
            catch (Exception e) when (IsTransport(e) && !ct.IsCancellationRequested)
            {
                Unreachable(e);
                _endpoint = (_endpoint + 1) % _endpoints.Count;
            }
        }

        _loop = Task.Run(RunAsync);
    }

    private async Task RunAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                if (_revision == 0)
                {
                    await ReadAllAsync(token);
                }

                await WatchAsync(token);
                continue; // compacted: read again at once
            }
            catch (Exception) when (token.IsCancellationRequested)
            {
                return; // stopping: whatever the call threw on its way out is no outage
            }
            catch (Exception e) when (IsTransport(e))
            {
                Unreachable(e);
                _endpoint = (_endpoint + 1) % _endpoints.Count;
            }
            catch (Exception e)
            {
                // A reload must never kill the router: the current snapshot keeps serving; everything is read again.
                RouterLog.EtcdReadFailed(_log, e.Message);
                _revision = 0;
            }

            try
            {
                await Task.Delay(_retry, token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            _retry = TimeSpan.FromTicks(Math.Min(_retry.Ticks * 2, LastRetry.Ticks));
        }
    }

    /// <summary>The whole prefix at one revision (a linearizable read: what the cluster agreed on).</summary>
    private async Task ReadAllAsync(CancellationToken ct)
    {
        var kv = new KV.KVClient(_channels[_endpoint]);
        var response = await kv.RangeAsync(
            new RangeRequest { Key = Bytes(_prefix), RangeEnd = Bytes(EtcdClient.GetRangeEnd(_prefix)) },
            deadline: DateTime.UtcNow + CallTimeout,
            cancellationToken: ct);
        Reachable();
        _pairs.Clear();
        foreach (var pair in response.Kvs)
        {
            _pairs[pair.Key.ToStringUtf8()] = pair.Value.ToStringUtf8();
        }

        Volatile.Write(ref _revision, response.Header.Revision);
        Publish("read");
    }

    /// <summary>
    /// Watches from the revision after the last applied one until the stream ends (an error: thrown) or the revision was
    /// compacted (returns with <see cref="_revision"/> 0: the prefix is read again).
    /// </summary>
    private async Task WatchAsync(CancellationToken ct)
    {
        var watch = new Watch.WatchClient(_channels[_endpoint]);
        // hasleader: a member cut off from the leader ends the watch instead of going silent (etcd's WithRequireLeader).
        using var call = watch.Watch(new Metadata { { "hasleader", "true" } }, cancellationToken: ct);
        await call.RequestStream.WriteAsync(new WatchRequest
        {
            CreateRequest = new WatchCreateRequest { Key = Bytes(_prefix), RangeEnd = Bytes(EtcdClient.GetRangeEnd(_prefix)), StartRevision = _revision + 1 },
        }, ct);
        while (await call.ResponseStream.MoveNext(ct))
        {
            var response = call.ResponseStream.Current;
            if (response.CompactRevision > 0)
            {
                RouterLog.EtcdCompacted(_log, _revision + 1, response.CompactRevision, _prefix);
                _revision = 0;
                return;
            }

            if (response.Canceled)
            {
                throw new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, $"the watch was cancelled: {response.CancelReason}"));
            }

            if (response.Created)
            {
                Reachable();
                continue;
            }

            if (response.Events.Count == 0)
            {
                continue;
            }

            // One response holds whole revisions: every event of it first, then one snapshot.
            foreach (var change in response.Events)
            {
                var key = change.Kv.Key.ToStringUtf8();
                if (change.Type == Mvccpb.Event.Types.EventType.Delete)
                {
                    _pairs.Remove(key);
                }
                else
                {
                    _pairs[key] = change.Kv.Value.ToStringUtf8();
                }
            }

            Volatile.Write(ref _revision, response.Events.Max(e => e.Kv.ModRevision));
            Publish("watch");
        }

        throw new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, "the watch stream ended"));
    }

    /// <summary>
    /// Builds and publishes the snapshot of the pairs read so far. A failure here is a fault of this router, not of
    /// etcd: wrapped so that the loop does not take it for an outage, resume past it, and leave that revision unserved.
    /// </summary>
    private void Publish(string trigger)
    {
        try
        {
            PublishCore(trigger);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidDataException($"etcd revision {_revision} could not be published: {e.Message}", e);
        }
    }

    private void PublishCore(string trigger)
    {
        var (config, error) = RoutingKv.Parse(_pairs, _rootKey);
        if (config is null)
        {
            // Traefik's KV provider refuses a tree it cannot decode whole and keeps its previous configuration.
            var keeping = _published > 0 ? "the last good configuration keeps serving" : "nothing is served";
            RouterLog.EtcdRejected(_log, _revision, error ?? "the tree cannot be decoded", keeping);
            return;
        }

        var source = $"etcd:{_prefix}";
        var snapshot = SnapshotBuilder.Build(++_published, [new GoodFile(source, config)], SnapshotBuilder.EtcdProvider);
        _holder.Publish(snapshot);
        RoutesLoader.Report(snapshot, $"etcd revision {_revision}", trigger, _log);
    }

    private void Unreachable(Exception e)
    {
        if (_unreachable)
        {
            return;
        }

        _unreachable = true;
        var serving = _published > 0 ? $"the configuration of etcd revision {_revision} keeps serving" : "nothing is served yet";
        RouterLog.EtcdUnreachable(_log, _endpoints[_endpoint], Reason(e), serving);
    }

    private void Reachable()
    {
        _retry = FirstRetry;
        if (_unreachable)
        {
            _unreachable = false;
            RouterLog.EtcdBack(_log, _endpoints[_endpoint], _revision > 0 ? $": resuming from revision {_revision + 1}" : "");
        }
    }

    // gRPC reports some broken connections as InvalidOperationException; a failure to publish is wrapped (Publish) so it is never one.
    private static bool IsTransport(Exception e) => e is RpcException or HttpRequestException or IOException or InvalidOperationException;

    private static string Reason(Exception e) => (e is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : e.Message).ReplaceLineEndings(" ");

    private static ByteString Bytes(string text) => ByteString.CopyFromUtf8(text);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        _stop.Dispose();
    }
}
