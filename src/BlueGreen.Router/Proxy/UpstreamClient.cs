using Microsoft.Extensions.Logging;
using System.Net;
using System.Net.Sockets;

namespace BlueGreen.Router.Proxy;

/// <summary>
/// Which failed upstream exchanges may be sent again, as nginx (<c>proxy_next_upstream error</c>) and Go's
/// transport decide: an idempotent request that carries no body, whose connection failed before the
/// response headers arrived. A request whose body was (or may have been) sent is never replayed.
/// </summary>
internal static class UpstreamRetry
{
    // RFC 9110 §9.2.2: the idempotent methods.
    private static readonly HashSet<string> IdempotentMethods = new(StringComparer.OrdinalIgnoreCase)
    {
        "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE",
    };

    public static bool IsReplayable(HttpRequestMessage request) =>
        request.Content is null && IdempotentMethods.Contains(request.Method.Method);

    /// <summary>True for a failure of the connection itself; false for a timeout, a cancellation or a malformed answer.</summary>
    public static bool IsConnectionFailure(Exception error) => error switch
    {
        OperationCanceledException => false,
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.ResponseEnded } => true,
        HttpRequestException { HttpRequestError: HttpRequestError.Unknown, InnerException: { } inner } => inner is IOException or SocketException,
        _ => false,
    };

    /// <summary>"outer ← inner ← innermost": the cause that makes a connection error understandable.</summary>
    public static string Describe(Exception error)
    {
        var parts = new List<string>();
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (parts.Count == 0 || parts[^1] != e.Message)
            {
                parts.Add(e.Message);
            }
        }

        return string.Join(" ← ", parts);
    }
}

/// <summary>
/// The client of every upstream. Pooled keep-alive connections serve requests; a replayable request whose
/// connection failed is sent once more on a connection opened for it alone, so a server that closed a
/// connection (idle timeout, HTTP/1.0, a full accept queue) never costs a client its request.
/// SocketsHttpHandler itself already resends a request whose connection ended cleanly (FIN) before any
/// answer; a reset (RST), as python's http.server gives under load, reaches this class.
/// </summary>
internal sealed class UpstreamClient : HttpMessageHandler
{
    // Below the keep-alive of common servers (Node.js and Apache 5 s, gunicorn 2 s): the router drops an
    // idle connection before the server does, so it seldom writes into one the server is closing.
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(1);

    private readonly HttpMessageInvoker _pooled;
    private readonly HttpMessageInvoker _fresh;
    private readonly ILogger<UpstreamClient> _logger;

    public UpstreamClient(ILogger<UpstreamClient> logger)
    {
        _logger = logger;
        _pooled = new HttpMessageInvoker(NewHandler(pooled: true));
        _fresh = new HttpMessageInvoker(NewHandler(pooled: false));
    }

    private static SocketsHttpHandler NewHandler(bool pooled) => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        EnableMultipleHttp2Connections = true,
        ActivityHeadersPropagator = null,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionIdleTimeout = IdleTimeout,
        // Zero: the connection closes after its one request, so a retry never meets another stale one.
        PooledConnectionLifetime = pooled ? Timeout.InfiniteTimeSpan : TimeSpan.Zero,
    };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await _pooled.SendAsync(request, cancellationToken);
        }
        catch (Exception first) when (!cancellationToken.IsCancellationRequested && UpstreamRetry.IsConnectionFailure(first) && UpstreamRetry.IsReplayable(request))
        {
            RouterLog.SentAgain(_logger, request.Method.Method, request.RequestUri, UpstreamRetry.Describe(first));
            return await _fresh.SendAsync(Copy(request), cancellationToken);
        }
    }

    /// <summary>A body-less request rebuilt for the second attempt: a handler may have marked or changed the first.</summary>
    private static HttpRequestMessage Copy(HttpRequestMessage request)
    {
        var copy = new HttpRequestMessage(request.Method, request.RequestUri)
        {
            Version = request.Version,
            VersionPolicy = request.VersionPolicy,
        };
        foreach (var (name, values) in request.Headers)
        {
            copy.Headers.TryAddWithoutValidation(name, values);
        }

        foreach (var (key, value) in request.Options)
        {
            ((IDictionary<string, object?>)copy.Options)[key] = value;
        }

        return copy;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _pooled.Dispose();
            _fresh.Dispose();
        }

        base.Dispose(disposing);
    }
}
