using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace BlueGreen.Router.Proxy;

/// <summary>
/// Copies the request (YARP's default) with the client's raw path, then sets the Host and X-Forwarded-*
/// headers as Traefik's forwardedheaders middleware does for an untrusted client: every incoming
/// X-Forwarded-* (and X-Real-Ip) value is removed, then the router's own are set.
/// </summary>
internal sealed class ForwardingTransformer(bool passHostHeader) : HttpTransformer
{
    public static readonly ForwardingTransformer PassHost = new(true);
    public static readonly ForwardingTransformer UpstreamHost = new(false);

    // Traefik's managed X-headers (XHeadersSet); underscore spellings count too.
    private static readonly HashSet<string> ManagedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "X-Forwarded-Proto", "X-Forwarded-Scheme", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Port",
        "X-Forwarded-Server", "X-Forwarded-Uri", "X-Forwarded-Method", "X-Forwarded-Prefix",
        "X-Forwarded-Tls-Client-Cert", "X-Forwarded-Tls-Client-Cert-Info", "X-Scheme", "X-Real-Ip",
    };

    private static readonly string ServerName = HostName();

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        var request = httpContext.Request;
        if (ForwardedTarget.RawPathAndQuery(httpContext.Features.Get<IHttpRequestFeature>()?.RawTarget, request.PathBase.Add(request.Path).Value ?? "") is { } raw)
        {
            // YARP re-encodes the decoded path (so /foo%2Fbar became /foo%252Fbar); Traefik sends the client's bytes.
            proxyRequest.RequestUri = new Uri(destinationPrefix + raw, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        }

        var headers = proxyRequest.Headers;
        // The base copies the client's Host; passHostHeader: false means the upstream's own authority.
        // The raw header, not HostString.Value: ASP.NET turns a punycode host (xn--9t9h.com) into Unicode,
        // which HttpClient refuses to send; Traefik forwards the ASCII form the client sent.
        var rawHost = request.Headers.Host.ToString();
        headers.Host = passHostHeader && rawHost.Length > 0 ? rawHost : null;

        foreach (var name in headers.Select(h => h.Key).Where(IsManaged).ToList())
        {
            headers.Remove(name);
        }

        var clientIp = httpContext.Connection.RemoteIpAddress?.ToString();
        var websocket = request.Headers.Upgrade.ToString().Equals("websocket", StringComparison.OrdinalIgnoreCase);
        var proto = request.IsHttps ? websocket ? "wss" : "https" : websocket ? "ws" : "http";
        Set(headers, "X-Forwarded-For", clientIp);
        Set(headers, "X-Real-Ip", clientIp);
        Set(headers, "X-Forwarded-Host", rawHost);
        Set(headers, "X-Forwarded-Proto", proto);
        Set(headers, "X-Forwarded-Port", ForwardedTarget.Port(request.Host.Port, proto));
        Set(headers, "X-Forwarded-Server", ServerName);
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var copy = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        if (InFlightExchange.IsEventStream(proxyResponse?.Content.Headers.ContentType?.MediaType))
        {
            httpContext.Features.Get<InFlightExchange>()?.BecomeStream();
        }

        return copy;
    }

    private static bool IsManaged(string name) => ManagedHeaders.Contains(name.Replace('_', '-'));

    private static void Set(HttpRequestHeaders headers, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            headers.TryAddWithoutValidation(name, value);
        }
    }

    private static string HostName()
    {
        try
        {
            return System.Net.Dns.GetHostName();
        }
        catch (System.Net.Sockets.SocketException)
        {
            return "localhost"; // Traefik's fallback when os.Hostname fails
        }
    }
}

/// <summary>Pure decisions about what the upstream is told: the target path and the forwarded port.</summary>
internal static class ForwardedTarget
{
    /// <summary>
    /// The client's path and query exactly as sent, when it names the same resource Kestrel routed on;
    /// null (YARP's re-encoded path) for other forms, or when Kestrel removed dot segments, so a backend
    /// never sees a path the rules did not see.
    /// </summary>
    public static string? RawPathAndQuery(string? rawTarget, string decodedPath)
    {
        if (string.IsNullOrEmpty(rawTarget) || rawTarget[0] != '/')
        {
            return null;
        }

        var query = rawTarget.IndexOf('?');
        var rawPath = query < 0 ? rawTarget : rawTarget[..query];
        return DecodeKeepingSlashes(rawPath) == decodedPath ? rawTarget : null;
    }

    /// <summary>Percent-decodes as Kestrel does for Request.Path: everything except an encoded slash.</summary>
    public static string DecodeKeepingSlashes(string rawPath)
    {
        var parts = System.Text.RegularExpressions.Regex.Split(rawPath, "(%2[Ff])");
        return string.Concat(parts.Select((p, i) => i % 2 == 1 ? p : Uri.UnescapeDataString(p)));
    }

    /// <summary>Traefik's forwardedPort: the Host header's port, else 443 for https/wss, else 80.</summary>
    public static string Port(int? hostPort, string proto) =>
        hostPort is { } p ? p.ToString(CultureInfo.InvariantCulture) : proto is "https" or "wss" ? "443" : "80";
}
