using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace BlueGreen.Router.Proxy;

/// <summary>
/// Copies the request (YARP's default), then sets the Host and X-Forwarded-* headers as Traefik does for
/// an untrusted client: incoming X-Forwarded-* values are replaced, not trusted.
/// </summary>
internal sealed class ForwardingTransformer(bool passHostHeader) : HttpTransformer
{
    public static readonly ForwardingTransformer PassHost = new(true);
    public static readonly ForwardingTransformer UpstreamHost = new(false);

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        var request = httpContext.Request;
        var headers = proxyRequest.Headers;
        // The base copies the client's Host; passHostHeader: false means the upstream's own authority.
        headers.Host = passHostHeader && request.Host.HasValue ? request.Host.Value : null;

        var clientIp = httpContext.Connection.RemoteIpAddress?.ToString();
        Set(headers, "X-Forwarded-For", clientIp);
        Set(headers, "X-Real-Ip", clientIp);
        Set(headers, "X-Forwarded-Host", request.Host.Value);
        Set(headers, "X-Forwarded-Proto", request.Scheme);
        Set(headers, "X-Forwarded-Port", (request.Host.Port ?? httpContext.Connection.LocalPort).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static void Set(System.Net.Http.Headers.HttpRequestHeaders headers, string name, string? value)
    {
        headers.Remove(name);
        if (!string.IsNullOrEmpty(value))
        {
            headers.TryAddWithoutValidation(name, value);
        }
    }
}
