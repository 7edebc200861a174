using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace BlueGreen.Router.Proxy;

/// <summary>
/// What one upstream server is doing for clients right now: ordinary exchanges in flight, and long-lived
/// ones (WebSockets, event streams) still open. Counted with Interlocked only, so the proxy path takes no lock.
/// </summary>
internal sealed class ServerLoad
{
    private int _requests;
    private int _streams;

    public int Requests => Volatile.Read(ref _requests);

    public int Streams => Volatile.Read(ref _streams);

    /// <summary>A request starts: a WebSocket upgrade counts as a stream from the start.</summary>
    public InFlightExchange Enter(bool stream)
    {
        Interlocked.Increment(ref stream ? ref _streams : ref _requests);
        return new InFlightExchange(this, stream);
    }

    internal void Promote()
    {
        // Order: the exchange is a stream before it stops being a request, so a reader never sees it idle.
        Interlocked.Increment(ref _streams);
        Interlocked.Decrement(ref _requests);
    }

    internal void Leave(bool stream) => Interlocked.Decrement(ref stream ? ref _streams : ref _requests);
}

/// <summary>One exchange counted on its server; the forwarding transformer finds it as a request feature.</summary>
internal sealed class InFlightExchange(ServerLoad load, bool stream)
{
    private int _stream = stream ? 1 : 0;
    private int _left;

    /// <summary>The response turned out to be an event stream: from now on it counts as a stream.</summary>
    public void BecomeStream()
    {
        if (Interlocked.CompareExchange(ref _stream, 1, 0) == 0)
        {
            load.Promote();
        }
    }

    /// <summary>The exchange is over (idempotent).</summary>
    public void Leave()
    {
        if (Interlocked.Exchange(ref _left, 1) == 0)
        {
            load.Leave(Volatile.Read(ref _stream) == 1);
        }
    }

    /// <summary>A WebSocket upgrade, over HTTP/1.1 (Upgrade header) or HTTP/2 (extended CONNECT).</summary>
    public static bool IsUpgrade(HttpContext context) =>
        context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest == true
        || context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect == true;

    /// <summary>Server-sent events: a response that stays open as long as the server writes.</summary>
    public static bool IsEventStream(string? contentType) =>
        contentType is not null && contentType.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// The load of every server URL the router has sent to, keyed as the snapshot's upstreams are (the URL
/// without a trailing '/'). Shared by every snapshot, so an exchange that began before a reload is still
/// counted after it; two services on one URL share its counts (it is one server).
/// </summary>
internal sealed class ServerLoads
{
    private readonly ConcurrentDictionary<string, ServerLoad> _byUrl = new(StringComparer.Ordinal);

    public ServerLoad For(string prefix) => _byUrl.GetOrAdd(prefix, static _ => new ServerLoad());

    /// <summary>The counts of a server URL as written in a file; zero for a server never used.</summary>
    public (int Requests, int Streams) Of(string serverUrl) =>
        _byUrl.TryGetValue(serverUrl.TrimEnd('/'), out var load) ? (load.Requests, load.Streams) : (0, 0);
}
