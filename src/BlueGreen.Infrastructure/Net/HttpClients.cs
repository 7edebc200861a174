namespace BlueGreen.Infrastructure.Net;

/// <summary>
/// The one place the product makes its HTTP clients (slot probes, health gates, the router's API).
/// Every request talks to the address configured, itself: no proxy, no redirect followed, no cookies.
/// Timeouts are per request (a cancellation token), never the client's.
/// </summary>
public static class HttpClients
{
    /// <summary>The process's client: one connection pool for every command and the cockpit.</summary>
    public static readonly HttpClient Shared = Create();

    /// <summary>
    /// A client with a connection pool of its own, configured as the shared one: for a caller that stands for
    /// separate users (the demo's load), optionally without keep-alive (a new connection per request).
    /// </summary>
    public static HttpClient Create(bool keepAlive = true, TimeSpan? timeout = null) => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        // A redeployed slot or a restarted router may come back on the same address: do not reuse stale connections for long.
        PooledConnectionLifetime = keepAlive ? TimeSpan.FromSeconds(30) : TimeSpan.Zero,
    })
    {
        Timeout = timeout ?? Timeout.InfiniteTimeSpan,
    };
}
