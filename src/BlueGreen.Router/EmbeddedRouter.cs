using System.Net;
using BlueGreen.Core.Configuration;
using BlueGreen.Router.Api;
using BlueGreen.Router.Configuration;
using BlueGreen.Router.Hosting;
using BlueGreen.Router.Metrics;
using BlueGreen.Router.Proxy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace BlueGreen.Router;

/// <summary>
/// The product's default router: serves the Traefik dynamic files of a folder, or the routing in etcd in Traefik's KV
/// layout (the subset the product writes) on one entry point, with a copy of Traefik's read-only API.
/// </summary>
public static class EmbeddedRouter
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(15);

    /// <param name="loggers">Where every line goes, Kestrel's and YARP's included; its filters decide the levels.</param>
    public static Task<RunningRouter> StartAsync(RouterOptions options, ILoggerFactory loggers, CancellationToken ct) =>
        StartAsync(options, loggers, TimeProvider.System, ct);

    internal static async Task<RunningRouter> StartAsync(RouterOptions options, ILoggerFactory loggers, TimeProvider time, CancellationToken ct)
    {
        var listen = ListenAddress.Parse(options.Listen).EndPoint;
        var apiListen = string.IsNullOrWhiteSpace(options.ApiListen) ? null : ListenAddress.Parse(options.ApiListen).EndPoint;

        // Metrics are served on the API address; without an API nobody could read them, so none are kept.
        var metrics = apiListen is null ? null : new TraefikMetrics(ApiJson.EntryPoint, time);

        // The first snapshot is in place before the first connection is accepted.
        var holder = new SnapshotHolder(metrics is null ? null : _ => metrics.ConfigReloaded());
        IAsyncDisposable watcher;
        string source;
        if (options.EtcdEndpoints is { Count: > 0 } endpoints)
        {
            var etcd = new EtcdRoutesSource(endpoints, options.EtcdPrefix, holder, loggers.CreateLogger<EtcdRoutesSource>());
            await etcd.StartAsync(ct);
            (watcher, source) = (etcd, etcd.Description);
        }
        else
        {
            Directory.CreateDirectory(options.RoutesDir);
            var loader = new RoutesLoader(Path.GetFullPath(options.RoutesDir), holder, loggers.CreateLogger<RoutesLoader>());
            loader.Scan(reread: true);
            (watcher, source) = (new RoutesWatcher(loader, loggers.CreateLogger<RoutesWatcher>(), time), loader.Directory);
        }

        var invoker = ProxyHandler.CreateInvoker(loggers.CreateLogger<UpstreamClient>());
        var loads = new ServerLoads();
        WebApplication? proxy = null;
        WebApplication? api = null;
        try
        {
            proxy = BuildProxy(listen, holder, loads, invoker, options.AccessLog ? new AccessLog(loggers.CreateLogger<AccessLog>(), time) : null, metrics, loggers);
            await proxy.StartAsync(ct);
            if (apiListen is not null)
            {
                api = BuildApi(apiListen, holder, loads, metrics!, options.AccessLog, loggers);
                await api.StartAsync(ct);
            }
        }
        catch
        {
            await watcher.DisposeAsync();
            invoker.Dispose();
            foreach (var app in new[] { proxy, api })
            {
                if (app is not null)
                {
                    await app.DisposeAsync();
                }
            }

            throw;
        }

        var proxyUrl = BoundUrl(proxy);
        var apiUrl = api is null ? null : BoundUrl(api);
        var logger = loggers.CreateLogger<RunningRouter>();
        if (apiUrl is null)
        {
            RouterLog.Listening(logger, proxyUrl, source);
        }
        else
        {
            RouterLog.ListeningWithApi(logger, proxyUrl, apiUrl, source);
        }

        return new RunningRouter(proxy, api, watcher, invoker, logger, proxyUrl, apiUrl, holder, ct);
    }

    private static WebApplication BuildProxy(IPEndPoint listen, SnapshotHolder holder, ServerLoads loads, HttpMessageInvoker invoker, AccessLog? accessLog, TraefikMetrics? metrics, ILoggerFactory loggers)
    {
        var builder = SlimBuilder(listen, loggers, kestrel =>
        {
            // Traefik puts no limit on request bodies; neither does the router.
            kestrel.Limits.MaxRequestBodySize = null;
        });
        builder.Services.AddHttpForwarder();
        var app = builder.Build();
        var handler = new ProxyHandler(holder, loads, app.Services.GetRequiredService<IHttpForwarder>(), invoker, accessLog, metrics, loggers.CreateLogger<ProxyHandler>());
        app.Run(handler.HandleAsync);
        return app;
    }

    private static WebApplication BuildApi(IPEndPoint listen, SnapshotHolder holder, ServerLoads loads, TraefikMetrics metrics, bool accessLog, ILoggerFactory loggers)
    {
        var builder = SlimBuilder(listen, loggers, _ => { });
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        TraefikApi.Map(app, holder, loads, metrics, accessLog);
        return app;
    }

    private static WebApplicationBuilder SlimBuilder(IPEndPoint listen, ILoggerFactory loggers, Action<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions> configure)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        // Kestrel and YARP log through the router's factory: one output, one set of level filters.
        builder.Logging.ClearProviders();
        builder.Services.Replace(ServiceDescriptor.Singleton(loggers));
        builder.Services.AddSingleton<IHostLifetime, NoSignalLifetime>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(listen);
            configure(kestrel);
        });
        return builder;
    }

    private static Uri BoundUrl(WebApplication app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("the server reports no bound address");
        return new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "[::1]", StringComparison.Ordinal) + "/");
    }
}
