using System.Diagnostics;
using System.Net;
using BlueGreen.Router.Configuration;
using BlueGreen.Router.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace BlueGreen.Router.Proxy;

/// <summary>
/// The whole proxy pipeline: read the current snapshot once, match, pick an upstream, forward.
/// A request keeps the snapshot it started with, so a reload never changes it midway.
/// </summary>
internal sealed class ProxyHandler(SnapshotHolder holder, ServerLoads loads, IHttpForwarder forwarder, HttpMessageInvoker invoker, AccessLog? accessLog, TraefikMetrics? metrics, ILogger<ProxyHandler> logger)
{
    // HTTP/1.1 to upstreams, as Traefik does by default; YARP would otherwise try HTTP/2 first.
    private static readonly ForwarderRequestConfig RequestConfig = new()
    {
        ActivityTimeout = TimeSpan.FromSeconds(100),
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
    };

    public async Task HandleAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        // As Traefik's metrics middleware: the protocol is read from the request before it is forwarded.
        var protocol = metrics is null ? 0 : RequestLabels.ProtocolIndex(context.Request.Headers);
        var snapshot = holder.Current;
        var route = snapshot.Match(context);
        Upstream? upstream = null;
        int? originStatus = null;
        if (route is null)
        {
            RouterLog.NoRouter(logger, context.Request.Method, context.Request.Host.Value ?? "", context.Request.Path.Value ?? "");
            await WriteTextAsync(context, StatusCodes.Status404NotFound, "404 page not found\n");
        }
        else if ((upstream = route.Service.Pick(context)) is null)
        {
            RouterLog.NoServer(logger, context.Request.Method, context.Request.Host.Value ?? "", context.Request.Path.Value ?? "", route.Name);
            await WriteTextAsync(context, StatusCodes.Status503ServiceUnavailable, "no available server\n");
        }
        else
        {
            var transformer = upstream.PassHostHeader ? ForwardingTransformer.PassHost : ForwardingTransformer.UpstreamHost;
            // Counted until the exchange ends: for a WebSocket or an event stream, when the connection closes.
            var exchange = loads.For(upstream.Prefix).Enter(InFlightExchange.IsUpgrade(context));
            context.Features.Set(exchange);
            try
            {
                var error = await forwarder.SendAsync(context, upstream.Prefix, invoker, RequestConfig, transformer);
                if (error != ForwarderError.None)
                {
                    ReportError(context, error, upstream);
                }
                else
                {
                    originStatus = context.Response.StatusCode;
                }
            }
            finally
            {
                exchange.Leave();
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        accessLog?.Write(context, route?.Name, upstream, originStatus, elapsed);
        metrics?.Observe(StatusCode(context, protocol), RequestLabels.MethodIndex(context.Request.Method), protocol, route?.Name, route?.ServiceName, upstream?.Service, elapsed);
    }

    /// <summary>The code label: the HTTP status, or for gRPC the call's Grpc-Status (trailer, else header).</summary>
    private static int StatusCode(HttpContext context, int protocol)
    {
        if (!RequestLabels.IsGrpc(protocol))
        {
            return context.Response.StatusCode;
        }

        var trailers = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers;
        var status = trailers?["grpc-status"] is { Count: > 0 } t ? t[0] : context.Response.Headers["grpc-status"] is { Count: > 0 } h ? h[0] : null;
        return RequestLabels.GrpcCode(status);
    }

    private void ReportError(HttpContext context, ForwarderError error, Upstream upstream)
    {
        // A client that goes away is not the router's fault: no error line for it.
        if (error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled)
        {
            return;
        }

        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        if (exception is null)
        {
            RouterLog.ProxyError(logger, context.Request.Method, context.Request.Path.Value ?? "", upstream.Service, upstream.Prefix, error.ToString());
        }
        else
        {
            RouterLog.ProxyErrorWithCause(logger, context.Request.Method, context.Request.Path.Value ?? "", upstream.Service, upstream.Prefix, error.ToString(), UpstreamRetry.Describe(exception));
        }
    }

    private static Task WriteTextAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text);
    }

    /// <summary>The shared client of every upstream: pooled connections survive reloads.</summary>
    public static HttpMessageInvoker CreateInvoker(ILogger<UpstreamClient> logger) => new(new UpstreamClient(logger));
}
